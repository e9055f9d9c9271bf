// SIMD elementary functions on f32x4, shared by activations and random sampling.
// Polynomials and range reductions follow Cephes (S. L. Moshier, cephes/single: expf,
// logf, tanhf, sinf, cosf); error bounds are measured against float64 in test/math.
// Everything is branch-free: special cases are selected with lane masks.

export const ZERO: v128 = f32x4.splat(0);
export const ONE: v128 = f32x4.splat(1);

// @ts-ignore: decorator
@inline export function fma(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c); // a*b + c, two roundings (no FMA in base wasm SIMD)
}

// @ts-ignore: decorator
@inline export function select(mask: v128, ifTrue: v128, ifFalse: v128): v128 {
  return v128.bitselect(ifTrue, ifFalse, mask);
}

// @ts-ignore: decorator
@inline export function copySign(magnitude: v128, sign: v128): v128 {
  return v128.bitselect(sign, magnitude, i32x4.splat(0x80000000));
}

/** e^x. Cephes expf reduction x = n ln2 + r with ln2 split in two, degree-6 polynomial
 *  for e^r, and 2^n applied in two halves so results from 2^-150 to 2^128 (overflow to
 *  +inf, underflow through the subnormals to 0) need no special cases. NaN stays NaN. */
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  const xc = f32x4.max(f32x4.min(x, f32x4.splat(88.8)), f32x4.splat(-104.0));
  const fx = f32x4.nearest(f32x4.mul(xc, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(xc, f32x4.mul(fx, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  let p = fma(f32x4.splat(1.9875691500e-4), r, f32x4.splat(1.3981999507e-3));
  p = fma(p, r, f32x4.splat(8.3334519073e-3));
  p = fma(p, r, f32x4.splat(4.1665795894e-2));
  p = fma(p, r, f32x4.splat(1.6666665459e-1));
  p = fma(p, r, f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(fma(f32x4.mul(p, r), r, r), ONE);
  const n = i32x4.trunc_sat_f32x4_s(fx);
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

/** e^x - 1 without cancellation near 0: Taylor series to x^9 for |x| < 0.5
 *  (truncation below 3e-10 relative), e^x - 1 beyond. */
// @ts-ignore: decorator
@inline export function expm14(x: v128): v128 {
  let p = fma(x, f32x4.splat(2.7557319e-6), f32x4.splat(2.4801587e-5)); // 1/9!, 1/8!
  p = fma(p, x, f32x4.splat(1.9841270e-4)); // 1/7!
  p = fma(p, x, f32x4.splat(1.3888889e-3)); // 1/6!
  p = fma(p, x, f32x4.splat(8.3333333e-3)); // 1/5!
  p = fma(p, x, f32x4.splat(4.1666667e-2)); // 1/4!
  p = fma(p, x, f32x4.splat(1.6666667e-1)); // 1/3!
  p = fma(p, x, f32x4.splat(0.5));
  const small = fma(f32x4.mul(p, x), x, x);
  const large = f32x4.sub(exp4(x), ONE);
  return select(f32x4.lt(f32x4.abs(x), f32x4.splat(0.5)), small, large);
}

/** Natural log for x > 0 (Cephes logf): x = m 2^e with m in [sqrt(1/2), sqrt(2)),
 *  degree-9 polynomial in m - 1. 0 gives -inf, negatives and NaN give NaN, +inf gives +inf.
 *  Subnormal inputs are not supported (callers pass values >= 2^-126). */
// @ts-ignore: decorator
@inline export function log4(x: v128): v128 {
  const bits = x;
  let e = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126)));
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000)); // [0.5, 1)
  const below = f32x4.lt(m, f32x4.splat(0.707106781186547524));
  e = f32x4.sub(e, v128.and(below, ONE));
  m = f32x4.sub(f32x4.add(m, v128.and(below, m)), ONE);
  const z = f32x4.mul(m, m);
  let p = fma(f32x4.splat(7.0376836292e-2), m, f32x4.splat(-1.1514610310e-1));
  p = fma(p, m, f32x4.splat(1.1676998740e-1));
  p = fma(p, m, f32x4.splat(-1.2420140846e-1));
  p = fma(p, m, f32x4.splat(1.4249322787e-1));
  p = fma(p, m, f32x4.splat(-1.6668057665e-1));
  p = fma(p, m, f32x4.splat(2.0000714765e-1));
  p = fma(p, m, f32x4.splat(-2.4999993993e-1));
  p = fma(p, m, f32x4.splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, m), z);
  y = fma(e, f32x4.splat(-2.12194440e-4), y);
  y = fma(z, f32x4.splat(-0.5), y);
  let r = f32x4.add(f32x4.add(m, y), f32x4.mul(e, f32x4.splat(0.693359375)));
  r = select(f32x4.eq(x, ZERO), f32x4.splat(-Infinity), r);
  r = select(f32x4.eq(x, f32x4.splat(Infinity)), x, r);
  return select(f32x4.ge(x, ZERO), r, f32x4.splat(NaN));
}

