// Optimizer updates over a flat run of parameters w, their gradients g and the optimizer's
// state, four floats per step. Results go to wOut and the state outputs, which may be the
// inputs themselves (in place) or a second copy: a model updates its other copy and switches
// to it only when the update has completed, so a failure mid-update leaves it untouched.
// Every update first forms g' = gradScale g (global-norm clipping) + decay w (L2 weight
// decay, coupled into the gradient); the formulas follow PyTorch's torch.optim documentation
// so results can be compared with it. One entry point,
// optimizerStep, reads the scalars from a parameter block laid out by src/kernelCodes/updateParams.ts.
import {
  UPDATE_SGD, UPDATE_ADAM, UPDATE_RMSPROP, UPDATE_LION, UPDATE_PARAMS, PARAM_LR, PARAM_DECAY, PARAM_GRAD_SCALE,
  SGD_MOMENTUM, SGD_NESTEROV, ADAM_BETA1, ADAM_BETA2, ADAM_EPS, ADAM_DECOUPLED, ADAM_STEP_SIZE, ADAM_INV_ROOT_BC2,
  RMSPROP_RHO, RMSPROP_EPS, LION_BETA1, LION_BETA2,
} from "../src/kernelCodes/updateParams";

// The parameter block the TypeScript side fills before each optimizerStep.
const paramBlock = memory.data(UPDATE_PARAMS * 4, 16);

/** Where to write an update's parameter block (UPDATE_PARAMS floats). */
export function updateParams(): usize {
  return paramBlock;
}

// @ts-ignore: decorator
@inline function param(p: usize, slot: i32): f32 { return load<f32>(p + (<usize>slot << 2)); }

/** One optimizer update of n parameters: kernel is an UPDATE_* code, p its parameter block,
 *  s0 and s1 the state vectors it reads (0 when unused) and the *Out pointers where the new
 *  weights and state go. An unknown code traps. */
export function optimizerStep(kernel: i32, p: usize, n: i32, w: usize, g: usize, s0: usize, s1: usize,
  wOut: usize, s0Out: usize, s1Out: usize): void {
  const lr = param(p, PARAM_LR), decay = param(p, PARAM_DECAY), gradScale = param(p, PARAM_GRAD_SCALE);
  switch (kernel) {
    case UPDATE_SGD:
      sgdStep(w, g, s0, n, lr, param(p, SGD_MOMENTUM), <i32>(param(p, SGD_NESTEROV) != 0), decay, gradScale, wOut,
          s0Out);
      return;
    case UPDATE_ADAM:
      adamStep(w, g, s0, s1, n, lr, param(p, ADAM_BETA1), param(p, ADAM_BETA2), param(p, ADAM_EPS), decay,
        <i32>(param(p, ADAM_DECOUPLED) != 0), gradScale, param(p, ADAM_STEP_SIZE), param(p, ADAM_INV_ROOT_BC2), wOut,
            s0Out, s1Out);
      return;
    case UPDATE_RMSPROP:
      rmspropStep(w, g, s0, n, lr, param(p, RMSPROP_RHO), param(p, RMSPROP_EPS), decay, gradScale, wOut, s0Out);
      return;
    case UPDATE_LION:
      lionStep(w, g, s0, n, lr, param(p, LION_BETA1), param(p, LION_BETA2), decay, gradScale, wOut, s0Out);
      return;
  }
  unreachable();
}

// The scalar tail goes through the same vector code on one lane (loaded into lane 0, stored
// from it), so an element's result never depends on whether it sits in the tail.
// @ts-ignore: decorator
@inline function load4(p: usize, tail: bool): v128 { return tail ? v128.load32_zero(p) : v128.load(p); }
// @ts-ignore: decorator
@inline function store4(p: usize, v: v128, tail: bool): void {
  if (tail) v128.store32_lane(p, v, 0); else v128.store(p, v);
}
/** g' = gradScale g + decay w, the gradient every update starts from. */
// @ts-ignore: decorator
@inline function decayed(g: usize, wi: v128, tail: bool, vscale: v128, vdecay: v128): v128 {
  return f32x4.add(f32x4.mul(vscale, load4(g, tail)), f32x4.mul(vdecay, wi));
}

/** SGD with momentum mu (0: plain) and optional Nesterov (Sutskever et al. 2013, as
 *  torch.optim.SGD): v = mu v + g'; w -= lr (nesterov ? g' + mu v : v). */
function sgdStep(w: usize, g: usize, v: usize, n: i32, lr: f32, mu: f32, nesterov: i32, decay: f32, gradScale: f32,
  wOut: usize, vOut: usize): void {
  const vlr = f32x4.splat(lr), vmu = f32x4.splat(mu), vdecay = f32x4.splat(decay), vscale = f32x4.splat(gradScale);
  const full = n & ~3;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const tail = i >= full;
    const wi = load4(w + o, tail);
    const gi = decayed(g + o, wi, tail, vscale, vdecay);
    let step = gi;
    if (mu != 0) {
      const vi = f32x4.add(f32x4.mul(vmu, load4(v + o, tail)), gi);
      store4(vOut + o, vi, tail);
      step = nesterov ? f32x4.add(gi, f32x4.mul(vmu, vi)) : vi;
    }
    store4(wOut + o, f32x4.sub(wi, f32x4.mul(vlr, step)), tail);
    if (tail) i -= 3;
  }
}

