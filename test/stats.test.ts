import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Backend } from "../src/backend/backend.js";
import { js, randomArray, tensor, wasm } from "./helpers.js";
import { COLUMN_SIZES, ROW_SIZES } from "./edge-sizes.js";

// The edge-size grid, plus shapes with more rows than columns and past them.
const shapes: [number, number][] = [
  ...ROW_SIZES.flatMap((rows) => COLUMN_SIZES.map((cols): [number, number] => [rows, cols])),
  [33, 17],
  [64, 65],
];

describe.each([
  ["wasm", wasm],
  ["js", js],
] as [string, Backend][])("statistics kernels (%s)", (_name, b) => {
  it.each(shapes)(
    "%i x %i: sums, counts, column maxima, histogram, hashes and signs match brute force",
    (rows, cols) => {
      const x = randomArray(rows * cols, rows * 31 + cols, -3, 3);
      const t = tensor(b, x);
      expect(b.sum(t)).toBeCloseTo(
        x.reduce((s, v) => s + v, 0),
        9,
      );
      expect(b.countAbsAbove(t, 1.5)).toBe(x.filter((v) => Math.abs(v) > 1.5).length);
      expect(b.countBelow(t, 0)).toBe(x.filter((v) => v < 0).length);
      const out = b.alloc(cols);
      b.columnMax(t, rows, cols, out, false);
      const colMax = Array.from({ length: cols }, (_, j) =>
        Math.max(...Array.from({ length: rows }, (_, r) => x[r * cols + j]!)),
      );
      expect([...b.read(out)]).toEqual(colMax);
      b.columnMax(tensor(b, new Float32Array(rows * cols).fill(2)), rows, cols, out, true);
      expect([...b.read(out)]).toEqual(colMax.map((m) => Math.max(m, 2)));
      const bins = 7,
        hist = b.alloc(bins + 2);
      b.fill(hist, 0);
      b.histogram(t, -2, 2, bins, hist);
      b.histogram(t, -2, 2, bins, hist); // accumulates
      const want = new Array(bins + 2).fill(0);
      for (const v of x)
        want[v < -2 ? 0 : v >= 2 ? bins + 1 : 1 + Math.min(bins - 1, Math.floor(((v + 2) * bins) / 4))] += 2;
      expect([...b.read(hist)]).toEqual(want);
      const squares = b.alloc(cols);
      b.columnSumSquares(t, squares, rows, cols);
      const sq = b.read(squares);
      for (let j = 0; j < cols; j++) {
        let want = 0;
        for (let r = 0; r < rows; r++) want += x[r * cols + j]! ** 2;
        expect(Math.abs(sq[j]! - want)).toBeLessThanOrEqual(rows * 1.2e-7 * want + 1e-30);
      }
      const y = randomArray(rows * cols, 5);
      expect(b.sumSquaredDiff(t, tensor(b, y))).toBeCloseTo(
        x.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0),
        9,
      );
      // Duplicate column 0 into the last column (and flip a zero's sign): equal hashes.
      const dup = x.slice();
      for (let r = 0; r < rows; r++) dup[r * cols + cols - 1] = dup[r * cols]!;
      if (cols > 1) {
        dup[0] = 0;
        dup[cols - 1] = -0;
      }
      const h = b.columnHashes(tensor(b, dup), rows, cols);
      expect(h[0]).toBe(h[cols - 1]);
      if (cols > 2) expect(new Set(h).size).toBe(cols - 1);
      const signs = Float32Array.from(x, (v, i) => (i % cols === 0 ? Math.abs(v) : v));
      let same = 0;
      for (let j = 0; j < cols; j++) {
        const col = Array.from({ length: rows }, (_, r) => signs[r * cols + j]!).filter((v) => v !== 0);
        if (col.length > 0 && (col.every((v) => v > 0) || col.every((v) => v < 0))) same++;
      }
      expect(b.countSameSignColumns(tensor(b, signs), rows, cols)).toBe(same);
    },
  );

  it("NaN: not counted in histograms, wins column maxima, poisons sums", () => {
    const t = tensor(b, [1, NaN, -1, 0.5]);
    const out = b.alloc(2),
      hist = b.alloc(4);
    b.fill(hist, 0);
    b.histogram(t, -1, 1, 2, hist);
    expect([...b.read(hist)]).toEqual([0, 1, 1, 1]);
    b.columnMax(t, 2, 2, out, false);
    expect(Number.isNaN(b.read(out)[1]!)).toBe(true);
    expect(b.read(out)[0]).toBe(1);
    expect(Number.isNaN(b.sum(t))).toBe(true);
  });
});

it("statistics: wasm and js agree on random shapes (property)", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer(), (rows, cols, seed) => {
      const x = randomArray(rows * cols, seed, -4, 4);
      const [a, c] = [wasm, js].map((b) => {
        const t = tensor(b, x),
          out = b.alloc(cols),
          hist = b.alloc(12),
          squares = b.alloc(cols);
        b.columnSumSquares(t, squares, rows, cols);
        b.columnMax(t, rows, cols, out, false);
        b.fill(hist, 0);
        b.histogram(t, -3, 3, 10, hist);
        return [
          b.countAbsAbove(t, 2),
          b.countBelow(t, 0.5),
          ...b.read(out),
          ...b.read(hist),
          ...b.columnHashes(t, rows, cols),
          b.countSameSignColumns(t, rows, cols),
          ...b.read(squares),
        ];
      });
      expect(a).toEqual(c);
    }),
    { numRuns: 60, seed: 21 },
  );
});
