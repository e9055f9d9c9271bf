import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Backend } from "../src/backend/backend.js";
import { js, randomArray, seeded, tensor, wasm } from "./helpers.js";
import { ELEMENTWISE_SIZES, ROW_SIZES } from "./edge-sizes.js";

// float64 definitions straight from the formulas, to check both kernels against.
const reference = {
  mse: (p: number, t: number) => (p - t) ** 2,
  sigmoidCE: (z: number, t: number) =>
    -(t * Math.log(1 / (1 + Math.exp(-z))) + (1 - t) * Math.log(1 - 1 / (1 + Math.exp(-z)))),
  bce: (p: number, t: number) => -(t * Math.log(p) + (1 - t) * Math.log(1 - p)),
};

/** Central difference in float64 of a scalar function of one element. */
function slope(f: (x: number) => number, x: number, h = 1e-5): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

const sizes = ELEMENTWISE_SIZES;

describe.each([
  ["wasm", wasm],
  ["js", js],
] as [string, Backend][])("loss kernels (%s)", (_name, backend) => {
  it.each(sizes)("mean squared error over %i elements: value and gradient", (n) => {
    const p = randomArray(n, n),
      t = randomArray(n, n + 1);
    const grad = backend.alloc(n);
    const sum = backend.meanSquaredError(tensor(backend, p), tensor(backend, t), grad, 1 / n);
    let want = 0;
    for (let i = 0; i < n; i++) want += reference.mse(p[i]!, t[i]!);
    expect(sum).toBeCloseTo(want, 6);
    const g = backend.read(grad);
    for (let i = 0; i < n; i++) expect(g[i]).toBeCloseTo(slope((x) => reference.mse(x, t[i]!), p[i]!) / n, 5);
  });

  it.each(sizes)("sigmoid cross-entropy over %i logits matches the probability form and its derivative", (n) => {
    const z = randomArray(n, n, -6, 6),
      t = randomArray(n, n + 2, 0, 1);
    const grad = backend.alloc(n);
    const sum = backend.sigmoidCrossEntropy(tensor(backend, z), tensor(backend, t), grad, 0.5);
    let want = 0;
    for (let i = 0; i < n; i++) want += reference.sigmoidCE(z[i]!, t[i]!);
    expect(sum).toBeCloseTo(want, 6);
    const g = backend.read(grad);
    for (let i = 0; i < n; i++) expect(g[i]).toBeCloseTo(0.5 * slope((x) => reference.sigmoidCE(x, t[i]!), z[i]!), 5);
  });

  it("sigmoid cross-entropy stays finite and exact for huge logits", () => {
    const z = [-1e4, -100, 100, 1e4],
      t = [0, 1, 0, 1];
    const grad = backend.alloc(4);
    const sum = backend.sigmoidCrossEntropy(tensor(backend, z), tensor(backend, t), grad, 1);
    expect(sum).toBeCloseTo(0 + 100 + 100 + 0, 4); // log(1 + e^-100) vanishes
    expect([...backend.read(grad)]).toEqual([0, -1, 1, 0]);
  });

  it.each(sizes)("binary cross-entropy over %i probabilities, clipped at eps", (n) => {
    const p = randomArray(n, n, 0.01, 0.99),
      t = randomArray(n, n + 3, 0, 1);
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

  it.each([...ROW_SIZES.flatMap((rows) => [2, 3, 5, 33].map((cols) => [rows, cols])), [17, 33], [33, 5]])(
    "softmax cross-entropy, %i x %i: logsumexp form and (sum t) p - t",
    (rows, cols) => {
      const z = randomArray(rows * cols, rows * cols, -8, 8);
      const t = randomArray(rows * cols, rows + cols, 0, 1); // soft targets not summing to 1: the general gradient
      const tz = tensor(backend, z),
        probs = backend.alloc(rows * cols),
        grad = backend.alloc(rows * cols);
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
          const d = slope(
            (x) =>
              rowLoss(
                r,
                zr.map((v, k) => (k === j ? x : v)),
              ),
            zr[j]!,
          );
          expect(g[r * cols + j]).toBeCloseTo(d / rows, 5);
        }
      }
      expect(sum / want).toBeCloseTo(1, 5);
    },
  );

  it("softmax cross-entropy is exact where the probabilities underflow", () => {
    const z = [0, -200, 200, 0],
      t = [0, 1, 1, 0];
    const tz = tensor(backend, z),
      probs = backend.alloc(4),
      grad = backend.alloc(4);
    backend.softmax(tz, probs, 2, 2);
    expect(backend.softmaxCrossEntropy(tz, tensor(backend, t), probs, grad, 2, 2, 1)).toBeCloseTo(200, 4);
  });

  it("counts correct rows: thresholded for one column, argmax for more", () => {
    const y = tensor(backend, [0.2, 0.7, 0.5, 0.9]),
      t = tensor(backend, [0, 1, 1, 0]);
    expect(backend.countCorrect(y, t, 4, 1, 0.5)).toBe(2);
    expect(backend.countCorrect(y, t, 4, 1, 0)).toBe(2);
    const y3 = tensor(backend, [0.1, 0.5, 0.4, 0.3, 0.3, 0.4]),
      t3 = tensor(backend, [0, 1, 0, 1, 0, 0]);
    expect(backend.countCorrect(y3, t3, 2, 3, 0)).toBe(1); // row 2: a tie goes to the first maximum
  });

  it("the loss alone, without a gradient, gives the same value", () => {
    const z = randomArray(12, 9),
      t = randomArray(12, 10, 0, 1);
    const withGrad = backend.sigmoidCrossEntropy(tensor(backend, z), tensor(backend, t), backend.alloc(12), 1);
    expect(backend.sigmoidCrossEntropy(tensor(backend, z), tensor(backend, t), null, 1)).toBe(withGrad);
  });
});

