// Elementwise activations and their derivatives (from the pre-activation z); softmax, which
// works on rows, is in softmax.ts. The codes are src/kernelCodes/activationCodes.ts, which the
// TypeScript side compiles too. Every loop runs whole
// f32x4 vectors and sends the tail through the same vector code (see loadPartial), so no
// element is computed differently from another.
import { loadConst, ONE, ZERO, expMinusLanes, expNegLanes, expm1NegLanes, negAbs, log1pLanes, fma, select,
    loadPartial, storePartial } from "./math";
import { IDENTITY, SIGMOID, TANH, RELU, LEAKY_RELU, ELU, SELU, SOFTPLUS, SILU, GELU,
    MISH } from "../src/kernelCodes/activationCodes";
import { scratch, LANES_A } from "./scratch";

// SELU constants (Klambauer et al. 2017, "Self-Normalizing Neural Networks").
const SELU_ALPHA: f32 = 1.6732632423543772;
const SELU_SCALE: f32 = 1.0507009873554805;
// GELU, tanh form (Hendrycks & Gimpel 2016): 0.5 x (1 + tanh(c (x + 0.044715 x^3))),
// computed as x * sigmoid(2u), which is the same function without the cancellation of 1 + tanh.
const GELU_C64: f64 = 0.7978845608028654; // sqrt(2 / pi)
const GELU_K64: f64 = 0.044715;
const GELU_C = <f32>GELU_C64;
const GELU_K = <f32>GELU_K64;
// Lanes this close to the root of SiLU' or GELU' are refined in float64 (see refineNearRoot).
const ROOT_WINDOW: f32 = 0.05;

const TWO = memory.data<v128>([f32x4.splat(2)], 16);
const MINUS_ONE = memory.data<v128>([f32x4.splat(-1)], 16);
// tanh(z) = z P(z^2) / Q(z^2) on |z| <= 9 (beyond, tanh rounds to +-1 in float32): a (5, 3)
// rational minimax fit for relative error (linearized least squares with Lawson's
// reweighting, 3000 nodes), 5.9e-8 in float64 and 3.2e-7 evaluated in float32. No exp, no
// cancellation near 0, odd by construction.
const TANH_CLAMP = memory.data<v128>([f32x4.splat(9)], 16);
const TANH_NEG_CLAMP = memory.data<v128>([f32x4.splat(-9)], 16);
const TANH_P0 = memory.data<v128>([f32x4.splat(0.9999999420432777)], 16);
const TANH_P1 = memory.data<v128>([f32x4.splat(0.129195540481281)], 16);
const TANH_P2 = memory.data<v128>([f32x4.splat(0.002921105786476651)], 16);
const TANH_P3 = memory.data<v128>([f32x4.splat(9.270424221917993e-06)], 16);
const TANH_P4 = memory.data<v128>([f32x4.splat(-1.2788890069633503e-08)], 16);
const TANH_P5 = memory.data<v128>([f32x4.splat(1.827538568291654e-11)], 16);
const TANH_Q1 = memory.data<v128>([f32x4.splat(0.46252838433723015)], 16);
const TANH_Q2 = memory.data<v128>([f32x4.splat(0.023764593714687584)], 16);
const TANH_Q3 = memory.data<v128>([f32x4.splat(0.00022814685090989493)], 16);
const FOUR = memory.data<v128>([f32x4.splat(4)], 16);
const GELU_C_V = memory.data<v128>([f32x4.splat(GELU_C)], 16);
const GELU_K_V = memory.data<v128>([f32x4.splat(GELU_K)], 16);
const GELU_2C = memory.data<v128>([f32x4.splat(2 * GELU_C)], 16);
const GELU_3K = memory.data<v128>([f32x4.splat(3 * GELU_K)], 16);
const SELU_ALPHA_V = memory.data<v128>([f32x4.splat(SELU_ALPHA)], 16);
const SELU_SCALE_V = memory.data<v128>([f32x4.splat(SELU_SCALE)], 16);

