// A dense layer for a few rows: y = x W + bias, with W (k x n, row-major) read where it lies.
// Each row of y is a sum of rows of W scaled by the broadcast inputs, so nothing is packed:
// at one row, sgemm would copy all of W into its panels to use each weight once.
//
// The sums run exactly as sgemm's do (depth blocks of KC, each summed in order from zero,
// then added to the blocks before it, then the bias added), so the result is bit for bit
// sgemm(x, W) followed by addBias.
import { KC } from "./matmul";

export function matvec(m: i32, n: i32, k: i32, x: usize, w: usize, bias: usize, y: usize): void {
  const rowBytes = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const xRow = x + <usize>i * <usize>k * 4;
    const yRow = y + <usize>i * rowBytes;
    // k == 0 still takes one (empty) block: y = 0 + bias, as sgemm then addBias give.
    let pc = 0;
    do {
      const kc = min(KC, k - pc);
      const first = pc == 0, last = k - pc <= KC;
      const xp = xRow + <usize>pc * 4;
      const wp = w + <usize>pc * rowBytes;
      let j = 0;
      for (; n - j >= 32; j += 32) strip32(kc, xp, wp + <usize>j * 4, rowBytes, yRow + <usize>j * 4, bias +
          <usize>j * 4, first, last);
      for (; n - j >= 8; j += 8) strip8(kc, xp, wp + <usize>j * 4, rowBytes, yRow + <usize>j * 4, bias + <usize>j * 4,
          first, last);
      for (; j < n; j++) strip1(kc, xp, wp + <usize>j * 4, rowBytes, yRow + <usize>j * 4, bias + <usize>j * 4, first,
          last);
      pc += KC;
    } while (pc < k);
  }
}

// Eight f32x4 accumulators: enough independent add chains to keep the adders busy on one row.
// @ts-ignore: decorator
@inline function strip32(kc: i32, xp: usize, wp: usize, rowBytes: usize, yp: usize, bp: usize, first: bool,
    last: bool): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const s = v128.load32_splat(xp);
    a0 = f32x4.add(a0, f32x4.mul(s, v128.load(wp)));
    a1 = f32x4.add(a1, f32x4.mul(s, v128.load(wp, 16)));
    a2 = f32x4.add(a2, f32x4.mul(s, v128.load(wp, 32)));
    a3 = f32x4.add(a3, f32x4.mul(s, v128.load(wp, 48)));
    a4 = f32x4.add(a4, f32x4.mul(s, v128.load(wp, 64)));
    a5 = f32x4.add(a5, f32x4.mul(s, v128.load(wp, 80)));
    a6 = f32x4.add(a6, f32x4.mul(s, v128.load(wp, 96)));
    a7 = f32x4.add(a7, f32x4.mul(s, v128.load(wp, 112)));
    xp += 4;
    wp += rowBytes;
  }
  merge(yp, bp, a0, first, last);
  merge(yp + 16, bp + 16, a1, first, last);
  merge(yp + 32, bp + 32, a2, first, last);
  merge(yp + 48, bp + 48, a3, first, last);
  merge(yp + 64, bp + 64, a4, first, last);
  merge(yp + 80, bp + 80, a5, first, last);
  merge(yp + 96, bp + 96, a6, first, last);
  merge(yp + 112, bp + 112, a7, first, last);
}

// @ts-ignore: decorator
@inline function strip8(kc: i32, xp: usize, wp: usize, rowBytes: usize, yp: usize, bp: usize, first: bool,
    last: bool): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const s = v128.load32_splat(xp);
    a0 = f32x4.add(a0, f32x4.mul(s, v128.load(wp)));
    a1 = f32x4.add(a1, f32x4.mul(s, v128.load(wp, 16)));
    xp += 4;
    wp += rowBytes;
  }
  merge(yp, bp, a0, first, last);
  merge(yp + 16, bp + 16, a1, first, last);
}

// @ts-ignore: decorator
@inline function strip1(kc: i32, xp: usize, wp: usize, rowBytes: usize, yp: usize, bp: usize, first: bool,
    last: bool): void {
  let a: f32 = 0;
  for (let p = 0; p < kc; p++) {
    a += load<f32>(xp) * load<f32>(wp);
    xp += 4;
    wp += rowBytes;
  }
  if (!first) a += load<f32>(yp);
  if (last) a += load<f32>(bp);
  store<f32>(yp, a);
}

// A depth block's sums into y: the first block writes, later ones add to it, the last adds the bias.
// @ts-ignore: decorator
@inline function merge(yp: usize, bp: usize, acc: v128, first: bool, last: bool): void {
  let v = first ? acc : f32x4.add(acc, v128.load(yp));
  if (last) v = f32x4.add(v, v128.load(bp));
  v128.store(yp, v);
}
