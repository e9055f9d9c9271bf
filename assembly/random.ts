// Seeded random sampling. Generator: xoshiro128** (Blackman & Vigna 2018, "Scrambled linear
// pseudorandom number generators"), four independent states in the four lanes of an i32x4:
// one step yields four 32-bit outputs, lane l giving element 4*i + l. States come from
// SplitMix32 outputs (golden-ratio increment, murmur3 fmix32 finalizer) keyed by
// (seed, stream), so every layer of a model draws from its own stream.
// The state lives in caller memory (64 bytes, 16-byte aligned): kernels stay pure.
import { fma, loadConst, logLanes, storePolar, storePartial } from "./math";
import { scratch, LANES_A } from "./scratch";

const INV_2_24 = memory.data<v128>([f32x4.splat(5.9604644775390625e-8)], 16);
const NEG_TWO = memory.data<v128>([f32x4.splat(-2)], 16);
const INT_ONE = memory.data<v128>([i32x4.splat(1)], 16);
const INT_FIVE = memory.data<v128>([i32x4.splat(5)], 16);
const INT_NINE = memory.data<v128>([i32x4.splat(9)], 16);

// For each 4-bit mask of accepted lanes, the byte shuffle that moves those lanes to the
// front (255 selects zero): rejection sampling keeps four lanes at a time with one swizzle.
const COMPACT = memory.data<u8>([
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  0, 1, 2, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  4, 5, 6, 7, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  0, 1, 2, 3, 4, 5, 6, 7, 255, 255, 255, 255, 255, 255, 255, 255,
  8, 9, 10, 11, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  0, 1, 2, 3, 8, 9, 10, 11, 255, 255, 255, 255, 255, 255, 255, 255,
  4, 5, 6, 7, 8, 9, 10, 11, 255, 255, 255, 255, 255, 255, 255, 255,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255, 255, 255, 255,
  12, 13, 14, 15, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  0, 1, 2, 3, 12, 13, 14, 15, 255, 255, 255, 255, 255, 255, 255, 255,
  4, 5, 6, 7, 12, 13, 14, 15, 255, 255, 255, 255, 255, 255, 255, 255,
  0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 255, 255, 255, 255,
  8, 9, 10, 11, 12, 13, 14, 15, 255, 255, 255, 255, 255, 255, 255, 255,
  0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 255, 255, 255, 255,
  4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 255, 255, 255, 255,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
], 16);

// @ts-ignore: decorator
@inline function fmix32(z: u32): u32 {
  z = (z ^ (z >>> 16)) * 0x85ebca6b;
  z = (z ^ (z >>> 13)) * 0xc2b2ae35;
  return z ^ (z >>> 16);
}

/** Fills the 64-byte state at `state` from (seed, stream). Any u32 seed is valid, 0 included. */
export function rngSeed(state: usize, seed: u32, stream: u32): void {
  let x: u32 = fmix32(seed ^ fmix32(stream + 0x632be5ab));
  for (let lane: usize = 0; lane < 4; lane++) {
    let any: u32 = 0;
    for (let word: usize = 0; word < 4; word++) {
      x += 0x9e3779b9;
      const w = fmix32(x);
      store<u32>(state + word * 16 + lane * 4, w);
      any |= w;
    }
    if (any == 0) store<u32>(state + lane * 4, 1); // xoshiro's one forbidden state
  }
}

/** One xoshiro128** step in all four lanes: returns the outputs, advances the state. */
// @ts-ignore: decorator
@inline export function next(state: usize): v128 {
  let s0 = v128.load(state);
  let s1 = v128.load(state, 16);
  let s2 = v128.load(state, 32);
  let s3 = v128.load(state, 48);
  const x = i32x4.mul(loadConst(INT_FIVE), s1);
  const r = i32x4.mul(v128.or(i32x4.shl(x, 7), i32x4.shr_u(x, 25)), loadConst(INT_NINE));
  const t = i32x4.shl(s1, 9);
  s2 = v128.xor(s2, s0);
  s3 = v128.xor(s3, s1);
  s1 = v128.xor(s1, s2);
  s0 = v128.xor(s0, s3);
  s2 = v128.xor(s2, t);
  s3 = v128.or(i32x4.shl(s3, 11), i32x4.shr_u(s3, 21));
  v128.store(state, s0);
  v128.store(state, s1, 16);
  v128.store(state, s2, 32);
  v128.store(state, s3, 48);
  return r;
}

// Top 24 bits as a float in [0, 1): exact, and never 1.
// @ts-ignore: decorator
@inline export function unit(bits: v128): v128 {
  return f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(bits, 8)), loadConst(INV_2_24));
}

/** The raw 32-bit outputs, n of them (tests compare this stream across engines). */
export function fillBits(state: usize, out: usize, n: i32): void {
  for (let left = n >> 2; left > 0; left--, out += 16) v128.store(out, next(state));
  if (n & 3) storePartial(out, next(state), n & 3);
}

/** Uniform floats in [lo, hi): lo + (hi - lo) u, u = k / 2^24. `below` is the largest float
 *  under hi (computed by the caller) and caps the rare rounding up to hi. */
export function fillUniform(state: usize, out: usize, n: i32, lo: f32, hi: f32, below: f32): void {
  const vlo = f32x4.splat(lo);
  const vw = f32x4.splat(hi - lo);
  const vcap = f32x4.splat(hi > lo ? below : lo);
  for (let left = n >> 2; left > 0; left--, out += 16) v128.store(out, f32x4.min(fma(unit(next(state)), vw, vlo),
      vcap));
  if (n & 3) storePartial(out, f32x4.min(fma(unit(next(state)), vw, vlo), vcap), n & 3);
}