// logistic(z) and 1 - logistic(z) both come from t = e^-|z| and q = 1/(1+t), so neither
// loses precision: for z >= 0, s = q and 1-s = t q; for z < 0 the two swap.
// @ts-ignore: decorator
@inline function expNegAbs(z: v128): v128 { return expNegLanes(negAbs(z)); }
// @ts-ignore: decorator
@inline function recip1p(t: v128): v128 { return f32x4.div(loadConst(ONE), f32x4.add(loadConst(ONE), t)); }
// @ts-ignore: decorator
@inline function logisticOf(z: v128, t: v128, q: v128): v128 {
  return select(f32x4.ge(z, ZERO), q, f32x4.mul(t, q));
}
// @ts-ignore: decorator
@inline function logisticComplementOf(z: v128, t: v128, q: v128): v128 {
  return select(f32x4.ge(z, ZERO), f32x4.mul(t, q), q);
}
// @ts-ignore: decorator
@inline function logistic(z: v128): v128 {
  const t = expNegAbs(z);
  return logisticOf(z, t, recip1p(t));
}

/** 1 where z > 0, `neg` where z <= 0, NaN where z is NaN (a NaN z must not give a finite slope). */
// @ts-ignore: decorator
@inline function slope(z: v128, neg: v128): v128 {
  return select(f32x4.gt(z, ZERO), loadConst(ONE), select(f32x4.le(z, ZERO), neg, z));
}

// Mish (Misra 2019): z tanh(softplus(z)). With t = e^-|z|, tanh(log(1 + e^z)) = a / (a + b)
// where a = 1 + 2t, b = 2t^2 for z >= 0 and a = t(t + 2), b = 2 for z < 0: no overflow, and
// no cancellation in either tail.
// @ts-ignore: decorator
@inline function mishA(z: v128, t: v128): v128 {
  return select(f32x4.ge(z, ZERO), fma(loadConst(TWO), t, loadConst(ONE)), f32x4.mul(t, f32x4.add(t, loadConst(TWO))));
}
// @ts-ignore: decorator
@inline function mishB(z: v128, t: v128): v128 {
  return select(f32x4.ge(z, ZERO), f32x4.mul(loadConst(TWO), f32x4.mul(t, t)), loadConst(TWO));
}

// @ts-ignore: decorator
@inline function forward(kind: i32, z: v128, alpha: v128): v128 {
  switch (kind) {
    case SIGMOID: return f32x4.div(loadConst(ONE), f32x4.add(loadConst(ONE), expMinusLanes(z))); // e^-z = inf gives 0
    case TANH: { // z P(z^2) / Q(z^2) on [-9, 9], then kept within [-1, 1] so tanh(+-inf) = +-1
      const zc = f32x4.pmax(f32x4.pmin(z, loadConst(TANH_CLAMP)), loadConst(TANH_NEG_CLAMP));
      const t = f32x4.mul(zc, zc);
      let p = fma(loadConst(TANH_P5), t, loadConst(TANH_P4));
      p = fma(p, t, loadConst(TANH_P3));
      p = fma(p, t, loadConst(TANH_P2));
      p = fma(p, t, loadConst(TANH_P1));
      p = fma(p, t, loadConst(TANH_P0));
      let q = fma(loadConst(TANH_Q3), t, loadConst(TANH_Q2));
      q = fma(q, t, loadConst(TANH_Q1));
      q = fma(q, t, loadConst(ONE));
      const r = f32x4.div(f32x4.mul(zc, p), q);
      return f32x4.pmax(f32x4.pmin(r, loadConst(ONE)), loadConst(MINUS_ONE));
    }
    case RELU: return f32x4.pmax(z, ZERO); // pmax(z, 0) keeps NaN; pmax(0, z) would not
    case LEAKY_RELU: return select(f32x4.gt(z, ZERO), z, f32x4.mul(alpha, z));
    case ELU: return select(f32x4.gt(z, ZERO), z, f32x4.mul(alpha, expm1NegLanes(z)));
    case SELU: {
      const neg = f32x4.mul(loadConst(SELU_ALPHA_V), expm1NegLanes(z));
      return f32x4.mul(loadConst(SELU_SCALE_V), select(f32x4.gt(z, ZERO), z, neg));
    }
    case SOFTPLUS: // log(1 + e^z) = max(z, 0) + log1p(e^-|z|); pmax(z, 0) keeps a NaN z
      return f32x4.add(f32x4.pmax(z, ZERO), log1pLanes(expNegAbs(z)));
    case SILU: return f32x4.mul(z, logistic(z));
    case GELU: {
      const u = f32x4.mul(loadConst(GELU_C_V), fma(f32x4.mul(loadConst(GELU_K_V), z), f32x4.mul(z, z), z));
      return f32x4.mul(z, logistic(f32x4.add(u, u)));
    }
    case MISH: {
      const t = expNegAbs(z);
      const a = mishA(z, t);
      return f32x4.mul(z, f32x4.div(a, f32x4.add(a, mishB(z, t))));
    }
    case IDENTITY: return z;
    default: unreachable(); return z; // the dispatch below sends known codes only
  }
}