describe("loss kernels: wasm against js", () => {
  it("agree to float32 rounding on random batches (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer(),
        (rows, cols, seed) => {
          const next = seeded(seed);
          const z = Float32Array.from({ length: rows * cols }, () => (next() - 0.5) * 40);
          const t = Float32Array.from({ length: rows * cols }, () => (next() < 0.5 ? 0 : 1));
          const results = [wasm, js].map((b) => {
            const tz = tensor(b, z),
              tt = tensor(b, t),
              probs = b.alloc(z.length),
              grad = b.alloc(z.length);
            b.softmax(tz, probs, rows, cols);
            const ce = b.softmaxCrossEntropy(tz, tt, probs, grad, rows, cols, 1 / rows);
            const g1 = b.read(grad);
            const sce = b.sigmoidCrossEntropy(tz, tt, grad, 1 / z.length);
            return { ce, sce, g1, g2: b.read(grad) };
          });
          const [a, b] = results as [(typeof results)[0], (typeof results)[0]];
          expect(Math.abs(a.ce - b.ce)).toBeLessThanOrEqual(1e-9 * Math.max(1, b.ce) + 2e-6 * rows);
          expect(Math.abs(a.sce - b.sce)).toBeLessThanOrEqual(1e-9 * Math.max(1, b.sce));
          for (let i = 0; i < z.length; i++) {
            // the wasm softmax is within a few 1e-6 of float64
            expect(Math.abs(a.g1[i]! - b.g1[i]!)).toBeLessThanOrEqual(4e-6 / rows);
            expect(Math.abs(a.g2[i]! - b.g2[i]!)).toBeLessThanOrEqual(1e-7);
          }
        },
      ),
      { numRuns: 60, seed: 21 },
    );
  });
});

// Keras' definitions in float64 (keras/src/losses/losses.py), per element or per row.
const keras = {
  mae: (p: number, t: number) => Math.abs(p - t),
  huber: (delta: number) => (p: number, t: number) => {
    const a = Math.abs(p - t);
    return a <= delta ? 0.5 * a * a : delta * a - 0.5 * delta * delta;
  },
  logCosh: (p: number, t: number) => Math.log(Math.cosh(p - t)),
  categoricalHinge: (p: number[], t: number[]) =>
    Math.max(Math.max(...p.map((v, j) => (1 - t[j]!) * v)) - p.reduce((s, v, j) => s + t[j]! * v, 0) + 1, 0),
};

