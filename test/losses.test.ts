import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Backend } from "../src/backend/backend.js";
import { js, randomArray, seeded, tensor, wasm } from "./helpers.js";
import { ELEMENTWISE_SIZES, ROW_SIZES } from "./edge-sizes.js";

// float64 definitions straight from the formulas, to check both kernels against.
const reference = {
  mse: (p: number, t: number) => (p - t) ** 2,
  sigmoidCE: (z: number, t: number) => -(t * Math.log(1 / (1 + Math.exp(-z))) + (1 - t) * Math.log(1 - 1 / (1 + Math.exp(-z)))),
  bce: (p: number, t: number) => -(t * Math.log(p) + (1 - t) * Math.log(1 - p)),
};

/** Central difference in float64 of a scalar function of one element. */
function slope(f: (x: number) => number, x: number, h = 1e-5): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

const sizes = ELEMENTWISE_SIZES;

describe.each([["wasm", wasm], ["js", js]] as [string, Backend][])("loss kernels (%s)", (_name, backend) => {
  it.each(sizes)("mean squared error over %i elements: value and gradient", (n) => {
    const p = randomArray(n, n), t = randomArray(n, n + 1);
    const grad = backend.alloc(n);
    const sum = backend.meanSquaredError(tensor(backend, p), tensor(backend, t), grad, 1 / n);
    let want = 0;
    for (let i = 0; i < n; i++) want += reference.mse(p[i]!, t[i]!);
    expect(sum).toBeCloseTo(want, 6);
    const g = backend.read(grad);
    for (let i = 0; i < n; i++) expect(g[i]).toBeCloseTo(slope((x) => reference.mse(x, t[i]!), p[i]!) / n, 5);
  });

  it.each(sizes)("sigmoid cross-entropy over %i logits matches the probability form and its derivative", (n) => {
    const z = randomArray(n, n, -6, 6), t = randomArray(n, n + 2, 0, 1);
    const grad = backend.alloc(n);
    const sum = backend.sigmoidCrossEntropy(tensor(backend, z), tensor(backend, t), grad, 0.5);
    let want = 0;
    for (let i = 0; i < n; i++) want += reference.sigmoidCE(z[i]!, t[i]!);
    expect(sum).toBeCloseTo(want, 6);
    const g = backend.read(grad);
    for (let i = 0; i < n; i++) expect(g[i]).toBeCloseTo(0.5 * slope((x) => reference.sigmoidCE(x, t[i]!), z[i]!), 5);
  });

  it("sigmoid cross-entropy stays finite and exact for huge logits", () => {
    const z = [-1e4, -100, 100, 1e4], t = [0, 1, 0, 1];
    const grad = backend.alloc(4);
    const sum = backend.sigmoidCrossEntropy(tensor(backend, z), tensor(backend, t), grad, 1);
    expect(sum).toBeCloseTo(0 + 100 + 100 + 0, 4); // log(1 + e^-100) vanishes
    expect([...backend.read(grad)]).toEqual([0, -1, 1, 0]);
  });

  it.each(sizes)("binary cross-entropy over %i probabilities, clipped at eps", (n) => {
    const p = randomArray(n, n, 0.01, 0.99), t = randomArray(n, n + 3, 0, 1);
    const grad = backend.alloc(n);
    const sum = backend.binaryCrossEntropy(tensor(backend, p), tensor(backend, t), grad, 1, 1e-7);
    let want = 0;
    for (let i = 0; i < n; i++) want += reference.bce(p[i]!, t[i]!);
    expect(sum).toBeCloseTo(want, 5);
    const g = backend.read(grad);
    for (let i = 0; i < n; i++) expect(g[i]! / slope((x) => reference.bce(x, t[i]!), p[i]!, 1e-7)).toBeCloseTo(1, 4);
    const clipped = backend.alloc(2);
    const edge = backend.binaryCrossEntropy(tensor(backend, [0, 1]), tensor(backend, [1, 0]), clipped, 1, 1e-7);
    expect(edge).toBeCloseTo(2 * -Math.log(1e-7), 5);
    expect([...backend.read(clipped)]).toEqual([0, 0]);
  });

  it.each([...ROW_SIZES.flatMap((rows) => [2, 3, 5, 33].map((cols) => [rows, cols])), [17, 33], [33, 5]])("softmax cross-entropy, %i x %i: logsumexp form and (sum t) p - t", (rows, cols) => {
    const z = randomArray(rows * cols, rows * cols, -8, 8);
    const t = randomArray(rows * cols, rows + cols, 0, 1); // soft targets not summing to 1: the general gradient
    const tz = tensor(backend, z), probs = backend.alloc(rows * cols), grad = backend.alloc(rows * cols);
    backend.softmax(tz, probs, rows, cols);
    const sum = backend.softmaxCrossEntropy(tz, tensor(backend, t), probs, grad, rows, cols, 1 / rows);
    const rowLoss = (r: number, zr: number[]) => {
      const lse = Math.log(zr.reduce((s, v) => s + Math.exp(v), 0));
      return zr.reduce((s, v, j) => s + t[r * cols + j]! * (lse - v), 0);
    };
    let want = 0;
    const g = backend.read(grad);
    for (let r = 0; r < rows; r++) {
      const zr = [...z.subarray(r * cols, (r + 1) * cols)];
      want += rowLoss(r, zr);
      for (let j = 0; j < cols; j++) {
        const d = slope((x) => rowLoss(r, zr.map((v, k) => (k === j ? x : v))), zr[j]!);
        expect(g[r * cols + j]).toBeCloseTo(d / rows, 5);
      }
    }
    expect(sum / want).toBeCloseTo(1, 5);
  });

  it("softmax cross-entropy is exact where the probabilities underflow", () => {
    const z = [0, -200, 200, 0], t = [0, 1, 1, 0];
    const tz = tensor(backend, z), probs = backend.alloc(4), grad = backend.alloc(4);
    backend.softmax(tz, probs, 2, 2);
    expect(backend.softmaxCrossEntropy(tz, tensor(backend, t), probs, grad, 2, 2, 1)).toBeCloseTo(200, 4);
  });

  it("counts correct rows: thresholded for one column, argmax for more", () => {
    const y = tensor(backend, [0.2, 0.7, 0.5, 0.9]), t = tensor(backend, [0, 1, 1, 0]);
    expect(backend.countCorrect(y, t, 4, 1, 0.5)).toBe(2);
    expect(backend.countCorrect(y, t, 4, 1, 0)).toBe(2);
    const y3 = tensor(backend, [0.1, 0.5, 0.4, 0.3, 0.3, 0.4]), t3 = tensor(backend, [0, 1, 0, 1, 0, 0]);
    expect(backend.countCorrect(y3, t3, 2, 3, 0)).toBe(1); // row 2: a tie goes to the first maximum
  });

  it("the loss alone, without a gradient, gives the same value", () => {
    const z = randomArray(12, 9), t = randomArray(12, 10, 0, 1);
    const withGrad = backend.sigmoidCrossEntropy(tensor(backend, z), tensor(backend, t), backend.alloc(12), 1);
    expect(backend.sigmoidCrossEntropy(tensor(backend, z), tensor(backend, t), null, 1)).toBe(withGrad);
  });
});