// d f / d z at z.
// @ts-ignore: decorator
@inline function derivative(kind: i32, z: v128, alpha: v128): v128 {
  switch (kind) {
    case SIGMOID: { // s(1-s) = t/(1+t)^2 with t = e^-|z|
      const t = expNegAbs(z);
      const q = recip1p(t);
      return f32x4.mul(f32x4.mul(t, q), q);
    }
    case TANH: { // 1 - tanh^2 = 4t/(1+t)^2 with t = e^-2|z|
      const t = expNegLanes(negAbs(f32x4.add(z, z)));
      const q = recip1p(t);
      return f32x4.mul(f32x4.mul(f32x4.mul(loadConst(FOUR), t), q), q);
    }
    case RELU: return slope(z, ZERO);
    case LEAKY_RELU: return slope(z, alpha);
    case ELU: return slope(z, f32x4.mul(alpha, expNegLanes(z))); // e^z only matters for z <= 0
    case SELU: return f32x4.mul(loadConst(SELU_SCALE_V), slope(z, f32x4.mul(loadConst(SELU_ALPHA_V), expNegLanes(z))));
    case SOFTPLUS: return logistic(z);
    case SILU: { // s + z s (1 - s)
      const t = expNegAbs(z);
      const q = recip1p(t);
      const s = logisticOf(z, t, q);
      const d = fma(f32x4.mul(z, s), logisticComplementOf(z, t, q), s);
      return nearRoot(z, SILU_ROOT_LO, SILU_ROOT_HI) ? refineNearRoot(SILU, z, d) : d;
    }
    case GELU: { // s + z s (1-s) * 2 du/dz, with s = sigmoid(2u)
      const zz = f32x4.mul(z, z);
      const u = f32x4.mul(loadConst(GELU_C_V), fma(f32x4.mul(loadConst(GELU_K_V), z), zz, z));
      const u2 = f32x4.add(u, u);
      const t = expNegAbs(u2);
      const q = recip1p(t);
      const s = logisticOf(u2, t, q);
      const du2 = f32x4.mul(loadConst(GELU_2C), fma(loadConst(GELU_3K), zz, loadConst(ONE)));
      const d = fma(f32x4.mul(f32x4.mul(z, s), logisticComplementOf(u2, t, q)), du2, s);
      return nearRoot(z, GELU_ROOT_LO, GELU_ROOT_HI) ? refineNearRoot(GELU, z, d) : d;
    }
    case MISH: {
      // tanh(sp) + z sech^2(sp) sigmoid(z) = (a s + 4 z (1 + t) c) / s^2 with s = a + b,
      // c = t^2 (z >= 0) or t
      const t = expNegAbs(z);
      const a = mishA(z, t);
      const s = f32x4.add(a, mishB(z, t));
      const c = select(f32x4.ge(z, ZERO), f32x4.mul(t, t), t);
      const zc4 = f32x4.mul(f32x4.mul(loadConst(FOUR), z), f32x4.mul(f32x4.add(loadConst(ONE), t), c));
      const d = f32x4.div(fma(a, s, zc4), f32x4.mul(s, s));
      return nearRoot(z, MISH_ROOT_LO, MISH_ROOT_HI) ? refineNearRoot(MISH, z, d) : d;
    }
    case IDENTITY: return select(f32x4.eq(z, z), loadConst(ONE), z); // 1, also at +-inf; NaN for NaN
    default: unreachable(); return z; // the dispatch below sends known codes only
  }
}

