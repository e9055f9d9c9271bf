// Measures the activation kernels' error against float64 over [-30, 30] and prints the
// table quoted in docs/kernels.md (`npm run accuracy`). Deterministic: same figures every run.
import { ACTIVATIONS, activationParameter, type ElementwiseActivation } from "../src/activations.js";
import { derivative as derivative64, forward as forward64 } from "../src/backend/js/activations.js";
import { createWasmBackend } from "../src/backend/wasm.js";

const backend = await createWasmBackend();
const xs: number[] = [];
for (let i = -300000; i <= 300000; i++) xs.push(i / 10000);
for (let e = -45; e <= 0; e += 0.05) xs.push(10 ** e, -(10 ** e));
const x = Float32Array.from(xs);

function run(kind: "forward" | "derivative", name: ElementwiseActivation): Float32Array {
  const alpha = activationParameter(name);
  const tz = backend.alloc(x.length),
    t = backend.alloc(x.length);
  backend.write(tz, x);
  if (kind === "forward") backend.activation(name, tz, t, alpha);
  else {
    backend.fill(t, 1);
    backend.activationGrad(name, tz, t, t, alpha);
  }
  const out = backend.read(t);
  backend.free(tz);
  backend.free(t);
  return out;
}

console.log(
  "| activation | forward max abs err | forward max rel err (|f| >= 1e-3) | derivative max abs err | derivative max rel err (|f'| >= 1e-3) |",
);
console.log("|---|---|---|---|---|");
for (const name of Object.keys(ACTIVATIONS) as ElementwiseActivation[]) {
  const alpha = activationParameter(name);
  const cells: string[] = [];
  for (const kind of ["forward", "derivative"] as const) {
    const got = run(kind, name);
    let abs = 0,
      rel = 0;
    for (let i = 0; i < x.length; i++) {
      // The float64 reference: the pure-JS path's formulas evaluated without float32 rounding.
      const want = kind === "forward" ? forward64(name, x[i]!, alpha) : derivative64(name, x[i]!, alpha);
      const e = Math.abs(got[i]! - want);
      abs = Math.max(abs, e);
      if (Math.abs(want) >= 1e-3) rel = Math.max(rel, e / Math.abs(want));
    }
    cells.push(abs.toExponential(1), rel.toExponential(1));
  }
  console.log(`| ${name} | ${cells.join(" | ")} |`);
}
