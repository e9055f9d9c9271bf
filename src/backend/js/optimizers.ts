// Pure-JS twins of assembly/optimizers.ts. Every float32 operation of the kernel is rounded
// with Math.fround here too, so the two paths give the same bits. Outputs (wOut and the state
// outputs) may be the inputs themselves.
const f = Math.fround;

export function sgdStep(w: Float32Array, g: Float32Array, v: Float32Array, lr: number, mu: number, nesterov: boolean,
  decay: number, gradScale: number, wOut: Float32Array, vOut: Float32Array): void {
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

export function adamStep(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, lr: number, b1: number, b2: number,
  eps: number, decay: number, decoupled: boolean, gradScale: number, stepSize: number, invRootBc2: number,
  wOut: Float32Array, mOut: Float32Array, vOut: Float32Array): void {
  const c1 = f(1 - b1), c2 = f(1 - b2);
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

export function rmspropStep(w: Float32Array, g: Float32Array, s: Float32Array, lr: number, rho: number, eps: number,
  decay: number, gradScale: number, wOut: Float32Array, sOut: Float32Array): void {
  const c = f(1 - rho);
  for (let i = 0; i < w.length; i++) {
    const wi = w[i]!;
    const gi = f(f(gradScale * g[i]!) + f(decay * wi));
    const si = f(f(rho * s[i]!) + f(c * f(gi * gi)));
    sOut[i] = si;
    wOut[i] = wi - f(f(lr * gi) / f(f(Math.sqrt(si)) + eps));
  }
}
