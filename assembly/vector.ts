// Whole-buffer vector kernels: fill and scale.
// Every loop over a tensor, here and in the other kernels, counts down the vectors it has
// left or compares an offset with a size, never an address with an end address: a tensor
// may end at 2^32, where p + 4n wraps to 0. The cheapest loops take two vectors a trip, so
// the counter costs no more than the old end-address compare did.

/** p[0..n) = value. */
export function fill(p: usize, n: i32, value: f32): void {
  const v = f32x4.splat(value);
  for (let pairs = n >> 3; pairs > 0; pairs--, p += 32) {
    v128.store(p, v);
    v128.store(p, v, 16);
  }
  if (n & 4) {
    v128.store(p, v);
    p += 16;
  }
  for (let i = 0; i < (n & 3); i++) store<f32>(p + (<usize>i << 2), value);
}

/** p[0..n) *= s. */
export function scale(p: usize, n: i32, s: f32): void {
  const v = f32x4.splat(s);
  for (let pairs = n >> 3; pairs > 0; pairs--, p += 32) {
    const a = f32x4.mul(v128.load(p), v);
    const b = f32x4.mul(v128.load(p, 16), v);
    v128.store(p, a);
    v128.store(p, b, 16);
  }
  if (n & 4) {
    v128.store(p, f32x4.mul(v128.load(p), v));
    p += 16;
  }
  for (let i = 0; i < (n & 3); i++) {
    const q = p + (<usize>i << 2);
    store<f32>(q, load<f32>(q) * s);
  }
}

/** dst[0..n) = src[0..n) (disjoint). Vector moves: V8 calls out of wasm for memory.copy. */
export function copy(src: usize, dst: usize, n: i32): void {
  for (let pairs = n >> 3; pairs > 0; pairs--, src += 32, dst += 32) {
    const a = v128.load(src);
    const b = v128.load(src, 16);
    v128.store(dst, a);
    v128.store(dst, b, 16);
  }
  if (n & 4) {
    v128.store(dst, v128.load(src));
    src += 16;
    dst += 16;
  }
  for (let i = 0; i < (n & 3); i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
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
  for (let left = n >> 2; left > 0; left--, p += 16) {
    const v = v128.load(p);
    const a = f64x2.promote_low_f32x4(v);
    const b = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3));
    lo = f64x2.add(lo, f64x2.mul(a, a));
    hi = f64x2.add(hi, f64x2.mul(b, b));
  }
  let sum = f64x2.extract_lane(lo, 0) + f64x2.extract_lane(hi, 0) + f64x2.extract_lane(lo, 1) + f64x2.extract_lane(hi,
      1);
  for (let i = 0; i < (n & 3); i++) {
    const x = <f64>load<f32>(p + (<usize>i << 2));
    sum += x * x;
  }
  return sum;
}

// Lanes of v that are NaN or infinite: x - x is 0 for every finite x and NaN otherwise.
// @ts-ignore: decorator
@inline function nonFinite(v: v128): i32 {
  const d = f32x4.sub(v, v);
  return <i32>popcnt(i32x4.bitmask(f32x4.ne(d, d)));
}

/** How many elements are NaN or infinite. */
export function countNonFinite(p: usize, n: i32): i32 {
  let count = 0;
  for (let pairs = n >> 3; pairs > 0; pairs--, p += 32) count += nonFinite(v128.load(p)) + nonFinite(v128.load(p, 16));
  if (n & 4) {
    count += nonFinite(v128.load(p));
    p += 16;
  }
  for (let i = 0; i < (n & 3); i++) {
    const x = load<f32>(p + (<usize>i << 2));
    if (x - x != 0) count++; // NaN != 0 holds too
  }
  return count;
}
