// The one interface the model code talks to. Two implementations: the wasm SIMD core
// (wasm.ts) and the pure-JS path (js/), which is the test oracle and benchmark baseline.
// Kernels here trust their arguments: the public API (src/initializers.ts, the model)
// validates first. Matrices are row-major float32.
import type { ElementwiseActivation } from "../activations.js";

/** A float32 buffer owned by a backend (wasm linear memory or a Float32Array). */
export interface Tensor {
  readonly length: number;
}

/** How two tensors' storage relates: the same window, no common float, or a partial overlap. */
export type Overlap = "same" | "disjoint" | "partial";

/** A seeded random stream (xoshiro128** in four lanes; see assembly/random.ts). */
export interface RandomStream {
  readonly seed: number;
  readonly stream: number;
}

export interface Backend {
  readonly name: "wasm" | "js";

  alloc(length: number): Tensor;
  free(tensor: Tensor): void;
  /** A window of `length` floats from `start`, sharing storage; freeing it is a no-op. */
  slice(tensor: Tensor, start: number, length: number): Tensor;
  overlap(a: Tensor, b: Tensor): Overlap;
  write(tensor: Tensor, data: ArrayLike<number>, at?: number): void;
  /** A copy of the contents: never aliases backend memory. */
  read(tensor: Tensor): Float32Array;

  fill(tensor: Tensor, value: number): void;
  scale(tensor: Tensor, s: number): void;

  /** c = alpha op(a) op(b) + beta c, op(a) m x k, op(b) k x n, c m x n. beta = 0 ignores c's contents. */
  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Tensor, b: Tensor, beta: number, c: Tensor): void;
  /** x[i, :] += bias. */
  addBias(x: Tensor, bias: Tensor, rows: number, cols: number): void;
  /** out[j] = sum_i x[i, j]. */
  sumRows(x: Tensor, out: Tensor, rows: number, cols: number): void;

  /** y = f(x) over the whole of x (y may be x). */
  activation(name: ElementwiseActivation, x: Tensor, y: Tensor, alpha: number): void;
  /** dz = dy * f'(z) (dz may be dy). */
  activationGrad(name: ElementwiseActivation, z: Tensor, dy: Tensor, dz: Tensor, alpha: number): void;
  softmax(x: Tensor, y: Tensor, rows: number, cols: number): void;
  softmaxGrad(y: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number): void;

  random(seed: number, stream: number): RandomStream;
  freeRandom(rng: RandomStream): void;
  fillBits(rng: RandomStream, out: Tensor): void;
  /** Uniform in [lo, hi); lo == hi fills lo. */
  fillUniform(rng: RandomStream, out: Tensor, lo: number, hi: number): void;
  fillNormal(rng: RandomStream, out: Tensor, mean: number, std: number): void;
  /** mean + std z, z standard normal conditioned on lo <= z <= hi (std units). */
  fillTruncatedNormal(rng: RandomStream, out: Tensor, mean: number, std: number, lo: number, hi: number): void;
  /** In-place Gram-Schmidt on the rows (rows <= cols); false if a row had (almost) no
   *  component outside the span of the rows before it. */
  orthonormalizeRows(x: Tensor, rows: number, cols: number): boolean;
  transpose(src: Tensor, dst: Tensor, rows: number, cols: number): void;

  /** Ends the backend: its tensors and streams can no longer be used. */
  dispose(): void;
}

/** The largest float32 strictly below x (x finite): caps uniform samples under hi. */
export function float32Below(x: number): number {
  const rounded = Math.fround(x);
  if (rounded < x) return rounded;
  const f = new Float32Array([rounded]);
  const u = new Uint32Array(f.buffer);
  if (x === 0) u[0] = 0x80000001; // -min subnormal
  else if (x > 0) u[0]! -= 1;
  else u[0]! += 1;
  return f[0]!;
}