describe("loss kernels: wasm against js", () => {
  it("agree to float32 rounding on random batches (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.integer(), (rows, cols, seed) => {
      const next = seeded(seed);
      const z = Float32Array.from({ length: rows * cols }, () => (next() - 0.5) * 40);
      const t = Float32Array.from({ length: rows * cols }, () => (next() < 0.5 ? 0 : 1));
      const results = [wasm, js].map((b) => {
        const tz = tensor(b, z), tt = tensor(b, t), probs = b.alloc(z.length), grad = b.alloc(z.length);
        b.softmax(tz, probs, rows, cols);
        const ce = b.softmaxCrossEntropy(tz, tt, probs, grad, rows, cols, 1 / rows);
        const g1 = b.read(grad);
        const sce = b.sigmoidCrossEntropy(tz, tt, grad, 1 / z.length);
        return { ce, sce, g1, g2: b.read(grad) };
      });
      const [a, b] = results as [typeof results[0], typeof results[0]];
      expect(Math.abs(a.ce - b.ce)).toBeLessThanOrEqual(1e-9 * Math.max(1, b.ce) + 2e-6 * rows);
      expect(Math.abs(a.sce - b.sce)).toBeLessThanOrEqual(1e-9 * Math.max(1, b.sce));
      for (let i = 0; i < z.length; i++) {
        expect(Math.abs(a.g1[i]! - b.g1[i]!)).toBeLessThanOrEqual(4e-6 / rows); // the wasm softmax is within a few 1e-6 of float64
        expect(Math.abs(a.g2[i]! - b.g2[i]!)).toBeLessThanOrEqual(1e-7);
      }
    }), { numRuns: 60, seed: 21 });
  });
});
