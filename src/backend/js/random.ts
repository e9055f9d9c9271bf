// Pure-JS twin of assembly/random.ts. The generator and the uniform stream are bit-for-bit
// the same; normals use the same uniforms and the same Box-Muller layout but float64
// Math.log/cos/sin, so they agree with the core to float32 rounding, not bit for bit.
import { normalCdf, normalQuantile } from "../../normal.js";
import { next, seedState } from "../../random.js";

// The generator itself lives in src/random.ts (the JS side draws from it too); the twin
// re-exports it under the core's names.
export { next, seedState };

const TWO_M24 = 5.9604644775390625e-8;
const bits = new Uint32Array(4);

export function fillBits(state: Uint32Array, out: Uint32Array): void {
  for (let i = 0; i < out.length; i += 4) {
    next(state, bits);
    for (let l = 0; l < 4 && i + l < out.length; l++) out[i + l] = bits[l]!;
  }
}

export function fillUniform(state: Uint32Array, out: Float32Array, lo: number, hi: number, below: number): void {
  const f32 = Math.fround;
  const flo = f32(lo),
    w = f32(f32(hi) - flo),
    cap = hi > lo ? below : flo;
  for (let i = 0; i < out.length; i += 4) {
    next(state, bits);
    for (let l = 0; l < 4 && i + l < out.length; l++) {
      // Same float32 operations as the core: u exact, then (u * w) rounded, then + lo rounded.
      const u = (bits[l]! >>> 8) * TWO_M24;
      out[i + l] = Math.min(f32(f32(u * w) + flo), cap);
    }
  }
}

const block = new Float64Array(8);

/** Eight standard normals, laid out as the core's normalBlock. */
function normalBlock(state: Uint32Array): void {
  next(state, bits);
  const r = [0, 0, 0, 0];
  for (let l = 0; l < 4; l++) r[l] = Math.sqrt(-2 * Math.log(((bits[l]! >>> 8) + 1) * TWO_M24));
  next(state, bits);
  for (let l = 0; l < 4; l++) {
    const angle = 2 * Math.PI * (bits[l]! >>> 8) * TWO_M24;
    block[l] = r[l]! * Math.cos(angle);
    block[4 + l] = r[l]! * Math.sin(angle);
  }
}

export function fillNormal(state: Uint32Array, out: Float32Array, mean: number, std: number): void {
  for (let i = 0; i < out.length; i += 8) {
    normalBlock(state);
    for (let j = 0; j < 8 && i + j < out.length; j++) out[i + j] = mean + std * block[j]!;
  }
}

export function fillTruncatedNormal(
  state: Uint32Array,
  out: Float32Array,
  mean: number,
  std: number,
  lo: number,
  hi: number,
): void {
  const plo = normalCdf(lo),
    phi = normalCdf(hi);
  const n = out.length;
  if (phi - plo >= 0.3) {
    let count = 0;
    while (count < n) {
      normalBlock(state);
      for (let j = 0; j < 8 && count < n; j++) {
        const z = Math.fround(block[j]!);
        if (z >= lo && z <= hi) out[count++] = mean + std * z;
      }
    }
    return;
  }
  const flip = lo > 0;
  const a = flip ? normalCdf(-hi) : plo;
  const width = (flip ? normalCdf(-lo) : phi) - a;
  let i = 0;
  while (i < n) {
    next(state, bits);
    for (let l = 0; l < 4 && i < n; l++) {
      let z = normalQuantile(a + width * (bits[l]! >>> 8) * TWO_M24);
      if (flip) z = -z;
      out[i++] = mean + std * Math.min(Math.max(z, lo), hi);
    }
  }
}
