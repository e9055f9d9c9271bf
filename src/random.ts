// The library's PRNG on the JS side: xoshiro128** in four lanes, bit for bit the generator of
// assembly/random.ts (its JS twin, src/backend/js/random.ts, draws from this one), and the
// seeded draws built on it (shuffling, the toy datasets, the lessons' inputs): the same
// sequence on every engine.

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
    const s0 = s[l]!,
      s1 = s[4 + l]!,
      s2 = s[8 + l]!,
      s3 = s[12 + l]!;
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

/** Seeded uniform and normal draws from one (seed, stream) of the generator. */
export class Draws {
  private readonly state: Uint32Array;
  private readonly bits = new Uint32Array(4);
  private used = 4;
  constructor(seed: number, stream: number) {
    this.state = seedState(seed >>> 0, stream >>> 0);
  }
  /** Uniform in [0, 1), from 32 random bits (float64 arithmetic only). */
  uniform(): number {
    if (this.used === 4) {
      next(this.state, this.bits);
      this.used = 0;
    }
    return this.bits[this.used++]! / 4294967296;
  }
  /** Standard normal (Box-Muller; Math.log and Math.cos may differ in the last bits between engines). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.uniform())) * Math.cos(2 * Math.PI * this.uniform());
  }
}

/** Fisher-Yates in place, the same permutation on every engine for the same seed and stream. */
export function shuffle(order: { length: number; [i: number]: number }, seed: number, stream: number): void {
  const draw = new Draws(seed, stream);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(draw.uniform() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
}
