// Reductions behind the diagnostics: sums, counts over thresholds, per-column maxima,
// histograms, per-column hashes (to find identical units) and sign agreement (the article's
// quadrant effect). Counts and sums return scalars; per-column results go to `out`.
import { loadPartial } from "./math";

/** Sum of the elements in float64 (two f64x2 accumulators). */
export function sum(p: usize, n: i32): f64 {
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  for (let left = n >> 2; left > 0; left--, p += 16) {
    const v = v128.load(p);
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)));
  }
  let s = f64x2.extract_lane(lo, 0) + f64x2.extract_lane(hi, 0) + f64x2.extract_lane(lo, 1) + f64x2.extract_lane(hi, 1);
  for (let i = 0; i < (n & 3); i++) s += <f64>load<f32>(p + (<usize>i << 2));
  return s;
}

// Set lanes of a comparison mask.
// @ts-ignore: decorator
@inline function lanes(mask: v128): i32 { return <i32>popcnt(i32x4.bitmask(mask)); }

/** Elements with |x| > t (saturated logistic or tanh units, given the z where f' = threshold). */
export function countAbsAbove(p: usize, n: i32, t: f32): i32 {
  const vt = f32x4.splat(t);
  let count = 0;
  for (let pairs = n >> 3; pairs > 0; pairs--, p += 32) count += lanes(f32x4.gt(f32x4.abs(v128.load(p)), vt)) +
      lanes(f32x4.gt(f32x4.abs(v128.load(p, 16)), vt));
  if (n & 4) {
    count += lanes(f32x4.gt(f32x4.abs(v128.load(p)), vt));
    p += 16;
  }
  for (let i = 0; i < (n & 3); i++) if (abs(load<f32>(p + (<usize>i << 2))) > t) count++;
  return count;
}

/** Elements with x < t (leaky ReLU's negative region, with t = 0). */
export function countBelow(p: usize, n: i32, t: f32): i32 {
  const vt = f32x4.splat(t);
  let count = 0;
  for (let pairs = n >> 3; pairs > 0; pairs--, p += 32) count += lanes(f32x4.lt(v128.load(p), vt)) +
      lanes(f32x4.lt(v128.load(p, 16), vt));
  if (n & 4) {
    count += lanes(f32x4.lt(v128.load(p), vt));
    p += 16;
  }
  for (let i = 0; i < (n & 3); i++) if (load<f32>(p + (<usize>i << 2)) < t) count++;
  return count;
}

/** out[j] = max over rows of x[i, j], folded into out[j] when `accumulate` (a ReLU unit is
 *  dead on the samples seen when its maximum pre-activation is <= 0). NaN wins. */
export function columnMax(x: usize, rows: i32, cols: i32, out: usize, accumulate: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let j = 0; j < cols; j += 4) {
    const count = min(4, cols - j);
    const o = <usize>j << 2;
    let m = accumulate ? loadPartial(out + o, count, -Infinity) : f32x4.splat(-Infinity);
    for (let r = 0; r < rows; r++) {
      const v = loadPartial(x + <usize>r * rowBytes + o, count, -Infinity);
      // max that keeps NaN: a NaN unit must not look dead or alive by accident
      m = v128.bitselect(v, f32x4.pmax(m, v), f32x4.ne(v, v));
    }
    store<f32>(out + o, f32x4.extract_lane(m, 0));
    if (count > 1) store<f32>(out + o, f32x4.extract_lane(m, 1), 4);
    if (count > 2) store<f32>(out + o, f32x4.extract_lane(m, 2), 8);
    if (count > 3) store<f32>(out + o, f32x4.extract_lane(m, 3), 12);
  }
}

/** Adds the counts of x into out: out[0] below lo, out[1 + b] for bin b of `bins` equal bins
 *  over [lo, hi), out[bins + 1] at or above hi. NaN is not counted. */
export function histogram(p: usize, n: i32, lo: f32, hi: f32, bins: i32, out: usize): void {
  const scale = <f32>bins / (hi - lo);
  for (let i = 0; i < n; i++) {
    const v = load<f32>(p + (<usize>i << 2));
    if (isNaN(v)) continue;
    let slot: i32;
    if (v < lo) slot = 0;
    else if (v >= hi) slot = bins + 1;
    else slot = 1 + min(bins - 1, <i32>((v - lo) * scale));
    const q = out + (<usize>slot << 2);
    store<f32>(q, load<f32>(q) + 1);
  }
}

/** out[j] = FNV-1a hash of the bits of column j (stored as u32): equal columns, equal hashes. */
export function columnHash(x: usize, rows: i32, cols: i32, out: usize): void {
  for (let j = 0; j < cols; j++) {
    let h: u32 = 2166136261;
    for (let r = 0; r < rows; r++) {
      // -0 and 0 are the same weight
      const bits = load<u32>(x + ((<usize>r * cols + j) << 2)) & (load<f32>(x + ((<usize>r * cols + j) << 2)) == 0 ?
          0 : 0xffffffff);
      h = (h ^ bits) * 16777619;
    }
    store<u32>(out + (<usize>j << 2), h);
  }
}

/** Columns whose nonzero entries all share one sign (and have at least one): for a kernel
 *  gradient, the units whose incoming-weight gradients point into one quadrant. */
export function countSameSignColumns(x: usize, rows: i32, cols: i32): i32 {
  let count = 0;
  for (let j = 0; j < cols; j++) {
    let pos = 0, neg = 0;
    for (let r = 0; r < rows; r++) {
      const v = load<f32>(x + ((<usize>r * cols + j) << 2));
      if (v > 0) pos++;
      else if (v < 0) neg++;
    }
    if ((pos == 0) != (neg == 0)) count++;
  }
  return count;
}

/** sum (a - b)^2 in float64: the size of an update, from the weights before and after. */
export function sumSquaredDiff(a: usize, b: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const d = <f64>load<f32>(a + (<usize>i << 2)) - <f64>load<f32>(b + (<usize>i << 2));
    s += d * d;
  }
  return s;
}

/** out[j] = sum over rows of x[i, j]^2 (with bias.ts' sumRows, the input check's column moments). */
export function columnSumSquares(x: usize, rows: i32, cols: i32, out: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let j = 0; j < cols; j += 4) {
    const count = min(4, cols - j);
    const o = <usize>j << 2;
    let acc = f32x4.splat(0);
    for (let r = 0; r < rows; r++) {
      const v = loadPartial(x + <usize>r * rowBytes + o, count, 0);
      acc = f32x4.add(acc, f32x4.mul(v, v));
    }
    store<f32>(out + o, f32x4.extract_lane(acc, 0));
    if (count > 1) store<f32>(out + o, f32x4.extract_lane(acc, 1), 4);
    if (count > 2) store<f32>(out + o, f32x4.extract_lane(acc, 2), 8);
    if (count > 3) store<f32>(out + o, f32x4.extract_lane(acc, 3), 12);
  }
}
