// SIMD elementary functions on f32x4, shared by the activations, softmax and random
// sampling. Reductions and polynomials after Cephes (S. L. Moshier, cephes/single: expf,
// logf, sinf, cosf) unless noted; the error figures are measured by bench/accuracy.ts and
// enforced by test/activations.test.ts. Everything is branch-free: lanes are selected by masks.
// Naming: a function named ...Lanes works on the four f32 lanes of a v128 at once (logLanes
// is the natural log of each lane, not a base-4 log).

// Constants are read from memory rather than written as v128.const: V8 rebuilds every
// v128.const inside a loop from a 64-bit immediate and a shuffle (three instructions each),
// while a constant in memory costs one load.
/** The v128 constant stored at `p` (one of the memory.data constants below). */
// @ts-ignore: decorator
@inline export function loadConst(p: usize): v128 {
  return v128.load(p);
}
export const ZERO: v128 = i32x4.splat(0); // a zero v128.const is one instruction (pxor)
export const ONE = memory.data<v128>([f32x4.splat(1)], 16);
const HALF = memory.data<v128>([f32x4.splat(0.5)], 16);
const NEG_HALF = memory.data<v128>([f32x4.splat(-0.5)], 16);
const SQRT_HALF = memory.data<v128>([f32x4.splat(0.70710678118654752)], 16);
const SIGN_MASK = memory.data<v128>([i32x4.splat(0x80000000)], 16);
// 1.5 * 2^23: adding it to a float in [-2^22, 2^22] rounds it to an integer and leaves that
// integer in the low mantissa bits.
const ROUND_MAGIC = memory.data<v128>([f32x4.splat(12582912.0)], 16);

// @ts-ignore: decorator
@inline export function fma(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c); // a*b + c, two roundings (no FMA in base wasm SIMD)
}

// @ts-ignore: decorator
@inline export function select(mask: v128, ifTrue: v128, ifFalse: v128): v128 {
  return v128.bitselect(ifTrue, ifFalse, mask);
}

// ---- exp family -------------------------------------------------------------------------
// x = n ln2 + r with |r| <= ln2/2, and 2^n built in the exponent field: adding
// 1.5 * 2^23 + 127 to x log2 e leaves n + 127, the biased exponent of 2^n, in the low bits;
// shifting left by 23 gives 2^n itself (n + 127 = 0 gives 0, 255 gives +inf). One float32
// ln2 suffices: its error times |n| <= 128 stays below 2.5e-7 relative, below 2e-8 for the
// |x| < 7 where activations need relative precision.
const EXP_MIN_ARG = memory.data<v128>([f32x4.splat(-88.0)], 16);
const LOG2E = memory.data<v128>([f32x4.splat(1.44269504088896341)], 16);
const LN2 = memory.data<v128>([f32x4.splat(0.6931471805599453)], 16);
const EXP_MAGIC = memory.data<v128>([f32x4.splat(12582912.0 + 127.0)], 16);
// (e^r - 1 - r) / r^2 on |r| <= ln2/2: degree-3 minimax for relative error (Lawson's
// iteration on 4000 Chebyshev nodes): 1.05e-7 before rounding. Cephes' degree 5 buys
// precision that float32 cannot hold.
const EXP_C0 = memory.data<v128>([f32x4.splat(0.4999923176)], 16);
const EXP_C1 = memory.data<v128>([f32x4.splat(0.1666711445)], 16);
const EXP_C2 = memory.data<v128>([f32x4.splat(0.04189011625)], 16);
const EXP_C3 = memory.data<v128>([f32x4.splat(0.008312526956)], 16);
const NEG_EXP_C1 = memory.data<v128>([f32x4.splat(-0.1666711445)], 16);
const NEG_EXP_C3 = memory.data<v128>([f32x4.splat(-0.008312526956)], 16);
const NEG_LOG2E = memory.data<v128>([f32x4.splat(-1.44269504088896341)], 16);
const EXP_MINUS_MIN_ARG = memory.data<v128>([f32x4.splat(-88.7)], 16);
const EXP_MINUS_MAX_ARG = memory.data<v128>([f32x4.splat(88.0)], 16);

