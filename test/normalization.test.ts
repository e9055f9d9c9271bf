// The normalization and dropout kernels: the wasm core against its JS twin bit for bit on
// awkward sizes, both against float64 references, and the backward passes against float64
// central differences of the forward functions.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Backend } from "../src/backend/backend.js";
import { CheckedBackend } from "../src/backend/checked.js";
import { bitsOf, js, randomArray, tensor, wasm } from "./helpers.js";

const SIZES = [
  [1, 1],
  [3, 5],
  [5, 3],
  [17, 33],
  [33, 17],
  [64, 65],
  [2, 1030],
] as const;

// Float64 references: normalization over `groups` of `count` values, each element at
// index(g, i), with gamma/beta per column.
type Layout = { rows: number; cols: number; perColumn: boolean };
function normalize64(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  { rows, cols, perColumn }: Layout,
  eps: number,
): Float64Array {
  const y = new Float64Array(rows * cols);
  const groups = perColumn ? cols : rows,
    count = perColumn ? rows : cols;
  const at = (g: number, i: number): number => (perColumn ? i * cols + g : g * cols + i);
  for (let g = 0; g < groups; g++) {
    let mean = 0;
    for (let i = 0; i < count; i++) mean += x[at(g, i)]!;
    mean /= count;
    let v = 0;
    for (let i = 0; i < count; i++) v += (x[at(g, i)]! - mean) ** 2;
    const inv = 1 / Math.sqrt(v / count + eps);
    for (let i = 0; i < count; i++) {
      const k = at(g, i),
        col = k % cols;
      y[k] = (x[k]! - mean) * inv * gamma[col]! + beta[col]!;
    }
  }
  return y;
}

// sum(y * w) in float64: a scalar loss whose gradient with respect to y is w.
const dot = (y: ArrayLike<number>, w: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i]! * w[i]!;
  return s;
};

function runForward(
  backend: Backend,
  kind: "batch" | "layer",
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  rows: number,
  cols: number,
  eps: number,
) {
  const tx = tensor(backend, x),
    y = backend.alloc(rows * cols),
    xhat = backend.alloc(rows * cols);
  const stats = backend.alloc(kind === "batch" ? 3 * cols : rows),
    tg = tensor(backend, gamma),
    tb = tensor(backend, beta);
  if (kind === "batch") backend.batchNormForward(tx, y, xhat, stats, tg, tb, rows, cols, eps);
  else backend.layerNormForward(tx, y, xhat, stats, tg, tb, rows, cols, eps);
  return { y, xhat, stats, tg, tx };
}

function runBackward(
  backend: Backend,
  kind: "batch" | "layer",
  f: ReturnType<typeof runForward>,
  dy: Float32Array,
  rows: number,
  cols: number,
  inPlace: boolean,
) {
  const tdy = tensor(backend, dy),
    dx = inPlace ? tdy : backend.alloc(rows * cols),
    dGamma = backend.alloc(cols),
    dBeta = backend.alloc(cols);
  const invStd = kind === "batch" ? backend.slice(f.stats, 2 * cols, cols) : f.stats;
  if (kind === "batch") backend.batchNormBackward(f.xhat, tdy, dx, invStd, f.tg, dGamma, dBeta, rows, cols);
  else backend.layerNormBackward(f.xhat, tdy, dx, invStd, f.tg, dGamma, dBeta, rows, cols);
  return { dx: backend.read(dx), dGamma: backend.read(dGamma), dBeta: backend.read(dBeta) };
}