/** Adam (Kingma & Ba 2015) as torch.optim.Adam, or AdamW (Loshchilov & Hutter 2019) when
 *  decoupled: w -= lr decay w first instead of adding decay w to g.
 *  m = b1 m + (1 - b1) g'; v = b2 v + (1 - b2) g'^2; w -= stepSize m / (sqrt(v) invRootBc2 + eps),
 *  with stepSize = lr / (1 - b1^t) and invRootBc2 = 1 / sqrt(1 - b2^t) from the caller. */
function adamStep(w: usize, g: usize, m: usize, v: usize, n: i32, lr: f32, b1: f32, b2: f32, eps: f32,
  decay: f32, decoupled: i32, gradScale: f32, stepSize: f32, invRootBc2: f32, wOut: usize, mOut: usize,
      vOut: usize): void {
  const vb1 = f32x4.splat(b1), vc1 = f32x4.splat(1 - b1), vb2 = f32x4.splat(b2), vc2 = f32x4.splat(1 - b2);
  const veps = f32x4.splat(eps), vstep = f32x4.splat(stepSize), vroot = f32x4.splat(invRootBc2);
  const vscale = f32x4.splat(gradScale);
  // Coupled decay adds decay w to g; decoupled multiplies w by 1 - lr decay.
  const vcoupled = f32x4.splat(decoupled ? 0 : decay);
  const vshrink = f32x4.splat(decoupled ? 1 - lr * decay : 1);
  const full = n & ~3;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const tail = i >= full;
    const wi = load4(w + o, tail);
    const gi = decayed(g + o, wi, tail, vscale, vcoupled);
    const mi = f32x4.add(f32x4.mul(vb1, load4(m + o, tail)), f32x4.mul(vc1, gi));
    const vi = f32x4.add(f32x4.mul(vb2, load4(v + o, tail)), f32x4.mul(vc2, f32x4.mul(gi, gi)));
    const denom = f32x4.add(f32x4.mul(f32x4.sqrt(vi), vroot), veps);
    store4(mOut + o, mi, tail);
    store4(vOut + o, vi, tail);
    store4(wOut + o, f32x4.sub(f32x4.mul(wi, vshrink), f32x4.div(f32x4.mul(vstep, mi), denom)), tail);
    if (tail) i -= 3;
  }
}

/** RMSprop (Hinton's lecture 6e) as torch.optim.RMSprop without momentum:
 *  s = rho s + (1 - rho) g'^2; w -= lr g' / (sqrt(s) + eps). */
function rmspropStep(w: usize, g: usize, s: usize, n: i32, lr: f32, rho: f32, eps: f32, decay: f32, gradScale: f32,
  wOut: usize, sOut: usize): void {
  const vlr = f32x4.splat(lr), vrho = f32x4.splat(rho), vc = f32x4.splat(1 - rho), veps = f32x4.splat(eps);
  const vdecay = f32x4.splat(decay), vscale = f32x4.splat(gradScale);
  const full = n & ~3;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const tail = i >= full;
    const wi = load4(w + o, tail);
    const gi = decayed(g + o, wi, tail, vscale, vdecay);
    const si = f32x4.add(f32x4.mul(vrho, load4(s + o, tail)), f32x4.mul(vc, f32x4.mul(gi, gi)));
    store4(sOut + o, si, tail);
    store4(wOut + o, f32x4.sub(wi, f32x4.div(f32x4.mul(vlr, gi), f32x4.add(f32x4.sqrt(si), veps))), tail);
    if (tail) i -= 3;
  }
}

/** Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"), as Keras 3 and optax:
 *  u = sign(b1 m + (1 - b1) g'); w = w (1 - lr decay) - lr u (decoupled decay); m = b2 m + (1 - b2) g'.
 *  g' = gradScale g. sign(0) and sign(NaN) are 0. */
function lionStep(w: usize, g: usize, m: usize, n: i32, lr: f32, b1: f32, b2: f32, decay: f32, gradScale: f32,
  wOut: usize, mOut: usize): void {
  const vb1 = f32x4.splat(b1), vc1 = f32x4.splat(1 - b1), vb2 = f32x4.splat(b2), vc2 = f32x4.splat(1 - b2);
  const vlr = f32x4.splat(lr), vshrink = f32x4.splat(1 - lr * decay), vscale = f32x4.splat(gradScale);
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  const full = n & ~3;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const tail = i >= full;
    const wi = load4(w + o, tail), mi = load4(m + o, tail);
    const gi = f32x4.mul(vscale, load4(g + o, tail));
    const c = f32x4.add(f32x4.mul(vb1, mi), f32x4.mul(vc1, gi));
    // sign(c): 1.0 where c > 0, minus 1.0 where c < 0; both masks are clear for 0 and NaN.
    const sign = f32x4.sub(v128.and(f32x4.gt(c, zero), one), v128.and(f32x4.lt(c, zero), one));
    store4(mOut + o, f32x4.add(f32x4.mul(vb2, mi), f32x4.mul(vc2, gi)), tail);
    store4(wOut + o, f32x4.sub(f32x4.mul(wi, vshrink), f32x4.mul(vlr, sign)), tail);
    if (tail) i -= 3;
  }
}
