import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { AdamStep, Backend, RmspropStep, SgdStep } from "../src/backend/backend.js";
import { bitsOf, js, randomArray, tensor, wasm } from "./helpers.js";

const sizes = [1, 3, 5, 17, 33, 1030];

/** Runs `steps` updates on a backend and returns weights and state. */
function run(backend: Backend, kind: "sgd" | "adam" | "rmsprop", n: number, seed: number, p: SgdStep | AdamStep | RmspropStep, steps = 3) {
  const w = tensor(backend, randomArray(n, seed)), a = tensor(backend, new Float32Array(n)), b = tensor(backend, new Float32Array(n));
  for (let s = 0; s < steps; s++) {
    const g = tensor(backend, randomArray(n, seed + 100 + s));
    if (kind === "sgd") backend.sgdStep(w, g, a, p as SgdStep);
    else if (kind === "adam") backend.adamStep(w, g, a, b, p as AdamStep);
    else backend.rmspropStep(w, g, a, p as RmspropStep);
  }
  return [backend.read(w), backend.read(a), backend.read(b)];
}

const sgd: SgdStep = { lr: 0.1, decay: 0.01, gradScale: 0.7, momentum: 0.9, nesterov: true };
const adam: AdamStep = { lr: 0.01, decay: 0.02, gradScale: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, decoupled: true, stepSize: 0.01 / (1 - 0.9), invRootBc2: 1 / Math.sqrt(1 - 0.999) };
const rmsprop: RmspropStep = { lr: 0.01, decay: 0, gradScale: 1, rho: 0.9, eps: 1e-8 };

describe("optimizer kernels", () => {
  it.each(sizes)("wasm and js give the same bits, %i parameters", (n) => {
    for (const [kind, p] of [["sgd", sgd], ["sgd", { ...sgd, nesterov: false }], ["sgd", { ...sgd, momentum: 0 }],
      ["adam", adam], ["adam", { ...adam, decoupled: false }], ["rmsprop", rmsprop]] as const) {
      const a = run(wasm, kind, n, n, p), b = run(js, kind, n, n, p);
      for (let i = 0; i < 3; i++) expect(bitsOf(a[i]!), `${kind} ${JSON.stringify(p)} output ${i}`).toEqual(bitsOf(b[i]!));
    }
  });

  it("SGD with momentum follows torch.optim.SGD in float64", () => {
    const w0 = randomArray(5, 1), g1 = randomArray(5, 101), g2 = randomArray(5, 102);
    for (const nesterov of [false, true]) {
      const [w] = run(wasm, "sgd", 5, 1, { ...sgd, nesterov }, 2);
      for (let i = 0; i < 5; i++) {
        let x = w0[i]!, v = 0;
        for (const g of [g1[i]!, g2[i]!]) {
          const gi = sgd.gradScale * g + sgd.decay * x;
          v = sgd.momentum * v + gi;
          x -= sgd.lr * (nesterov ? gi + sgd.momentum * v : v);
        }
        expect(w![i]).toBeCloseTo(x, 6);
      }
    }
  });

  it("Adam's first step moves each weight by lr against its gradient's sign (bias-corrected)", () => {
    const w0 = randomArray(33, 4), g = randomArray(33, 104);
    const [w] = run(wasm, "adam", 33, 4, { ...adam, decay: 0 }, 1);
    for (let i = 0; i < 33; i++) expect(w![i]! - w0[i]!).toBeCloseTo(-0.01 * Math.sign(g[i]!), 5);
  });

  it("AdamW shrinks weights by lr * decay independently of the gradient; Adam+L2 does not", () => {
    const p = { ...adam, decay: 0.5, stepSize: 0, lr: 0.1 }; // stepSize 0 isolates the decay
    const [w] = run(wasm, "adam", 5, 5, p, 1), w0 = randomArray(5, 5);
    for (let i = 0; i < 5; i++) expect(w![i]).toBeCloseTo(w0[i]! * 0.95, 6);
    const [w2] = run(wasm, "adam", 5, 5, { ...p, decoupled: false }, 1);
    for (let i = 0; i < 5; i++) expect(w2![i]).toBe(w0[i]);
  });

  it("RMSprop follows torch.optim.RMSprop in float64", () => {
    const w0 = randomArray(17, 7);
    const [w] = run(wasm, "rmsprop", 17, 7, rmsprop, 3);
    for (let i = 0; i < 17; i++) {
      let x = w0[i]!, s = 0;
      for (let k = 0; k < 3; k++) {
        const g = randomArray(17, 107 + k)[i]!;
        s = rmsprop.rho * s + (1 - rmsprop.rho) * g * g;
        x -= rmsprop.lr * g / (Math.sqrt(s) + rmsprop.eps);
      }
      expect(w![i]).toBeCloseTo(x, 5);
    }
  });

  it("any length, any scalars: wasm == js bit for bit (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 0, max: 1000 }),
      fc.float({ min: 0, max: 1, noNaN: true }), fc.float({ min: 0, max: Math.fround(0.99), noNaN: true }), fc.boolean(),
      (n, seed, lr, mu, nesterov) => {
        const p = { ...sgd, lr, momentum: mu, nesterov };
        const a = run(wasm, "sgd", n, seed, p), b = run(js, "sgd", n, seed, p);
        expect(bitsOf(a[0]!)).toEqual(bitsOf(b[0]!));
      }), { numRuns: 50, seed: 22 });
  });
});