describe.each(["batch", "layer"] as const)("%s normalization kernels", (kind) => {
  const layout = (rows: number, cols: number): Layout => ({ rows, cols, perColumn: kind === "batch" });
  for (const [rows, cols] of SIZES) {
    it(`${rows}x${cols}: wasm and js agree bit for bit and match float64`, () => {
      const x = randomArray(rows * cols, rows * 31 + cols, -3, 5),
        gamma = randomArray(cols, cols + 1, 0.5, 2),
        beta = randomArray(cols, cols + 2);
      const dy = randomArray(rows * cols, rows + cols * 7);
      const eps = 1e-3;
      const results = [wasm, js].map((b) => {
        const f = runForward(b, kind, x, gamma, beta, rows, cols, eps);
        return {
          y: b.read(f.y),
          xhat: b.read(f.xhat),
          stats: b.read(f.stats),
          ...runBackward(b, kind, f, dy, rows, cols, false),
          inPlace: runBackward(b, kind, f, dy, rows, cols, true),
        };
      });
      const [w, j] = results as [(typeof results)[0], (typeof results)[0]];
      for (const key of ["y", "xhat", "stats", "dx", "dGamma", "dBeta"] as const)
        expect(bitsOf(w[key]), key).toEqual(bitsOf(j[key]));
      expect(bitsOf(w.inPlace.dx)).toEqual(bitsOf(w.dx));
      const want = normalize64(x, gamma, beta, layout(rows, cols), eps);
      for (let i = 0; i < want.length; i++)
        expect(Math.abs(w.y[i]! - want[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(want[i]!)));
    });
  }

  for (const [rows, cols] of [
    [4, 3],
    [3, 6],
    [7, 5],
  ] as const) {
    it(`${rows}x${cols}: gradients match float64 central differences`, () => {
      const x = randomArray(rows * cols, rows * 13 + cols, -2, 2),
        gamma = randomArray(cols, 3, 0.5, 1.5),
        beta = randomArray(cols, 4);
      const dy = randomArray(rows * cols, 5);
      const eps = 1e-3,
        h = 1e-5;
      const g = runBackward(wasm, kind, runForward(wasm, kind, x, gamma, beta, rows, cols, eps), dy, rows, cols, false);
      const loss = (xx: ArrayLike<number>, gg: ArrayLike<number>, bb: ArrayLike<number>): number =>
        dot(normalize64(xx, gg, bb, layout(rows, cols), eps), dy);
      const central = (values: ArrayLike<number>, i: number, at: (v: Float64Array) => number): number => {
        const v = Float64Array.from(values);
        v[i] = values[i]! + h;
        const up = at(v);
        v[i] = values[i]! - h;
        return (up - at(v)) / (2 * h);
      };
      for (let i = 0; i < x.length; i++) {
        // Normalization's input gradient is a difference of near-equal terms: float32 keeps ~1e-4 of it.
        expect(Math.abs(g.dx[i]! - central(x, i, (v) => loss(v, gamma, beta)))).toBeLessThan(
          2e-4 * (1 + Math.abs(g.dx[i]!)),
        );
      }
      for (let j = 0; j < cols; j++) {
        expect(Math.abs(g.dGamma[j]! - central(gamma, j, (v) => loss(x, v, beta)))).toBeLessThan(
          1e-5 * (1 + Math.abs(g.dGamma[j]!)),
        );
        expect(Math.abs(g.dBeta[j]! - central(beta, j, (v) => loss(x, gamma, v)))).toBeLessThan(
          1e-5 * (1 + Math.abs(g.dBeta[j]!)),
        );
      }
    });
  }

  it("property: wasm and js agree bit for bit on any shape and scale (seeded)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: -20, max: 20 }),
        fc.integer(),
        (rows, cols, exponent, seed) => {
          const x = randomArray(rows * cols, seed, -(2 ** exponent), 2 ** exponent),
            gamma = randomArray(cols, seed + 1),
            beta = randomArray(cols, seed + 2);
          const dy = randomArray(rows * cols, seed + 3);
          const [w, j] = [wasm, js].map((b) => {
            const f = runForward(b, kind, x, gamma, beta, rows, cols, 1e-5);
            return [
              ...[f.y, f.xhat, f.stats].map((t) => b.read(t)),
              ...Object.values(runBackward(b, kind, f, dy, rows, cols, true)),
            ];
          }) as [Float32Array[], Float32Array[]];
          w.forEach((t, i) => expect(bitsOf(t)).toEqual(bitsOf(j[i]!)));
        },
      ),
      { seed: 15, numRuns: 60 },
    );
  });
});

describe("batch normalization in inference and the moving statistics", () => {
  it("inference from statistics equal to a batch's gives that batch's training outputs bit for bit", () => {
    for (const backend of [wasm, js]) {
      const rows = 9,
        cols = 13,
        x = randomArray(rows * cols, 8, -4, 4),
        gamma = randomArray(cols, 9),
        beta = randomArray(cols, 10);
      const f = runForward(backend, "batch", x, gamma, beta, rows, cols, 1e-3);
      const y = backend.alloc(rows * cols);
      backend.batchNormInference(
        f.tx,
        y,
        backend.slice(f.stats, 0, cols),
        backend.slice(f.stats, cols, cols),
        f.tg,
        tensor(backend, beta),
        rows,
        cols,
        1e-3,
      );
      expect(bitsOf(backend.read(y))).toEqual(bitsOf(backend.read(f.y)));
    }
  });

  it("the batch variance is biased (divided by rows, as Keras 3 and TF.js), and the moving average weighs the old value by momentum (Keras)", () => {
    const x = new Float32Array([1, 2, 3, 6]); // one column: mean 3, biased variance 3.5 (unbiased would be 14/3)
    for (const backend of [wasm, js]) {
      const f = runForward(backend, "batch", x, new Float32Array([1]), new Float32Array([0]), 4, 1, 1e-3);
      const stats = backend.read(f.stats);
      expect(stats[0]).toBe(3);
      expect(stats[1]).toBe(3.5);
      expect(stats[2]).toBe(Math.fround(1 / Math.fround(Math.sqrt(Math.fround(3.5 + Math.fround(1e-3))))));
      const moving = tensor(backend, [1, 0]),
        batch = tensor(backend, [3.5, 3]);
      backend.movingAverage(moving, batch, 0.99);
      expect(Array.from(backend.read(moving))).toEqual([
        Math.fround(Math.fround(0.99) + Math.fround(3.5 * Math.fround(1 - Math.fround(0.99)))),
        Math.fround(3 * Math.fround(1 - Math.fround(0.99))),
      ]);
    }
    const moving = [wasm, js].map((b) => {
      const m = tensor(b, randomArray(37, 1)),
        batch = tensor(b, randomArray(37, 2));
      b.movingAverage(m, batch, 0.9);
      return b.read(m);
    });
    expect(bitsOf(moving[0]!)).toEqual(bitsOf(moving[1]!));
  });
});