// SiLU', GELU' and Mish' cross zero, where the two terms of s + z s (1-s) u' cancel and float32
// keeps no relative precision. Lanes within ROOT_WINDOW of the root are recomputed in
// float64 (AssemblyScript's own Math.exp: the same bits on every engine).
const SILU_ROOT: f32 = -1.2784645;
const GELU_ROOT: f32 = -0.7517916;
const MISH_ROOT: f32 = -1.1924312;
const SILU_ROOT_LO = memory.data<v128>([f32x4.splat(SILU_ROOT - ROOT_WINDOW)], 16);
const SILU_ROOT_HI = memory.data<v128>([f32x4.splat(SILU_ROOT + ROOT_WINDOW)], 16);
const GELU_ROOT_LO = memory.data<v128>([f32x4.splat(GELU_ROOT - ROOT_WINDOW)], 16);
const GELU_ROOT_HI = memory.data<v128>([f32x4.splat(GELU_ROOT + ROOT_WINDOW)], 16);
const MISH_ROOT_LO = memory.data<v128>([f32x4.splat(MISH_ROOT - ROOT_WINDOW)], 16);
const MISH_ROOT_HI = memory.data<v128>([f32x4.splat(MISH_ROOT + ROOT_WINDOW)], 16);

// @ts-ignore: decorator
@inline function nearRoot(z: v128, lo: usize, hi: usize): bool {
  return v128.any_true(v128.and(f32x4.gt(z, loadConst(lo)), f32x4.lt(z, loadConst(hi))));
}

function refineNearRoot(kind: i32, z: v128, d: v128): v128 {
  const rootScratch = scratch(LANES_A);
  const root = kind == SILU ? SILU_ROOT : kind == GELU ? GELU_ROOT : MISH_ROOT;
  v128.store(rootScratch, z);
  v128.store(rootScratch, d, 16);
  for (let lane: usize = 0; lane < 4; lane++) {
    const x = <f64>load<f32>(rootScratch + (lane << 2));
    if (!(Math.abs(x - <f64>root) < <f64>ROOT_WINDOW)) continue;
    let v: f64;
    if (kind == SILU) {
      const sx = 1.0 / (1.0 + Math.exp(-x));
      v = sx * (1.0 + x * (1.0 - sx));
    } else if (kind == GELU) {
      const u2 = 2.0 * GELU_C64 * (x + GELU_K64 * x * x * x);
      const sx = 1.0 / (1.0 + Math.exp(-u2));
      v = sx * (1.0 + x * (1.0 - sx) * 2.0 * GELU_C64 * (1.0 + 3.0 * GELU_K64 * x * x));
    } else { // MISH, near its root z < 0, where softplus = log1p(e^z)
      const th = Math.tanh(Math.log1p(Math.exp(x)));
      v = th + x * (1.0 - th * th) / (1.0 + Math.exp(-x));
    }
    store<f32>(rootScratch + 16 + (lane << 2), <f32>v);
  }
  return v128.load(rootScratch, 16);
}

// @ts-ignore: decorator
@inline function forwardLoop(kind: i32, x: usize, y: usize, n: i32, alphaScalar: f32): void {
  const alpha = f32x4.splat(alphaScalar);
  // Two vectors a trip: halves the loop overhead and gives the CPU two independent chains.
  // A count of pairs left bounds it (x + 4n wraps for a tensor ending at 2^32); as a do-while,
  // its test is the trip's only compare (a for loop measured 5-9% slower on ReLU).
  let pairs = n >> 3;
  if (pairs > 0) do {
    const a = forward(kind, v128.load(x), alpha);
    const b = forward(kind, v128.load(x, 16), alpha);
    v128.store(y, a);
    v128.store(y, b, 16);
    x += 32;
    y += 32;
  } while (--pairs);
  if (n & 4) {
    v128.store(y, forward(kind, v128.load(x), alpha));
    x += 16;
    y += 16;
  }
  const rest = n & 3;
  if (rest) storePartial(y, forward(kind, loadPartial(x, rest, 0), alpha), rest);
}