// @ts-ignore: decorator
@inline function expShifted(xc: v128): v128 { // x log2 e + 1.5 * 2^23 + 127
  return fma(xc, loadConst(LOG2E), loadConst(EXP_MAGIC));
}
// @ts-ignore: decorator
@inline function expRemainder(xc: v128, shifted: v128): v128 { // r = x - n ln2
  return f32x4.sub(xc, f32x4.mul(f32x4.sub(shifted, loadConst(EXP_MAGIC)), loadConst(LN2)));
}
// e^r - 1 - r = r^2 (c0 + c1 r + c2 r^2 + c3 r^3).
// @ts-ignore: decorator
@inline function expTail(r: v128): v128 {
  let p = fma(loadConst(EXP_C3), r, loadConst(EXP_C2));
  p = fma(p, r, loadConst(EXP_C1));
  p = fma(p, r, loadConst(EXP_C0));
  return f32x4.mul(f32x4.mul(p, r), r);
}

/** e^x for x <= 0 (what -|z| and x - max need). Below about -87.68 the result is exactly 0
 *  (2^-127 has no normal encoding; the subnormals are skipped), -inf included; NaN stays NaN
 *  (pmax keeps its first operand when the comparison fails). */
// @ts-ignore: decorator
@inline export function expNegLanes(x: v128): v128 {
  const xc = f32x4.pmax(x, loadConst(EXP_MIN_ARG));
  const shifted = expShifted(xc);
  const r = expRemainder(xc, shifted);
  return f32x4.mul(f32x4.add(f32x4.add(expTail(r), r), loadConst(ONE)), i32x4.shl(shifted, 23));
}

/** e^-z for any z, without negating z first. 0 for z > 88, +inf below about -88.4. */
// @ts-ignore: decorator
@inline export function expMinusLanes(z: v128): v128 {
  const zc = f32x4.pmin(f32x4.pmax(z, loadConst(EXP_MINUS_MIN_ARG)), loadConst(EXP_MINUS_MAX_ARG));
  const shifted = fma(zc, loadConst(NEG_LOG2E), loadConst(EXP_MAGIC));
  const rn = fma(f32x4.sub(shifted, loadConst(EXP_MAGIC)), loadConst(LN2), zc); // -r = z + n ln2
  // e^r = 1 + r + r^2 P(r) with r = -rn: the odd coefficients change sign.
  let p = fma(loadConst(NEG_EXP_C3), rn, loadConst(EXP_C2));
  p = fma(p, rn, loadConst(NEG_EXP_C1));
  p = fma(p, rn, loadConst(EXP_C0));
  const y = f32x4.sub(f32x4.add(f32x4.mul(f32x4.mul(p, rn), rn), loadConst(ONE)), rn);
  return f32x4.mul(y, i32x4.shl(shifted, 23));
}

/** -|z| in one instruction (V8 spends three on abs and three on neg). */
// @ts-ignore: decorator
@inline export function negAbs(z: v128): v128 {
  return v128.or(z, loadConst(SIGN_MASK));
}

/** e^x - 1 for x <= 0 without cancellation anywhere: 2^n (e^r - 1) + (2^n - 1), where
 *  2^n - 1 is exact for the n that matter. Below -88 it is exactly -1. */
// @ts-ignore: decorator
@inline export function expm1NegLanes(x: v128): v128 {
  const xc = f32x4.pmax(x, loadConst(EXP_MIN_ARG));
  const shifted = expShifted(xc);
  const r = expRemainder(xc, shifted);
  const s = i32x4.shl(shifted, 23);
  return f32x4.add(f32x4.mul(s, f32x4.add(expTail(r), r)), f32x4.sub(s, loadConst(ONE)));
}

// ---- log family -------------------------------------------------------------------------
const MANTISSA_MASK = memory.data<v128>([i32x4.splat(0x007fffff)], 16);
const EXPONENT_OF_HALF = memory.data<v128>([i32x4.splat(0x3f000000)], 16);
const EXP_BIAS_MINUS_1 = memory.data<v128>([i32x4.splat(126)], 16);
const LN2_HI = memory.data<v128>([f32x4.splat(0.693359375)], 16); // ln2 in two parts: n ln2 exact
const LN2_LO = memory.data<v128>([f32x4.splat(-2.12194440e-4)], 16);
const LOG_P8 = memory.data<v128>([f32x4.splat(7.0376836292e-2)], 16);
const LOG_P7 = memory.data<v128>([f32x4.splat(-1.1514610310e-1)], 16);
const LOG_P6 = memory.data<v128>([f32x4.splat(1.1676998740e-1)], 16);
const LOG_P5 = memory.data<v128>([f32x4.splat(-1.2420140846e-1)], 16);
const LOG_P4 = memory.data<v128>([f32x4.splat(1.4249322787e-1)], 16);
const LOG_P3 = memory.data<v128>([f32x4.splat(-1.6668057665e-1)], 16);
const LOG_P2 = memory.data<v128>([f32x4.splat(2.0000714765e-1)], 16);
const LOG_P1 = memory.data<v128>([f32x4.splat(-2.4999993993e-1)], 16);
const LOG_P0 = memory.data<v128>([f32x4.splat(3.3333331174e-1)], 16);

