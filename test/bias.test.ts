import { describe, expect, it } from "vitest";
import { js, randomArray, tensor, wasm } from "./helpers.js";
import { COLUMN_SIZES, ROW_SIZES } from "./edge-sizes.js";

describe("bias kernels", () => {
  const shapes = [
    ...ROW_SIZES.flatMap((rows) => COLUMN_SIZES.map((cols) => [rows, cols] as const)),
    [64, 65],
    [5, 1030],
  ] as const;
  for (const [rows, cols] of shapes) {
    it(`${rows}x${cols}: addBias and sumRows match float64`, () => {
      const x = randomArray(rows * cols, rows * 100 + cols),
        bias = randomArray(cols, cols);
      for (const backend of [wasm, js]) {
        const tx = tensor(backend, x),
          tb = tensor(backend, bias),
          out = backend.alloc(cols);
        backend.addBias(tx, tb, rows, cols);
        const y = backend.read(tx);
        for (let i = 0; i < rows * cols; i++) expect(y[i]).toBe(Math.fround(x[i]! + bias[i % cols]!));
        backend.sumRows(tx, out, rows, cols);
        const s = backend.read(out);
        for (let j = 0; j < cols; j++) {
          let want = 0,
            abs = 0;
          for (let r = 0; r < rows; r++) {
            want += y[r * cols + j]!;
            abs += Math.abs(y[r * cols + j]!);
          }
          expect(Math.abs(s[j]! - want)).toBeLessThanOrEqual(rows * 1.2e-7 * abs + 1e-30);
        }
      }
    });
  }
});
