// Seeded draws on the JS side (shuffling, the toy datasets, the lessons' inputs), from the
// library's own xoshiro128** (src/backend/js/random.ts): the same sequence on every engine.
import * as xoshiro from "./backend/js/random.js";

export class Draws {
  private readonly state: Uint32Array;
  private readonly bits = new Uint32Array(4);
  private used = 4;
  constructor(seed: number, stream: number) {
    this.state = xoshiro.seedState(seed >>> 0, stream >>> 0);
  }
  /** Uniform in [0, 1), from 32 random bits (float64 arithmetic only). */
  uniform(): number {
    if (this.used === 4) { xoshiro.next(this.state, this.bits); this.used = 0; }
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