describe.each([
  ["wasm", wasm],
  ["js", js],
] as [string, Backend][])("Keras' regression and hinge losses (%s)", (_name, backend) => {
  const elementwise: [
    string,
    (p: number, t: number) => number,
    (
      b: Backend,
      p: ReturnType<typeof tensor>,
      t: ReturnType<typeof tensor>,
      g: ReturnType<typeof tensor> | null,
      s: number,
      w?: ReturnType<typeof tensor> | null,
    ) => number,
  ][] = [
    ["meanAbsoluteError", keras.mae, (b, p, t, g, s, w) => b.meanAbsoluteError(p, t, g, s, w)],
    ["huber (delta 0.4)", keras.huber(0.4), (b, p, t, g, s, w) => b.huber(p, t, g, s, 0.4, w)],
    ["huber (delta 1)", keras.huber(1), (b, p, t, g, s, w) => b.huber(p, t, g, s, 1, w)],
    ["logCosh", keras.logCosh, (b, p, t, g, s, w) => b.logCosh(p, t, g, s, w)],
  ];
  for (const [name, f, run] of elementwise) {
    it.each(sizes)(`${name} over %i elements: value and gradient against float64`, (n) => {
      const p = randomArray(n, n + 40, -3, 3),
        t = randomArray(n, n + 41, -3, 3);
      const grad = backend.alloc(n);
      const sum = run(backend, tensor(backend, p), tensor(backend, t), grad, 1 / n);
      let want = 0;
      for (let i = 0; i < n; i++) want += f(p[i]!, t[i]!);
      expect(sum / want).toBeCloseTo(1, 9);
      const g = backend.read(grad);
      for (let i = 0; i < n; i++) expect(g[i]).toBeCloseTo(slope((x) => f(x, t[i]!), p[i]!) / n, 5);
      expect(run(backend, tensor(backend, p), tensor(backend, t), null, 1 / n)).toBe(sum);
    });
  }

  it("textbook values: MAE, Huber on both sides of delta, log cosh, and their gradients at the kinks", () => {
    const p = tensor(backend, [3, -1, 0.5, 2]),
      t = tensor(backend, [1, -1, 0, 2]),
      g = backend.alloc(4);
    expect(backend.meanAbsoluteError(p, t, g, 1)).toBe(2 + 0 + 0.5 + 0);
    expect([...backend.read(g)]).toEqual([1, 0, 1, 0]); // sign, 0 where p == t
    expect(backend.huber(p, t, g, 1, 1)).toBeCloseTo(1 * 2 - 0.5 + 0 + 0.125 + 0, 12);
    expect([...backend.read(g)]).toEqual([1, 0, 0.5, 0]); // delta sign(d) beyond delta, d within
    expect(backend.logCosh(p, t, g, 1)).toBeCloseTo(Math.log(Math.cosh(2)) + Math.log(Math.cosh(0.5)), 12);
    // Far beyond where cosh overflows float64, log cosh(d) = |d| - log 2.
    expect(backend.logCosh(tensor(backend, [1e30]), tensor(backend, [0]), null, 1)).toBe(Math.fround(1e30) - Math.LN2);
    expect(backend.logCosh(tensor(backend, [-800]), tensor(backend, [0]), g, 1)).toBeCloseTo(800 - Math.LN2, 9);
    expect(backend.read(g)[0]).toBe(-1);
  });

  it.each([
    [1, 2],
    [3, 3],
    [5, 10],
    [17, 4],
    [33, 5],
  ])("categoricalHinge, %i x %i: value and gradient against float64", (rows, cols) => {
    const p = randomArray(rows * cols, rows * cols + 50, -2, 2),
      t = new Float32Array(rows * cols),
      next = seeded(rows + cols);
    for (let r = 0; r < rows; r++) t[r * cols + Math.floor(next() * cols)] = 1;
    const grad = backend.alloc(rows * cols);
    const sum = backend.categoricalHinge(tensor(backend, p), tensor(backend, t), grad, rows, cols, 1 / rows);
    const g = backend.read(grad);
    let want = 0;
    for (let r = 0; r < rows; r++) {
      const pr = [...p.subarray(r * cols, (r + 1) * cols)],
        tr = [...t.subarray(r * cols, (r + 1) * cols)];
      want += keras.categoricalHinge(pr, tr);
      for (let j = 0; j < cols; j++) {
        expect(g[r * cols + j]).toBeCloseTo(
          slope(
            (x) =>
              keras.categoricalHinge(
                pr.map((v, k) => (k === j ? x : v)),
                tr,
              ),
            pr[j]!,
          ) / rows,
          5,
        );
      }
    }
    expect(sum).toBeCloseTo(want, 5);
  });

  it("categoricalHinge: zero past the margin, the maximum's gradient shared among ties", () => {
    const g = backend.alloc(3);
    // 1 + 1 - 3 < 0
    expect(backend.categoricalHinge(tensor(backend, [3, 1, 0.5]), tensor(backend, [1, 0, 0]), g, 1, 3, 1)).toBe(0);
    expect([...backend.read(g)]).toEqual([0, 0, 0]);
    expect(backend.categoricalHinge(tensor(backend, [0.5, 1, 1]), tensor(backend, [1, 0, 0]), g, 1, 3, 1)).toBe(1.5);
    expect([...backend.read(g)]).toEqual([-1, 0.5, 0.5]);
  });

  it("row weights scale each row's loss and gradient, and all-ones weights change no bit", () => {
    const rows = 5,
      cols = 3,
      n = rows * cols;
    const p = randomArray(n, 70, -2, 2),
      t = randomArray(n, 71, 0, 1),
      w = [0.5, 2, 0, 1, 3];
    const pt = tensor(backend, p),
      tt = tensor(backend, t),
      probs = backend.alloc(n);
    backend.softmax(pt, probs, rows, cols);
    const losses: [string, (g: ReturnType<typeof tensor>, wt: ReturnType<typeof tensor> | null) => number][] = [
      ["mse", (g, wt) => backend.meanSquaredError(pt, tt, g, 1 / n, wt)],
      ["mae", (g, wt) => backend.meanAbsoluteError(pt, tt, g, 1 / n, wt)],
      ["huber", (g, wt) => backend.huber(pt, tt, g, 1 / n, 0.5, wt)],
      ["logCosh", (g, wt) => backend.logCosh(pt, tt, g, 1 / n, wt)],
      ["sigmoidCE", (g, wt) => backend.sigmoidCrossEntropy(pt, tt, g, 1 / n, wt)],
      ["bce", (g, wt) => backend.binaryCrossEntropy(probs, tt, g, 1 / n, 1e-7, wt)],
      ["softmaxCE", (g, wt) => backend.softmaxCrossEntropy(pt, tt, probs, g, rows, cols, 1 / rows, wt)],
      ["hinge", (g, wt) => backend.categoricalHinge(pt, tt, g, rows, cols, 1 / rows, wt)],
    ];
    for (const [name, run] of losses) {
      const g0 = backend.alloc(n),
        g1 = backend.alloc(n),
        gw = backend.alloc(n);
      const plain = run(g0, null),
        ones = run(g1, tensor(backend, [1, 1, 1, 1, 1])),
        weighted = run(gw, tensor(backend, w));
      expect(ones, name).toBe(plain);
      expect(backend.read(g1), name).toEqual(backend.read(g0));
      // Each row alone, weighted by hand.
      let want = 0;
      const a = backend.read(g0),
        b = backend.read(gw);
      for (let r = 0; r < rows; r++) {
        const only = w.map((_, k) => (k === r ? 1 : 0));
        want += w[r]! * run(backend.alloc(n), tensor(backend, only));
        for (let j = 0; j < cols; j++) expect(b[r * cols + j], `${name} grad`).toBeCloseTo(w[r]! * a[r * cols + j]!, 7);
      }
      expect(weighted, name).toBeCloseTo(want, 9);
    }
  });
});

