#!/usr/bin/env node
// The simdnet command line. `simdnet demo`: load the core and show how activation variance
// behaves through depth for each activation/initializer pairing.
import { DEMO_PAIRINGS, depthProfile } from "./demo.js";
import { createBackend } from "./index.js";

const USAGE = `usage: simdnet demo [--backend wasm|js]

  demo   forward a batch through 10 dense layers of 256 units for several
         activation/initializer pairings and print the activation std per layer`;

async function demo(args: string[]): Promise<void> {
  const backendIndex = args.indexOf("--backend");
  const kind = backendIndex >= 0 ? args[backendIndex + 1] : "wasm";
  if (kind !== "wasm" && kind !== "js") throw new Error(`--backend: expected "wasm" or "js", got ${JSON.stringify(kind)}`);
  const t0 = performance.now();
  const backend = await createBackend({ backend: kind });
  console.log(`simdnet core: ${kind === "wasm" ? "WebAssembly SIMD" : "pure JS"} (ready in ${(performance.now() - t0).toFixed(1)} ms)\n`);
  console.log("Std of activations after each of 10 layers (256 units, 512 standardized samples):\n");
  const layers = [1, 2, 3, 5, 7, 10];
  console.log(`${"activation".padEnd(11)}${"initializer".padEnd(18)}${layers.map((l) => `L${l}`.padStart(10)).join("")}   verdict`);
  const t1 = performance.now();
  for (const [activation, label, make] of DEMO_PAIRINGS) {
    const p = depthProfile(backend, activation, make());
    const first = p.std[0]!, last = p.std[p.std.length - 1]!;
    const ratio = last / first;
    const saturating = activation === "tanh" || activation === "sigmoid";
    const verdict = last < 1e-3 ? "vanishes" : ratio > 10 ? "explodes" : ratio < 0.1 ? "shrinks" :
      saturating && last > 0.9 ? "saturates" : ratio < 0.5 ? "declines" : ratio > 2 ? "grows" : "steady";
    console.log(`${activation.padEnd(11)}${label.padEnd(18)}${layers.map((l) => fmt(p.std[l - 1]!).padStart(10)).join("")}   ${verdict}`);
  }
  console.log(`\n(${(performance.now() - t1).toFixed(0)} ms on the ${kind} backend)`);
}

const fmt = (v: number): string => (v !== 0 && (v < 1e-3 || v >= 1e4) ? v.toExponential(1) : v.toFixed(3));

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (command === "demo") return demo(args);
  console.log(USAGE);
  if (command !== undefined && command !== "help" && command !== "--help") process.exitCode = 2;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
