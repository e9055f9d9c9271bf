// Inverted dropout (Srivastava et al. 2014; the Keras form): in training each element is kept
// with probability 1 - rate and scaled by 1 / (1 - rate), so inference is the identity. The
// mask comes from xoshiro128** seeded by (seed, stream), so one (seed, stream) pair always
// gives the same mask on every engine: the caller derives the stream from the layer and step.
import { next, rngSeed, unit } from "./random";
import { loadLanes, storeLanes } from "./math";
import { scratch, RNG_STATE } from "./scratch";

/** y = x mask with mask = (u >= rate ? 1 / (1 - rate) : 0), u uniform in [0, 1) on 24 bits
 *  (element 4 i + l from lane l of draw i); the mask is kept for the backward pass. y may be x. */
export function dropoutForward(x: usize, mask: usize, y: usize, n: i32, rate: f32, seed: u32, stream: u32): void {
  const state = scratch(RNG_STATE);
  rngSeed(state, seed, stream);
  const vrate = f32x4.splat(rate), keep = f32x4.splat(<f32>1 / (<f32>1 - rate)), zero = f32x4.splat(0);
  for (let j = 0; j < n; j += 4) {
    const lanes = min(4, n - j), o = <usize>j << 2;
    const m = v128.bitselect(keep, zero, f32x4.ge(unit(next(state)), vrate));
    storeLanes(mask + o, m, lanes);
    storeLanes(y + o, f32x4.mul(loadLanes(x + o, lanes, 0), m), lanes);
  }
}

/** dx = dy mask (dx may be dy). */
export function dropoutBackward(dy: usize, mask: usize, dx: usize, n: i32): void {
  for (let j = 0; j < n; j += 4) {
    const lanes = min(4, n - j), o = <usize>j << 2;
    storeLanes(dx + o, f32x4.mul(loadLanes(dy + o, lanes, 0), loadLanes(mask + o, lanes, 0)), lanes);
  }
}
