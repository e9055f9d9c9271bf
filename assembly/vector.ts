// Whole-buffer vector kernels: fill and scale.
// Loops here and in every kernel run on byte offsets from the start of a tensor and compare
// them with its size, never with an end address: a tensor may end at 2^32, where p + 4n
// wraps to 0.

/** p[0..n) = value. */
export function fill(p: usize, n: i32, value: f32): void {
  const v = f32x4.splat(value);
  const full = <usize>(n & ~3) << 2;
  for (let o: usize = 0; o < full; o += 16) v128.store(p + o, v);
  for (let i = 0; i < (n & 3); i++) store<f32>(p + full + (<usize>i << 2), value);
}

/** p[0..n) *= s. */
export function scale(p: usize, n: i32, s: f32): void {
  const v = f32x4.splat(s);
  const full = <usize>(n & ~3) << 2;
  for (let o: usize = 0; o < full; o += 16) v128.store(p + o, f32x4.mul(v128.load(p + o), v));
  for (let i = 0; i < (n & 3); i++) {
    const q = p + full + (<usize>i << 2);
    store<f32>(q, load<f32>(q) * s);
  }
}

/** dst[0..n) = src[0..n) (disjoint). Vector moves: V8 calls out of wasm for memory.copy. */
export function copy(src: usize, dst: usize, n: i32): void {
  const full = <usize>(n & ~3) << 2;
  for (let o: usize = 0; o < full; o += 16) v128.store(dst + o, v128.load(src + o));
  for (let i = 0; i < (n & 3); i++) store<f32>(dst + full + (<usize>i << 2), load<f32>(src + full + (<usize>i << 2)));
}

/** dst row i = src row index[i], for count rows of cols floats. The indices are stored as
 *  floats (exact below 2^24), so a batch's order lives in an ordinary tensor. */
export function gatherRows(src: usize, index: usize, dst: usize, count: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let i = 0; i < count; i++) {
    const row = <usize>(<i32>load<f32>(index + (<usize>i << 2)));
    copy(src + row * rowBytes, dst + <usize>i * rowBytes, cols);
  }
}

/** Sum of squares, accumulated in float64 (two f64x2 sums) so a long vector's norm keeps
 *  its precision; +inf or NaN if any element is not finite. */
export function sumSquares(p: usize, n: i32): f64 {
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  const full = <usize>(n & ~3) << 2;
  for (let o: usize = 0; o < full; o += 16) {
    const v = v128.load(p + o);
    const a = f64x2.promote_low_f32x4(v);
    const b = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3));
    lo = f64x2.add(lo, f64x2.mul(a, a));
    hi = f64x2.add(hi, f64x2.mul(b, b));
  }
  let sum = f64x2.extract_lane(lo, 0) + f64x2.extract_lane(hi, 0) + f64x2.extract_lane(lo, 1) + f64x2.extract_lane(hi, 1);
  for (let i = 0; i < (n & 3); i++) {
    const x = <f64>load<f32>(p + full + (<usize>i << 2));
    sum += x * x;
  }
  return sum;
}

/** How many elements are NaN or infinite: x - x is 0 for every finite x and NaN otherwise. */
export function countNonFinite(p: usize, n: i32): i32 {
  let count = 0;
  const full = <usize>(n & ~3) << 2;
  for (let o: usize = 0; o < full; o += 16) {
    const v = v128.load(p + o);
    const d = f32x4.sub(v, v);
    count += <i32>popcnt(i32x4.bitmask(f32x4.ne(d, d)));
  }
  for (let i = 0; i < (n & 3); i++) {
    const x = load<f32>(p + full + (<usize>i << 2));
    if (x - x != 0) count++; // NaN != 0 holds too
  }
  return count;
}