/** Eight standard normals into `block` by Box-Muller (1958): r = sqrt(-2 ln u1) with
 *  u1 in (0, 1], angle 2 pi u2; lanes 0-3 are r cos, lanes 4-7 r sin. */
// @ts-ignore: decorator
@inline function normalBlock(state: usize): void {
  const block = scratch(LANES_A); // one Box-Muller block of 8 normals, or 4 uniforms
  const k1 = i32x4.add(i32x4.shr_u(next(state), 8), loadConst(INT_ONE));
  const u1 = f32x4.mul(f32x4.convert_i32x4_u(k1), loadConst(INV_2_24));
  const r = f32x4.sqrt(f32x4.mul(loadConst(NEG_TWO), logLanes(u1)));
  storePolar(r, unit(next(state)), block);
}

/** Normal(mean, std) floats. */
export function fillNormal(state: usize, out: usize, n: i32, mean: f32, std: f32): void {
  const block = scratch(LANES_A);
  const vm = f32x4.splat(mean);
  const vs = f32x4.splat(std);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    normalBlock(state);
    const o = out + (<usize>i << 2);
    v128.store(o, fma(v128.load(block), vs, vm));
    v128.store(o, fma(v128.load(block, 16), vs, vm), 16);
  }
  if (i < n) {
    normalBlock(state);
    v128.store(block, fma(v128.load(block), vs, vm));
    v128.store(block, fma(v128.load(block, 16), vs, vm), 16);
    memory.copy(out + (<usize>i << 2), block, <usize>(n - i) << 2);
  }
}

/** Normal(mean, std) conditioned on lo <= z <= hi, z the standardized value (lo, hi in std
 *  units). Rejection from Box-Muller blocks when at least 30% of draws land inside; below
 *  that (narrow or far-tail bounds) inversion of the normal CDF on [Phi(lo), Phi(hi)]. */
export function fillTruncatedNormal(state: usize, out: usize, n: i32, mean: f32, std: f32, lo: f32, hi: f32): void {
  const block = scratch(LANES_A);
  const plo = normalCdf(<f64>lo);
  const phi = normalCdf(<f64>hi);
  if (phi - plo >= 0.3) {
    const vm = f32x4.splat(mean);
    const vs = f32x4.splat(std);
    const vlo = f32x4.splat(lo);
    const vhi = f32x4.splat(hi);
    let count = 0;
    // While two whole vectors fit, accepted lanes are packed and stored 16 bytes at a time
    // (the lanes past the accepted ones are overwritten by the next store or the tail).
    while (count + 8 <= n) {
      normalBlock(state);
      for (let half: usize = 0; half < 32; half += 16) {
        const z = v128.load(block + half);
        const mask = i32x4.bitmask(v128.and(f32x4.ge(z, vlo), f32x4.le(z, vhi)));
        const packed = i8x16.swizzle(fma(z, vs, vm), v128.load(COMPACT + (<usize>mask << 4)));
        v128.store(out + (<usize>count << 2), packed);
        count += popcnt(mask);
      }
    }
    while (count < n) {
      normalBlock(state);
      for (let j: usize = 0; j < 8 && count < n; j++) {
        const z = load<f32>(block + j * 4);
        if (z >= lo && z <= hi) {
          store<f32>(out + (<usize>count << 2), mean + std * z);
          count++;
        }
      }
    }
    return;
  }
  // Inversion, in the lower tail's mirror when both bounds are positive (small probabilities
  // keep their precision near 0, not near 1).
  const flip = lo > 0;
  const a = flip ? normalCdf(-<f64>hi) : plo;
  const width = (flip ? normalCdf(-<f64>lo) : phi) - a;
  let i = 0;
  while (i < n) {
    v128.store(block, unit(next(state)));
    for (let j: usize = 0; j < 4 && i < n; j++) {
      let z = normalQuantile(a + width * <f64>load<f32>(block + j * 4));
      if (flip) z = -z;
      const v = <f32>min(max(z, <f64>lo), <f64>hi); // the quantile's last-digit error must not leave [lo, hi]
      store<f32>(out + (<usize>i << 2), mean + std * v);
      i++;
    }
  }
}

/** Phi(x) = erfc(-x / sqrt 2) / 2, erfc by the Chebyshev fit of Numerical Recipes
 *  (Press et al. 1992, section 6.2, "erfcc": fractional error < 1.2e-7 everywhere). */
function normalCdf(x: f64): f64 {
  const y = -x * 0.7071067811865476;
  const ay = Math.abs(y);
  const t = 1.0 / (1.0 + 0.5 * ay);
  const r = t * Math.exp(-ay * ay - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277)))))))));
  return 0.5 * (y >= 0 ? r : 2.0 - r);
}

/** Phi^-1(p) by P. J. Acklam's rational approximations (relative error < 1.15e-9). */
function normalQuantile(p: f64): f64 {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < 0.02425 || p > 0.97575) {
    const q = Math.sqrt(-2 * Math.log(p < 0.5 ? p : 1 - p));
    const x = (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q -
      2.549732539343734) * q + 4.374664141464968) * q + 2.938163982698783) /
      ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q +
      3.754408661907416) * q + 1);
    return p < 0.5 ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r +
    1.383577518672690e2) * r - 3.066479806614716e1) * r + 2.506628277459239) * q /
    (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r +
    6.680131188771972e1) * r - 1.328068155288572e1) * r + 1);
}
