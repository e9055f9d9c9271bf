// The vector kernels (assembly/vector.ts): fill, scale, copy, gatherRows, sumSquares and
// countNonFinite, the wasm kernel against its JS twin on the edge-size grid.
import { describe, expect, it } from "vitest";
import { ELEMENTWISE_SIZES } from "./edge-sizes.js";
import { bitsOf, js, randomArray, tensor, wasm } from "./helpers.js";

describe("vector kernels", () => {
  it.each(ELEMENTWISE_SIZES)("fill and scale give the same bits on both backends, %i floats", (n) => {
    const [a, b] = [wasm, js].map((backend) => {
      const filled = backend.alloc(n),
        scaled = tensor(backend, randomArray(n, n));
      backend.fill(filled, 0.3);
      backend.scale(scaled, -1.7);
      return [backend.read(filled), backend.read(scaled)];
    });
    expect(bitsOf(a![0]!)).toEqual(bitsOf(new Float32Array(n).fill(0.3)));
    expect(bitsOf(a![0]!)).toEqual(bitsOf(b![0]!));
    expect(bitsOf(a![1]!)).toEqual(bitsOf(b![1]!));
    expect(a![1]![n - 1]).toBe(Math.fround(randomArray(n, n)[n - 1]! * Math.fround(-1.7)));
  });

  it.each(ELEMENTWISE_SIZES)("copy, gatherRows, sumSquares and countNonFinite, %i", (n) => {
    const sums: number[] = [];
    for (const backend of [wasm, js]) {
      const x = randomArray(n, n);
      const src = tensor(backend, x),
        dst = backend.alloc(n);
      backend.copy(src, dst);
      expect(bitsOf(backend.read(dst))).toEqual(bitsOf(x));
      let want = 0;
      for (const v of x) want += v * v;
      sums.push(backend.sumSquares(src));
      expect(backend.sumSquares(src)).toBeCloseTo(want, 10);
      expect(backend.countNonFinite(src)).toBe(0);
      const bad = x.slice();
      bad[n - 1] = NaN;
      if (n > 2) {
        bad[0] = Infinity;
        bad[1] = -Infinity;
      }
      const tb = tensor(backend, bad);
      expect(backend.countNonFinite(tb)).toBe(n > 2 ? 3 : 1);
      expect(Number.isFinite(backend.sumSquares(tb))).toBe(false);

      const cols = 3,
        rows = n,
        order = Array.from({ length: rows }, (_, i) => (i * 7 + 3) % rows);
      const m = randomArray(rows * cols, n + 9),
        out = backend.alloc(rows * cols);
      backend.gatherRows(tensor(backend, m), tensor(backend, order), out, rows, cols);
      const got = backend.read(out);
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) expect(got[i * cols + j]).toBe(m[order[i]! * cols + j]);
    }
    // float64 sums of the same float32 squares, reordered by the lanes: equal to rounding.
    expect(sums[0]).toBeCloseTo(sums[1]!, 12);
  });

  it.each(ELEMENTWISE_SIZES)("countNonFinite finds one bad value wherever it sits, %i floats", (n) => {
    for (const at of new Set([0, n >> 1, n - 1])) {
      const x = randomArray(n, at);
      x[at] = -Infinity;
      expect(wasm.countNonFinite(tensor(wasm, x))).toBe(1);
      expect(js.countNonFinite(tensor(js, x))).toBe(1);
    }
  });
});
