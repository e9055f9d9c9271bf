// Keras' L1L2 weight regularizer over one kernel or bias: the penalty l1 sum|w| + l2 sum w^2
// (keras.regularizers.L1L2.__call__) and, when grad is not 0, its gradient
// l1 sign(w) + 2 l2 w added to the loss gradient in place (sign(0) = 0, as TensorFlow's).
// The gradient is float32 lane arithmetic in a fixed order (the JS twin repeats it bit for
// bit); the penalty sums |w| and w^2 in float64, in two pairs of lanes like sumSquares.

// The tail goes through the same vector code on one lane, as in optimizers.ts.
// @ts-ignore: decorator
@inline function load4(p: usize, tail: bool): v128 { return tail ? v128.load32_zero(p) : v128.load(p); }

/** Returns l1 sum|w| + l2 sum w^2 over w[0..n); grad[0..n) += l1 sign(w) + 2 l2 w unless grad is 0. */
export function regularize(w: usize, grad: usize, n: i32, l1: f64, l2: f64): f64 {
  const vl1 = f32x4.splat(<f32>l1), v2l2 = f32x4.splat(<f32>l2 * 2), zero = f32x4.splat(0), one = f32x4.splat(1);
  let absLo = f64x2.splat(0), absHi = f64x2.splat(0), sqLo = f64x2.splat(0), sqHi = f64x2.splat(0);
  const full = n & ~3;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const tail = i >= full;
    const wi = load4(w + o, tail);
    const lo = f64x2.promote_low_f32x4(wi), hi = f64x2.promote_low_f32x4(i32x4.shuffle(wi, wi, 2, 3, 2, 3));
    absLo = f64x2.add(absLo, f64x2.abs(lo));
    absHi = f64x2.add(absHi, f64x2.abs(hi));
    sqLo = f64x2.add(sqLo, f64x2.mul(lo, lo));
    sqHi = f64x2.add(sqHi, f64x2.mul(hi, hi));
    if (grad) {
      const sign = f32x4.sub(v128.and(f32x4.gt(wi, zero), one), v128.and(f32x4.lt(wi, zero), one));
      const g = f32x4.add(load4(grad + o, tail), f32x4.add(f32x4.mul(vl1, sign), f32x4.mul(v2l2, wi)));
      if (tail) v128.store32_lane(grad + o, g, 0); else v128.store(grad + o, g);
    }
    if (tail) i -= 3;
  }
  const abs = f64x2.extract_lane(absLo, 0) + f64x2.extract_lane(absHi, 0) + f64x2.extract_lane(absLo, 1) +
      f64x2.extract_lane(absHi, 1);
  const sq = f64x2.extract_lane(sqLo, 0) + f64x2.extract_lane(sqHi, 0) + f64x2.extract_lane(sqLo, 1) +
      f64x2.extract_lane(sqHi, 1);
  return l1 * abs + l2 * sq;
}
