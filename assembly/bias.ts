// Bias kernels of a dense layer: broadcast a row vector over a batch, and its gradient.
import { loadPartial, storePartial } from "./math";

/** x[i, :] += bias for every row of the rows x cols matrix x. */
export function addBias(x: usize, bias: usize, rows: i32, cols: i32): void {
  const full = <usize>(cols & ~3) << 2;
  const rest = cols & 3;
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const row = x + <usize>r * rowBytes;
    for (let j: usize = 0; j < full; j += 16) {
      v128.store(row + j, f32x4.add(v128.load(row + j), v128.load(bias + j)));
    }
    if (rest) storePartial(row + full, f32x4.add(loadPartial(row + full, rest, 0), loadPartial(bias + full, rest, 0)),
        rest);
  }
}

/** out[j] = sum over rows of x[i, j] (the bias gradient of a batch). Sums run down each
 *  column in row order, four columns per vector, so the order is fixed for every size. */
export function sumRows(x: usize, out: usize, rows: i32, cols: i32): void {
  const full = <usize>(cols & ~3) << 2;
  const rest = cols & 3;
  const rowBytes = <usize>cols << 2;
  for (let j: usize = 0; j < full; j += 16) {
    let acc = f32x4.splat(0);
    for (let r = 0; r < rows; r++) acc = f32x4.add(acc, v128.load(x + <usize>r * rowBytes + j));
    v128.store(out + j, acc);
  }
  if (rest) {
    let acc = f32x4.splat(0);
    for (let r = 0; r < rows; r++) acc = f32x4.add(acc, loadPartial(x + <usize>r * rowBytes + full, rest, 0));
    storePartial(out + full, acc, rest);
  }
}
