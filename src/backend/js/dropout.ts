// Pure-JS twin of assembly/dropout.ts: the same generator and the same 24-bit uniforms, so
// the same masks bit for bit.
import { next, seedState } from "./random.js";

const bits = new Uint32Array(4);

export function dropoutForward(
  x: Float32Array,
  mask: Float32Array,
  y: Float32Array,
  n: number,
  rate: number,
  seed: number,
  stream: number,
): void {
  const state = seedState(seed >>> 0, stream >>> 0);
  const r = Math.fround(rate),
    keep = Math.fround(1 / Math.fround(1 - r));
  for (let j = 0; j < n; j++) {
    if ((j & 3) === 0) next(state, bits);
    const m = (bits[j & 3]! >>> 8) * 2 ** -24 >= r ? keep : 0;
    mask[j] = m;
    y[j] = Math.fround(x[j]! * m);
  }
}

export function dropoutBackward(dy: Float32Array, mask: Float32Array, dx: Float32Array, n: number): void {
  for (let j = 0; j < n; j++) dx[j] = Math.fround(dy[j]! * mask[j]!);
}
