// Pure-JS twins of assembly/optimizers.ts. Every float32 operation of the kernel is rounded
// with Math.fround here too, so the two paths give the same bits. Outputs (wOut and the state
// outputs) may be the inputs themselves.
// The scalars come from a float32 parameter block, so they are rounded as the kernel's f32
// arguments are.
import type { UpdateKernel } from "../backend.js";
import {
  ADAM_BETA1,
  ADAM_BETA2,
  ADAM_DECOUPLED,
  ADAM_EPS,
  ADAM_INV_ROOT_BC2,
  ADAM_STEP_SIZE,
  LION_BETA1,
  LION_BETA2,
  PARAM_DECAY,
  PARAM_GRAD_SCALE,
  PARAM_LR,
  RMSPROP_EPS,
  RMSPROP_RHO,
  SGD_MOMENTUM,
  SGD_NESTEROV,
} from "../../kernelCodes/updateParams.js";

const f = Math.fround;

/** One update kernel over plain arrays: s0 and s1 are the state vectors (any array when the
 *  kernel does not use them), p the parameter block. */
type Update = (
  w: Float32Array,
  g: Float32Array,
  s0: Float32Array,
  s1: Float32Array,
  p: Float32Array,
  wOut: Float32Array,
  s0Out: Float32Array,
  s1Out: Float32Array,
) => void;

/** Every update kernel, as assembly/optimizers.ts dispatches them. */
export const UPDATES: Record<UpdateKernel, Update> = {
  sgd: (w, g, v, _, p, wOut, vOut) =>
    sgdStep(
      w,
      g,
      v,
      p[PARAM_LR]!,
      p[SGD_MOMENTUM]!,
      p[SGD_NESTEROV] !== 0,
      p[PARAM_DECAY]!,
      p[PARAM_GRAD_SCALE]!,
      wOut,
      vOut,
    ),
  adam: (w, g, m, v, p, wOut, mOut, vOut) =>
    adamStep(
      w,
      g,
      m,
      v,
      p[PARAM_LR]!,
      p[ADAM_BETA1]!,
      p[ADAM_BETA2]!,
      p[ADAM_EPS]!,
      p[PARAM_DECAY]!,
      p[ADAM_DECOUPLED] !== 0,
      p[PARAM_GRAD_SCALE]!,
      p[ADAM_STEP_SIZE]!,
      p[ADAM_INV_ROOT_BC2]!,
      wOut,
      mOut,
      vOut,
    ),
  rmsprop: (w, g, s, _, p, wOut, sOut) =>
    rmspropStep(
      w,
      g,
      s,
      p[PARAM_LR]!,
      p[RMSPROP_RHO]!,
      p[RMSPROP_EPS]!,
      p[PARAM_DECAY]!,
      p[PARAM_GRAD_SCALE]!,
      wOut,
      sOut,
    ),
  lion: (w, g, m, _, p, wOut, mOut) =>
    lionStep(w, g, m, p[PARAM_LR]!, p[LION_BETA1]!, p[LION_BETA2]!, p[PARAM_DECAY]!, p[PARAM_GRAD_SCALE]!, wOut, mOut),
};

export function sgdStep(
  w: Float32Array,
  g: Float32Array,
  v: Float32Array,
  lr: number,
  mu: number,
  nesterov: boolean,
  decay: number,
  gradScale: number,
  wOut: Float32Array,
  vOut: Float32Array,
): void {
  for (let i = 0; i < w.length; i++) {
    const wi = w[i]!;
    const gi = f(f(gradScale * g[i]!) + f(decay * wi));
    let step = gi;
    if (mu !== 0) {
      const vi = f(f(mu * v[i]!) + gi);
      vOut[i] = vi;
      step = nesterov ? f(gi + f(mu * vi)) : vi;
    }
    wOut[i] = wi - f(lr * step);
  }
}

export function adamStep(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  lr: number,
  b1: number,
  b2: number,
  eps: number,
  decay: number,
  decoupled: boolean,
  gradScale: number,
  stepSize: number,
  invRootBc2: number,
  wOut: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
): void {
  const c1 = f(1 - b1),
    c2 = f(1 - b2);
  const coupled = decoupled ? 0 : decay;
  const shrink = decoupled ? f(1 - f(lr * decay)) : 1;
  for (let i = 0; i < w.length; i++) {
    const wi = w[i]!;
    const gi = f(f(gradScale * g[i]!) + f(coupled * wi));
    const mi = f(f(b1 * m[i]!) + f(c1 * gi));
    const vi = f(f(b2 * v[i]!) + f(c2 * f(gi * gi)));
    const denom = f(f(f(Math.sqrt(vi)) * invRootBc2) + eps);
    mOut[i] = mi;
    vOut[i] = vi;
    wOut[i] = f(wi * shrink) - f(f(stepSize * mi) / denom);
  }
}

export function rmspropStep(
  w: Float32Array,
  g: Float32Array,
  s: Float32Array,
  lr: number,
  rho: number,
  eps: number,
  decay: number,
  gradScale: number,
  wOut: Float32Array,
  sOut: Float32Array,
): void {
  const c = f(1 - rho);
  for (let i = 0; i < w.length; i++) {
    const wi = w[i]!;
    const gi = f(f(gradScale * g[i]!) + f(decay * wi));
    const si = f(f(rho * s[i]!) + f(c * f(gi * gi)));
    sOut[i] = si;
    wOut[i] = wi - f(f(lr * gi) / f(f(Math.sqrt(si)) + eps));
  }
}

export function lionStep(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  lr: number,
  b1: number,
  b2: number,
  decay: number,
  gradScale: number,
  wOut: Float32Array,
  mOut: Float32Array,
): void {
  const c1 = f(1 - b1),
    c2 = f(1 - b2),
    shrink = f(1 - f(lr * decay));
  for (let i = 0; i < w.length; i++) {
    const wi = w[i]!,
      mi = m[i]!;
    const gi = f(gradScale * g[i]!);
    const c = f(f(b1 * mi) + f(c1 * gi));
    const sign = c > 0 ? 1 : c < 0 ? -1 : 0; // 0 and NaN give 0, as the kernel's compare masks
    mOut[i] = f(b2 * mi) + f(c2 * gi);
    wOut[i] = f(wi * shrink) - f(lr * sign);
  }
}