describe("vector kernels", () => {
  it.each(sizes)("copy, gatherRows, sumSquares and countNonFinite, %i", (n) => {
    for (const backend of [wasm, js]) {
      const x = randomArray(n, n);
      const src = tensor(backend, x), dst = backend.alloc(n);
      backend.copy(src, dst);
      expect(bitsOf(backend.read(dst))).toEqual(bitsOf(x));
      let want = 0;
      for (const v of x) want += v * v;
      expect(backend.sumSquares(src)).toBeCloseTo(want, 10);
      expect(backend.countNonFinite(src)).toBe(0);
      const bad = x.slice();
      bad[n - 1] = NaN;
      if (n > 2) { bad[0] = Infinity; bad[1] = -Infinity; }
      const tb = tensor(backend, bad);
      expect(backend.countNonFinite(tb)).toBe(n > 2 ? 3 : 1);
      expect(Number.isFinite(backend.sumSquares(tb))).toBe(false);

      const cols = 3, rows = n, order = Array.from({ length: rows }, (_, i) => (i * 7 + 3) % rows);
      const m = randomArray(rows * cols, n + 9), out = backend.alloc(rows * cols);
      backend.gatherRows(tensor(backend, m), tensor(backend, order), out, rows, cols);
      const got = backend.read(out);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(got[i * cols + j]).toBe(m[order[i]! * cols + j]);
    }
  });
});

describe("optimizer kernels out of place", () => {
  it.each(sizes)("writing to other tensors gives what in place gives and leaves the inputs alone, %i parameters", (n) => {
    for (const backend of [wasm, js]) {
      const w0 = randomArray(n, 1), g0 = randomArray(n, 2), m0 = randomArray(n, 3, 0, 0.1), v0 = randomArray(n, 4, 0, 0.1);
      const inPlace = [tensor(backend, w0), tensor(backend, m0), tensor(backend, v0)];
      backend.adamStep(inPlace[0]!, tensor(backend, g0), inPlace[1]!, inPlace[2]!, adam);
      const inputs = [tensor(backend, w0), tensor(backend, m0), tensor(backend, v0)], outs = [backend.alloc(n), backend.alloc(n), backend.alloc(n)];
      backend.adamStep(inputs[0]!, tensor(backend, g0), inputs[1]!, inputs[2]!, adam, { w: outs[0]!, state: [outs[1]!, outs[2]!] });
      outs.forEach((t, i) => expect(bitsOf(backend.read(t))).toEqual(bitsOf(backend.read(inPlace[i]!))));
      inputs.forEach((t, i) => expect(bitsOf(backend.read(t))).toEqual(bitsOf([w0, m0, v0][i]!)));
    }
  });
});
