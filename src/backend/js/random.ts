// Pure-JS twin of assembly/random.ts. The generator and the uniform stream are bit-for-bit
// the same; normals use the same uniforms and the same Box-Muller layout but float64
// Math.log/cos/sin, so they agree with the core to float32 rounding, not bit for bit.
import { normalCdf, normalQuantile } from "../../normal.js";

const fmix32 = (z: number): number => {
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
};

/** 16 words: word w of lane l at index 4w + l (the core's four i32x4 registers). */
export function seedState(seed: number, stream: number): Uint32Array {
  const state = new Uint32Array(16);
  let x = fmix32((seed ^ fmix32((stream + 0x632be5ab) >>> 0)) >>> 0);
  for (let lane = 0; lane < 4; lane++) {
    let any = 0;
    for (let word = 0; word < 4; word++) {
      x = (x + 0x9e3779b9) >>> 0;
      const w = fmix32(x);
      state[word * 4 + lane] = w;
      any |= w;
    }
    if (any === 0) state[lane] = 1;
  }
  return state;
}

/** One xoshiro128** step in all four lanes; writes the four outputs to out[0..3]. */
export function next(s: Uint32Array, out: Uint32Array): void {
  for (let l = 0; l < 4; l++) {
    const s0 = s[l]!, s1 = s[4 + l]!, s2 = s[8 + l]!, s3 = s[12 + l]!;
    const x = Math.imul(s1, 5);
    out[l] = Math.imul((x << 7) | (x >>> 25), 9);
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    const n1 = s1 ^ n2;
    const n0 = s0 ^ n3;
    s[l] = n0;
    s[4 + l] = n1;
    s[8 + l] = n2 ^ t;
    s[12 + l] = (n3 << 11) | (n3 >>> 21);
  }
}

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
  const flo = f32(lo), w = f32(f32(hi) - flo), cap = hi > lo ? below : flo;
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

export function fillTruncatedNormal(state: Uint32Array, out: Float32Array, mean: number, std: number, lo: number, hi: number): void {
  const plo = normalCdf(lo), phi = normalCdf(hi);
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
