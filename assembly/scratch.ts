// Per-thread scratch: the temporary buffers of the kernels (SGEMM's packed panels, the tiles
// and lane spills of the others). One instance of the core runs on each thread over a shared
// memory, and a global is per instance, so each thread points its instance at its own region
// with useScratch; the calling thread keeps the static region below the heap.
import { MR, NR, MC, KC, NC } from "./blocking";

/** Byte offsets of each kernel's buffer inside a thread's region (16-byte aligned). */
export const PACKED_A = 0; // MC x KC floats of A
export const PACKED_B = PACKED_A + MC * KC * 4; // KC x NC floats of B
export const EDGE_TILE = PACKED_B + KC * NC * 4; // one MR x NR block of C
export const LANES_A = EDGE_TILE + MR * NR * 4; // 32 columns of four rows (softmax), 8 lanes (activations, random)
export const LANES_B = LANES_A + 32 * 16;
export const RNG_STATE = LANES_B + 32 * 16; // a random stream's 64-byte state (dropout's masks)
/** Bytes of one thread's region. */
export const SCRATCH_BYTES = RNG_STATE + 64;

let base: usize = memory.data(SCRATCH_BYTES, 16);

/** Points this instance's kernels at the region from `p` (SCRATCH_BYTES, 16-byte aligned). */
export function useScratch(p: usize): void {
  base = p;
}

/** Where this instance's scratch region starts. */
export function scratchAt(): usize {
  return base;
}

/** Bytes each thread's scratch region takes. */
export function scratchBytes(): usize {
  return <usize>SCRATCH_BYTES;
}

/** The address of the buffer at `offset` in this thread's region. */
// @ts-ignore: decorator
@inline export function scratch(offset: i32): usize {
  return base + <usize>offset;
}
