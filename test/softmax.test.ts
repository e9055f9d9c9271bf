// The row-wise softmax and log-softmax kernels (assembly/softmax.ts): the wasm kernel against
// its JS twin on the edge-size grid (rows around the four handled at once, columns around the
// vector width and the narrow-row limit), float64 references and central differences.
import { describe, expect, it } from "vitest";
import { COLUMN_SIZES, ROW_SIZES } from "./edge-sizes.js";
import { randomArray, tensor, wasm, js } from "./helpers.js";

describe("softmax by row", () => {
  it.each(COLUMN_SIZES)("matches the pure-JS path and sums to 1, %i columns, every row count of the grid", (cols) => {
    for (const rows of ROW_SIZES) {
      const x = randomArray(rows * cols, cols + 100 * rows, -20, 20);
      const [a, b] = [wasm, js].map((backend) => {
        const t = tensor(backend, x);
        backend.softmax(t, t, rows, cols);
        return backend.read(t);
      });
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let j = 0; j < cols; j++) {
          s += a![r * cols + j]!;
          expect(Math.abs(a![r * cols + j]! - b![r * cols + j]!)).toBeLessThan(1e-6);
        }
        expect(s).toBeCloseTo(1, 5);
      }
    }
  });

  it.each(COLUMN_SIZES)(
    "backward matches the pure-JS path, narrow (four rows per pass) and wide rows, %i columns",
    (cols) => {
      for (const rows of ROW_SIZES) {
        const y = randomArray(rows * cols, cols, 0, 1),
          dy = randomArray(rows * cols, cols + 1);
        const [a, b] = [wasm, js].map((backend) => {
          const ty = tensor(backend, y),
            tdy = tensor(backend, dy);
          backend.softmaxGrad(ty, tdy, tdy, rows, cols);
          return backend.read(tdy);
        });
        for (let i = 0; i < rows * cols; i++)
          expect(Math.abs(a![i]! - b![i]!), `${rows}x${cols} at ${i}`).toBeLessThan(1e-5);
      }
    },
  );

  it("a NaN poisons its own row only, narrow and wide", () => {
    for (const cols of [10, 40]) {
      const rows = 6,
        x = randomArray(rows * cols, 3);
      x[2 * cols + 1] = NaN;
      const t = tensor(wasm, x);
      wasm.softmax(t, t, rows, cols);
      const y = wasm.read(t);
      for (let r = 0; r < rows; r++) {
        const row = Array.from(y.subarray(r * cols, (r + 1) * cols));
        expect(row.every(Number.isNaN), `row ${r}`).toBe(r === 2);
      }
    }
  });

  it("is shift-invariant and does not overflow on large logits", () => {
    const t = tensor(wasm, [1000, 1001, 1002]);
    wasm.softmax(t, t, 1, 3);
    const y = wasm.read(t);
    const e = [Math.exp(-2), Math.exp(-1), 1],
      s = e[0]! + e[1]! + e[2]!;
    for (let i = 0; i < 3; i++) expect(y[i]).toBeCloseTo(e[i]! / s, 6);
  });

  it("backward equals the Jacobian-vector product by float64 central differences", () => {
    const cols = 6,
      x = Array.from(randomArray(cols, 5, -3, 3)),
      dy = Array.from(randomArray(cols, 6));
    const soft = (v: number[]): number[] => {
      const m = Math.max(...v);
      const e = v.map((q) => Math.exp(q - m));
      const s = e.reduce((p, q) => p + q);
      return e.map((q) => q / s);
    };
    const loss = (v: number[]): number => soft(v).reduce((acc, y, j) => acc + y * dy[j]!, 0);
    for (const backend of [wasm, js]) {
      const ty = tensor(backend, soft(x)),
        tdy = tensor(backend, dy),
        tdx = backend.alloc(cols);
      backend.softmaxGrad(ty, tdy, tdx, 1, cols);
      const dx = backend.read(tdx);
      for (let j = 0; j < cols; j++) {
        const h = 1e-6,
          up = x.slice(),
          dn = x.slice();
        up[j]! += h;
        dn[j]! -= h;
        expect(Math.abs(dx[j]! - (loss(up) - loss(dn)) / (2 * h))).toBeLessThan(1e-6);
      }
    }
  });
});

describe("log-softmax by row (an output layer's, as PyTorch's nn.LogSoftmax)", () => {
  const logSoftmax64 = (row: number[]): number[] => {
    const m = Math.max(...row),
      lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    return row.map((v) => v - lse);
  };

  it.each(COLUMN_SIZES)(
    "matches float64 and the pure-JS path, and e^y sums to 1, %i columns, every row count of the grid",
    (cols) => {
      for (const rows of ROW_SIZES) {
        const x = randomArray(rows * cols, 40 + cols + 100 * rows, -30, 30);
        const [a, b] = [wasm, js].map((backend) => {
          const tx = tensor(backend, x),
            ty = backend.alloc(rows * cols);
          backend.logSoftmax(tx, ty, rows, cols);
          return backend.read(ty);
        });
        for (let r = 0; r < rows; r++) {
          const want = logSoftmax64(Array.from(x.subarray(r * cols, (r + 1) * cols)));
          let s = 0;
          for (let j = 0; j < cols; j++) {
            const i = r * cols + j;
            expect(Math.abs(a![i]! - want[j]!), `${cols} cols at ${i}`).toBeLessThanOrEqual(
              1e-6 * Math.max(1, Math.abs(want[j]!)),
            );
            expect(Math.abs(a![i]! - b![i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want[j]!)));
            s += Math.exp(a![i]!);
          }
          expect(s).toBeCloseTo(1, 5);
        }
      }
    },
  );

  it("stays finite where softmax underflows: large and far-apart logits, in place", () => {
    const t = tensor(wasm, [1000, 0, -1000, 3e38]);
    wasm.logSoftmax(t, t, 1, 4);
    expect(Array.from(wasm.read(t))).toEqual([
      Math.fround(1000 - 3e38),
      Math.fround(-3e38),
      Math.fround(-1000 - 3e38),
      0,
    ]);
    const u = tensor(wasm, [1000, 1001, 1002]);
    wasm.logSoftmax(u, u, 1, 3);
    const lse = 1002 + Math.log(Math.exp(-2) + Math.exp(-1) + 1);
    wasm.read(u).forEach((v, j) => expect(v).toBeCloseTo(1000 + j - lse, 4));
  });

  it("backward matches the pure-JS path and equals the Jacobian-vector product by float64 central differences", () => {
    for (const cols of COLUMN_SIZES) {
      const x = Array.from(randomArray(cols, 50 + cols, -3, 3)),
        dy = Array.from(randomArray(cols, 60 + cols));
      const loss = (v: number[]): number => logSoftmax64(v).reduce((acc, y, j) => acc + y * dy[j]!, 0);
      const [a, b] = [wasm, js].map((backend) => {
        const ty = tensor(backend, logSoftmax64(x)),
          tdy = tensor(backend, dy),
          tdx = backend.alloc(cols);
        backend.logSoftmaxGrad(ty, tdy, tdx, 1, cols);
        return backend.read(tdx);
      });
      for (let j = 0; j < cols; j++) {
        const h = 1e-6,
          up = x.slice(),
          dn = x.slice();
        up[j]! += h;
        dn[j]! -= h;
        expect(Math.abs(a![j]! - (loss(up) - loss(dn)) / (2 * h)), `${cols} cols at ${j}`).toBeLessThan(1e-5);
        expect(Math.abs(a![j]! - b![j]!)).toBeLessThan(1e-6);
      }
    }
  });
});