/** log(1 + t) for t >= 0, exact to float rounding near 0: the rounding error of u = 1 + t
 *  is undone by the factor t / (u - 1) (Goldberg 1991, "What every computer scientist
 *  should know about floating-point arithmetic", theorem 4). */
// @ts-ignore: decorator
@inline export function log1p4(t: v128): v128 {
  const u = f32x4.add(ONE, t);
  const d = f32x4.sub(u, ONE);
  const corrected = f32x4.div(f32x4.mul(log4(u), t), d);
  return select(f32x4.eq(d, ZERO), t, corrected);
}

/** Stores r cos(2 pi u) at dst and r sin(2 pi u) at dst + 16, for u in [0, 1).
 *  Quadrant from 4u, then Cephes sinf/cosf polynomials on [-pi/4, pi/4] around the
 *  quadrant's midpoint, rotated back by pi/4 and by the quadrant. */
// @ts-ignore: decorator
@inline export function storePolar(r: v128, u: v128, dst: usize): void {
  const u4 = f32x4.mul(u, f32x4.splat(4));
  const q = f32x4.floor(u4);
  // Full angle = q pi/2 + pi/4 + psi with psi in [-pi/4, pi/4).
  const psi = f32x4.mul(f32x4.sub(f32x4.sub(u4, q), f32x4.splat(0.5)), f32x4.splat(1.5707963267948966));
  const z = f32x4.mul(psi, psi);
  let sp = fma(f32x4.splat(-1.9515295891e-4), z, f32x4.splat(8.3321608736e-3));
  sp = fma(sp, z, f32x4.splat(-1.6666654611e-1));
  const s = fma(f32x4.mul(sp, z), psi, psi);
  let cp = fma(f32x4.splat(2.443315711809948e-5), z, f32x4.splat(-1.388731625493765e-3));
  cp = fma(cp, z, f32x4.splat(4.166664568298827e-2));
  const c = f32x4.add(fma(f32x4.mul(cp, z), z, f32x4.mul(z, f32x4.splat(-0.5))), ONE);
  // cos(pi/4 + psi) = (c - s)/sqrt2, sin(pi/4 + psi) = (c + s)/sqrt2.
  const h = f32x4.splat(0.70710678118654752);
  const c4 = f32x4.mul(f32x4.sub(c, s), h);
  const s4 = f32x4.mul(f32x4.add(c, s), h);
  // Each quarter turn maps (cos, sin) to (-sin, cos); a half turn negates both.
  const qi = i32x4.trunc_sat_f32x4_s(q);
  const odd = i32x4.eq(v128.and(qi, i32x4.splat(1)), i32x4.splat(1));
  const flip = v128.and(i32x4.eq(v128.and(qi, i32x4.splat(2)), i32x4.splat(2)), i32x4.splat(0x80000000));
  const cosv = v128.xor(select(odd, f32x4.neg(s4), c4), flip);
  const sinv = v128.xor(select(odd, c4, s4), flip);
  v128.store(dst, f32x4.mul(r, cosv));
  v128.store(dst, f32x4.mul(r, sinv), 16);
}

// Lanes of a partial vector go through a 16-byte scratch, so tail elements take exactly
// the same arithmetic as full vectors: a value's result never depends on its position.
const scratch = memory.data(16, 16);

// @ts-ignore: decorator
@inline export function loadPartial(p: usize, count: i32, fill: f32): v128 {
  v128.store(scratch, f32x4.splat(fill));
  memory.copy(scratch, p, <usize>count * 4);
  return v128.load(scratch);
}

// @ts-ignore: decorator
@inline export function storePartial(p: usize, v: v128, count: i32): void {
  v128.store(scratch, v);
  memory.copy(p, scratch, <usize>count * 4);
}