// dz = dy * f'(z). dz may alias dy.
// @ts-ignore: decorator
@inline function backwardLoop(kind: i32, z: usize, dy: usize, dz: usize, n: i32, alphaScalar: f32): void {
  const alpha = f32x4.splat(alphaScalar);
  let pairs = n >> 3;
  if (pairs > 0) do {
    const a = f32x4.mul(v128.load(dy), derivative(kind, v128.load(z), alpha));
    const b = f32x4.mul(v128.load(dy, 16), derivative(kind, v128.load(z, 16), alpha));
    v128.store(dz, a);
    v128.store(dz, b, 16);
    z += 32;
    dy += 32;
    dz += 32;
  } while (--pairs);
  if (n & 4) {
    v128.store(dz, f32x4.mul(v128.load(dy), derivative(kind, v128.load(z), alpha)));
    z += 16;
    dy += 16;
    dz += 16;
  }
  const rest = n & 3;
  if (rest) {
    const d = derivative(kind, loadPartial(z, rest, 0), alpha);
    storePartial(dz, f32x4.mul(loadPartial(dy, rest, 0), d), rest);
  }
}

/** y = f(x) elementwise over n floats; y may alias x. `alpha` is the leaky slope or ELU alpha. */
export function activationForward(kind: i32, x: usize, y: usize, n: i32, alpha: f32): void {
  // Each case inlines its own loop, so the switch inside `forward` folds away per kind.
  switch (kind) {
    case SIGMOID: forwardLoop(SIGMOID, x, y, n, alpha); break;
    case TANH: forwardLoop(TANH, x, y, n, alpha); break;
    case RELU: forwardLoop(RELU, x, y, n, alpha); break;
    case LEAKY_RELU: forwardLoop(LEAKY_RELU, x, y, n, alpha); break;
    case ELU: forwardLoop(ELU, x, y, n, alpha); break;
    case SELU: forwardLoop(SELU, x, y, n, alpha); break;
    case SOFTPLUS: forwardLoop(SOFTPLUS, x, y, n, alpha); break;
    case SILU: forwardLoop(SILU, x, y, n, alpha); break;
    case GELU: forwardLoop(GELU, x, y, n, alpha); break;
    case MISH: forwardLoop(MISH, x, y, n, alpha); break;
    case IDENTITY: if (x != y) memory.copy(y, x, <usize>n << 2); break;
    default: unreachable(); // an unknown code is a bug on the caller's side: trap, never a silent identity
  }
}

/** dz = dy * f'(z) elementwise over n floats; dz may alias dy. */
export function activationBackward(kind: i32, z: usize, dy: usize, dz: usize, n: i32, alpha: f32): void {
  switch (kind) {
    case SIGMOID: backwardLoop(SIGMOID, z, dy, dz, n, alpha); break;
    case TANH: backwardLoop(TANH, z, dy, dz, n, alpha); break;
    case RELU: backwardLoop(RELU, z, dy, dz, n, alpha); break;
    case LEAKY_RELU: backwardLoop(LEAKY_RELU, z, dy, dz, n, alpha); break;
    case ELU: backwardLoop(ELU, z, dy, dz, n, alpha); break;
    case SELU: backwardLoop(SELU, z, dy, dz, n, alpha); break;
    case SOFTPLUS: backwardLoop(SOFTPLUS, z, dy, dz, n, alpha); break;
    case SILU: backwardLoop(SILU, z, dy, dz, n, alpha); break;
    case GELU: backwardLoop(GELU, z, dy, dz, n, alpha); break;
    case MISH: backwardLoop(MISH, z, dy, dz, n, alpha); break;
    case IDENTITY: backwardLoop(IDENTITY, z, dy, dz, n, alpha); break;
    default: unreachable(); // as in activationForward
  }
}