/** Natural log for finite normal x > 0 (Cephes logf): x = m 2^e with m in [sqrt(1/2),
 *  sqrt(2)), degree-8 polynomial in m - 1. Callers guarantee the domain (Box-Muller's
 *  u in (0, 1], log1p's 1 + t in [1, 2]); NaN, zero, negatives and infinities are not handled. */
// @ts-ignore: decorator
@inline export function logLanes(x: v128): v128 {
  let e = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(x, 23), loadConst(EXP_BIAS_MINUS_1)));
  let m = v128.or(v128.and(x, loadConst(MANTISSA_MASK)), loadConst(EXPONENT_OF_HALF)); // [0.5, 1)
  const below = f32x4.lt(m, loadConst(SQRT_HALF));
  e = f32x4.sub(e, v128.and(below, loadConst(ONE)));
  m = f32x4.sub(f32x4.add(m, v128.and(below, m)), loadConst(ONE));
  const z = f32x4.mul(m, m);
  let p = fma(loadConst(LOG_P8), m, loadConst(LOG_P7));
  p = fma(p, m, loadConst(LOG_P6));
  p = fma(p, m, loadConst(LOG_P5));
  p = fma(p, m, loadConst(LOG_P4));
  p = fma(p, m, loadConst(LOG_P3));
  p = fma(p, m, loadConst(LOG_P2));
  p = fma(p, m, loadConst(LOG_P1));
  p = fma(p, m, loadConst(LOG_P0));
  let y = f32x4.mul(f32x4.mul(p, m), z);
  y = fma(e, loadConst(LN2_LO), y);
  y = fma(z, loadConst(NEG_HALF), y);
  return f32x4.add(f32x4.add(m, y), f32x4.mul(e, loadConst(LN2_HI)));
}

// log(1 + t) = 2 atanh(s) with s = t / (2 + t) in [0, 1/3] for t in [0, 1]; atanh(s) / s =
// 1 + u P(u), u = s^2, P of degree 3 fitted for relative error (Lawson's iteration): 4.5e-9.
const LOG1P_C0 = memory.data<v128>([f32x4.splat(0.3333320839)], 16);
const LOG1P_C1 = memory.data<v128>([f32x4.splat(0.2001074754)], 16);
const LOG1P_C2 = memory.data<v128>([f32x4.splat(0.1400118957)], 16);
const LOG1P_C3 = memory.data<v128>([f32x4.splat(0.1400447535)], 16);
const TWO = memory.data<v128>([f32x4.splat(2)], 16);

/** log(1 + t) for t in [0, 1] (softplus' e^-|z|), with full relative precision near 0 and
 *  no log of the exponent field: one division and a polynomial. NaN stays NaN. */
// @ts-ignore: decorator
@inline export function log1pLanes(t: v128): v128 {
  const s = f32x4.div(t, f32x4.add(loadConst(TWO), t));
  const u = f32x4.mul(s, s);
  let p = fma(loadConst(LOG1P_C3), u, loadConst(LOG1P_C2));
  p = fma(p, u, loadConst(LOG1P_C1));
  p = fma(p, u, loadConst(LOG1P_C0));
  return f32x4.mul(f32x4.add(s, s), fma(u, p, loadConst(ONE)));
}