describe("dropout kernels", () => {
  for (const n of [1, 3, 5, 17, 33, 1030, 4099]) {
    it(`${n} elements: the same mask on both paths, the kept share near 1 - rate, kept values scaled by 1 / (1 - rate)`, () => {
      const x = randomArray(n, n, -2, 2),
        dy = randomArray(n, n + 1);
      const rate = 0.3;
      const [w, j] = [wasm, js].map((b) => {
        const tx = tensor(b, x),
          mask = b.alloc(n),
          y = b.alloc(n),
          tdy = tensor(b, dy);
        b.dropoutForward(tx, mask, y, rate, 42, 7 + n);
        b.dropoutBackward(tdy, mask, tdy);
        return { mask: b.read(mask), y: b.read(y), dx: b.read(tdy) } as Record<string, Float32Array>;
      }) as [Record<string, Float32Array>, Record<string, Float32Array>];
      for (const key of ["mask", "y", "dx"]) expect(bitsOf(w[key]!), key).toEqual(bitsOf(j[key]!));
      const keep = Math.fround(1 / Math.fround(1 - Math.fround(rate)));
      let kept = 0;
      for (let i = 0; i < n; i++) {
        expect([0, keep]).toContain(w.mask![i]);
        if (w.mask![i] !== 0) kept++;
        expect(w.y![i]).toBe(Math.fround(x[i]! * w.mask![i]!));
        expect(w.dx![i]).toBe(Math.fround(dy[i]! * w.mask![i]!));
      }
      if (n >= 1030) expect(Math.abs(kept / n - 0.7)).toBeLessThan(4 * Math.sqrt(0.21 / n));
    });
  }

  it("another stream gives another mask; rate 0 keeps everything unscaled", () => {
    const n = 64,
      x = tensor(wasm, randomArray(n, 1)),
      a = wasm.alloc(n),
      b = wasm.alloc(n),
      y = wasm.alloc(n);
    wasm.dropoutForward(x, a, y, 0.5, 1, 1);
    wasm.dropoutForward(x, b, y, 0.5, 1, 2);
    expect(wasm.read(a)).not.toEqual(wasm.read(b));
    wasm.dropoutForward(x, a, y, 0, 1, 1);
    expect(wasm.read(y)).toEqual(wasm.read(x));
  });
});

describe("checked normalization and dropout calls", () => {
  const c = new CheckedBackend(wasm);
  const t = (n: number) => c.alloc(n);
  it("refuse short tensors, bad scalars and overlaps with typed errors", () => {
    const x = t(12),
      y = t(12),
      xhat = t(12),
      g = t(4),
      b = t(4);
    expect(() => c.batchNormForward(x, y, xhat, t(11), g, b, 3, 4, 1e-3)).toThrow(
      /stats: expected a tensor of at least 12 floats/,
    );
    expect(() => c.batchNormForward(x, y, xhat, t(12), g, b, 3, 4, 0)).toThrow(/epsilon: expected a finite number > 0/);
    expect(() => c.batchNormForward(x, y, x, t(12), g, b, 3, 4, 1e-3)).toThrow(
      /xhat: expected a tensor not overlapping x/,
    );
    expect(() => c.layerNormForward(x, y, xhat, t(2), g, b, 3, 4, 1e-3)).toThrow(
      /invStd: expected a tensor of at least 3 floats/,
    );
    expect(() => c.layerNormBackward(xhat, y, y, t(3), g, g, b, 3, 4)).toThrow(
      /dGamma: expected a tensor not overlapping gamma/,
    );
    expect(() => c.batchNormInference(x, y, t(3), t(4), g, b, 3, 4, 1e-3)).toThrow(
      /mean: expected a tensor of at least 4 floats/,
    );
    expect(() => c.movingAverage(g, b, 1.5)).toThrow(/momentum: expected a number in \[0, 1\]/);
    expect(() => c.dropoutForward(x, t(12), y, 1, 0, 0)).toThrow(/rate: expected a number in \[0, 1\)/);
    expect(() => c.dropoutForward(x, x, y, 0.5, 0, 0)).toThrow(/mask: expected a tensor not overlapping x/);
    expect(() => c.dropoutBackward(x, t(11), y)).toThrow(/mask: expected a tensor of at least 12 floats/);
  });
});