describe("Keras' losses: wasm against js", () => {
  it("agree to float64 rounding in value and float32 in gradient (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 2, max: 12 }),
        fc.integer(),
        (rows, cols, seed) => {
          const next = seeded(seed),
            n = rows * cols;
          const p = Float32Array.from({ length: n }, () => (next() - 0.5) * 20);
          const t = new Float32Array(n);
          for (let r = 0; r < rows; r++) t[r * cols + Math.floor(next() * cols)] = 1;
          const w = Float32Array.from({ length: rows }, () => next() * 3);
          const results = [wasm, js].map((b) => {
            const pt = tensor(b, p),
              tt = tensor(b, t),
              wt = tensor(b, w),
              g = b.alloc(n);
            const out: { v: number; g: Float32Array }[] = [];
            for (const run of [
              () => b.meanAbsoluteError(pt, tt, g, 1 / n, wt),
              () => b.huber(pt, tt, g, 1 / n, 1.5, wt),
              () => b.logCosh(pt, tt, g, 1 / n, wt),
              () => b.categoricalHinge(pt, tt, g, rows, cols, 1 / rows, wt),
            ])
              out.push({ v: run(), g: b.read(g) });
            return out;
          });
          results[0]!.forEach((a, k) => {
            const b = results[1]![k]!;
            expect(Math.abs(a.v - b.v)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b.v)));
            for (let i = 0; i < n; i++)
              expect(Math.abs(a.g[i]! - b.g[i]!)).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(b.g[i]!)));
          });
        },
      ),
      { numRuns: 60, seed: 22 },
    );
  });
});