// ---- sin and cos, for Box-Muller --------------------------------------------------------
const FOUR = memory.data<v128>([f32x4.splat(4)], 16);
const HALF_PI = memory.data<v128>([f32x4.splat(1.5707963267948966)], 16);
const SIN_P2 = memory.data<v128>([f32x4.splat(-1.9515295891e-4)], 16);
const SIN_P1 = memory.data<v128>([f32x4.splat(8.3321608736e-3)], 16);
const SIN_P0 = memory.data<v128>([f32x4.splat(-1.6666654611e-1)], 16);
const COS_P2 = memory.data<v128>([f32x4.splat(2.443315711809948e-5)], 16);
const COS_P1 = memory.data<v128>([f32x4.splat(-1.388731625493765e-3)], 16);
const COS_P0 = memory.data<v128>([f32x4.splat(4.166664568298827e-2)], 16);
const INT_ONE = memory.data<v128>([i32x4.splat(1)], 16);
const INT_TWO = memory.data<v128>([i32x4.splat(2)], 16);

/** Stores r cos(2 pi u) at dst and r sin(2 pi u) at dst + 16, for u in [0, 1).
 *  Quadrant from 4u, then Cephes sinf/cosf polynomials on [-pi/4, pi/4] around the
 *  quadrant's midpoint, rotated back by pi/4 and by the quadrant. */
// @ts-ignore: decorator
@inline export function storePolar(r: v128, u: v128, dst: usize): void {
  const u4 = f32x4.mul(u, loadConst(FOUR));
  const q = f32x4.floor(u4);
  // Full angle = q pi/2 + pi/4 + psi with psi in [-pi/4, pi/4).
  const psi = f32x4.mul(f32x4.sub(f32x4.sub(u4, q), loadConst(HALF)), loadConst(HALF_PI));
  const z = f32x4.mul(psi, psi);
  let sp = fma(loadConst(SIN_P2), z, loadConst(SIN_P1));
  sp = fma(sp, z, loadConst(SIN_P0));
  const s = fma(f32x4.mul(sp, z), psi, psi);
  let cp = fma(loadConst(COS_P2), z, loadConst(COS_P1));
  cp = fma(cp, z, loadConst(COS_P0));
  const c = f32x4.add(fma(f32x4.mul(cp, z), z, f32x4.mul(z, loadConst(NEG_HALF))), loadConst(ONE));
  // cos(pi/4 + psi) = (c - s)/sqrt2, sin(pi/4 + psi) = (c + s)/sqrt2.
  const c4 = f32x4.mul(f32x4.sub(c, s), loadConst(SQRT_HALF));
  const s4 = f32x4.mul(f32x4.add(c, s), loadConst(SQRT_HALF));
  // Each quarter turn maps (cos, sin) to (-sin, cos); a half turn negates both.
  const qi = f32x4.add(q, loadConst(ROUND_MAGIC)); // the quadrant in the low bits
  const odd = i32x4.eq(v128.and(qi, loadConst(INT_ONE)), loadConst(INT_ONE));
  const flip = v128.and(i32x4.eq(v128.and(qi, loadConst(INT_TWO)), loadConst(INT_TWO)), loadConst(SIGN_MASK));
  const cosv = v128.xor(select(odd, f32x4.neg(s4), c4), flip);
  const sinv = v128.xor(select(odd, c4, s4), flip);
  v128.store(dst, f32x4.mul(r, cosv));
  v128.store(dst, f32x4.mul(r, sinv), 16);
}

// ---- partial vectors --------------------------------------------------------------------
// A tail of 1-4 floats is loaded into (and stored from) lanes of a full vector, so tail
// elements take exactly the same arithmetic as the rest: a value's result never depends on
// its position. Lane-by-lane moves, not memory.copy: V8 calls out of wasm for memory.copy.

// @ts-ignore: decorator
@inline export function loadPartial(p: usize, count: i32, fill: f32): v128 {
  let v = f32x4.splat(fill);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  if (count > 3) v = f32x4.replace_lane(v, 3, load<f32>(p, 12));
  return v;
}

// @ts-ignore: decorator
@inline export function storePartial(p: usize, v: v128, count: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (count > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
  if (count > 3) store<f32>(p, f32x4.extract_lane(v, 3), 12);
}

// A full vector where `count` is 4, else loadPartial / storePartial: one predictable branch
// for kernels whose loops step four floats at a time up to a tail.
// @ts-ignore: decorator
@inline export function loadLanes(p: usize, count: i32, fill: f32): v128 {
  return count == 4 ? v128.load(p) : loadPartial(p, count, fill);
}

// @ts-ignore: decorator
@inline export function storeLanes(p: usize, v: v128, count: i32): void {
  if (count == 4) v128.store(p, v);
  else storePartial(p, v, count);
}
