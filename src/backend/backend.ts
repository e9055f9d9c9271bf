// The one interface the model code talks to. Two implementations: the wasm SIMD core
// (wasm.ts) and the pure-JS path (js/), which is the test oracle and benchmark baseline.
// Kernels here trust their arguments: the public API (src/initializers.ts, the model)
// validates first. Matrices are row-major float32.
import type { ElementwiseActivation } from "../activations.js";
import { SGD_MOMENTUM, UPDATE_ADAM, UPDATE_LION, UPDATE_RMSPROP, UPDATE_SGD } from "../kernelCodes/updateParams.js";

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

/** The update kernels of Backend.optimizerStep: each one's code in the wasm core and the state
 *  tensors it reads and writes, given its parameter block (layout in src/kernelCodes/updateParams.ts). */
export const UPDATE_KERNELS = {
  sgd: { code: UPDATE_SGD, stateTensors: (p: Float32Array): number => (p[SGD_MOMENTUM] === 0 ? 0 : 1) }, // velocity
  adam: { code: UPDATE_ADAM, stateTensors: (): number => 2 }, // first and second moments
  rmsprop: { code: UPDATE_RMSPROP, stateTensors: (): number => 1 }, // mean of the squares
  lion: { code: UPDATE_LION, stateTensors: (): number => 1 }, // momentum
} as const satisfies Record<string, { code: number; stateTensors(params: Float32Array): number }>;
/** An optimizer update kernel. */
export type UpdateKernel = keyof typeof UPDATE_KERNELS;
/** Where an update writes: the new weights and each new state tensor. */
export interface UpdateOutputs {
  w: Tensor;
  state: Tensor[];
}

/** The compute kernels and memory a model runs on: the wasm SIMD core or its pure-JS twin. */
export interface Backend {
  readonly name: "wasm" | "js";
  /** Threads the kernels run on: the calling thread and its workers (the wasm core over a
   *  shared memory), else 1. */
  readonly threads: number;
  /** Why fewer threads run than were asked for (no SharedArrayBuffer here, a worker lost), or null. */
  readonly threadsReason: string | null;

  /** A new tensor of `length` floats (its contents are unspecified until written). */
  alloc(length: number): Tensor;
  /** Returns the tensor's storage to the backend; the tensor can no longer be used. */
  free(tensor: Tensor): void;
  /** A window of `length` floats from `start`, sharing storage; freeing it is a no-op. */
  slice(tensor: Tensor, start: number, length: number): Tensor;
  /** How the storage of `a` and `b` relates (kernels refuse partial overlaps). */
  overlap(a: Tensor, b: Tensor): Overlap;
  /** Copies `data` into the tensor from index `at` (default 0), rounding to float32. */
  write(tensor: Tensor, data: ArrayLike<number>, at?: number): void;
  /** A copy of the contents: never aliases backend memory. */
  read(tensor: Tensor): Float32Array;
  /** Copies the contents into `out` from index `at` (default 0), allocating nothing. */
  readInto(tensor: Tensor, out: Float32Array, at?: number): void;

  /** Sets every element to `value`. */
  fill(tensor: Tensor, value: number): void;
  /** Multiplies every element by `s` in place. */
  scale(tensor: Tensor, s: number): void;

  /** c = alpha op(a) op(b) + beta c, op(a) m x k, op(b) k x n, c m x n. beta = 0 ignores c's contents. */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Tensor,
    b: Tensor,
    beta: number,
    c: Tensor,
  ): void;
  /** y = x w + bias for a few rows (x rows x k, w k x n, y rows x n), w read where it lies.
   *  Bit for bit sgemm(false, false, rows, n, k, 1, x, w, 0, y) then addBias(y, bias). */
  matvec(rows: number, n: number, k: number, x: Tensor, w: Tensor, bias: Tensor, y: Tensor): void;
  /** packed = w (k x n) laid out for sgemmPacked, packedWeightsLength(k, n) floats. */
  packWeights(w: Tensor, k: number, n: number, packed: Tensor): void;
  /** c = a w (a m x k, c m x n) with w from packWeights: bit for bit sgemm(false, false, m, n, k, 1, a, w, 0, c). */
  sgemmPacked(m: number, n: number, k: number, a: Tensor, packed: Tensor, c: Tensor): void;
  /** x[i, :] += bias. */
  addBias(x: Tensor, bias: Tensor, rows: number, cols: number): void;
  /** out[j] = sum_i x[i, j]. */
  sumRows(x: Tensor, out: Tensor, rows: number, cols: number): void;

  /** y = f(x) over the whole of x (y may be x). */
  activation(name: ElementwiseActivation, x: Tensor, y: Tensor, alpha: number): void;
  /** dz = dy * f'(z) (dz may be dy). */
  activationGrad(name: ElementwiseActivation, z: Tensor, dy: Tensor, dz: Tensor, alpha: number): void;
  /** Row-wise softmax: y = exp(x - max) / sum exp(x - max); y may be x. */
  softmax(x: Tensor, y: Tensor, rows: number, cols: number): void;
  /** dx = y (dy - sum(dy y)) per row, from the softmax output y; dx may be dy. */
  softmaxGrad(y: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number): void;
  /** Row-wise log-softmax: y = x - logsumexp(x); y may be x. */
  logSoftmax(x: Tensor, y: Tensor, rows: number, cols: number): void;
  /** dx = dy - softmax(x) sum(dy) per row, from the log-softmax output y; dx may be dy. */
  logSoftmaxGrad(y: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number): void;

  // Normalization layers (assembly/normalization.ts). Variances are biased (divided by the count).
  /** Training-mode batch normalization over the rows, per column: stats gets
   *  [mean | variance | 1 / sqrt(variance + epsilon)] (3 cols floats), xhat the normalized
   *  values, y = xhat gamma + beta (y may be x). */
  batchNormForward(
    x: Tensor,
    y: Tensor,
    xhat: Tensor,
    stats: Tensor,
    gamma: Tensor,
    beta: Tensor,
    rows: number,
    cols: number,
    epsilon: number,
  ): void;
  /** Inference-mode batch normalization from the moving mean and variance (y may be x). */
  batchNormInference(
    x: Tensor,
    y: Tensor,
    mean: Tensor,
    variance: Tensor,
    gamma: Tensor,
    beta: Tensor,
    rows: number,
    cols: number,
    epsilon: number,
  ): void;
  /** dGamma = sum dy xhat, dBeta = sum dy per column; dx from dy (dx may be dy). */
  batchNormBackward(
    xhat: Tensor,
    dy: Tensor,
    dx: Tensor,
    invStd: Tensor,
    gamma: Tensor,
    dGamma: Tensor,
    dBeta: Tensor,
    rows: number,
    cols: number,
  ): void;
  /** moving = moving momentum + batch (1 - momentum) over moving's length. */
  movingAverage(moving: Tensor, batch: Tensor, momentum: number): void;
  /** Layer normalization of each row: invStd gets one float per row (y may be x). */
  layerNormForward(
    x: Tensor,
    y: Tensor,
    xhat: Tensor,
    invStd: Tensor,
    gamma: Tensor,
    beta: Tensor,
    rows: number,
    cols: number,
    epsilon: number,
  ): void;
  /** dGamma, dBeta summed over the rows; dx from dy (dx may be dy). */
  layerNormBackward(
    xhat: Tensor,
    dy: Tensor,
    dx: Tensor,
    invStd: Tensor,
    gamma: Tensor,
    dGamma: Tensor,
    dBeta: Tensor,
    rows: number,
    cols: number,
  ): void;
  /** Inverted dropout over x's length: mask = 0 with probability rate, else 1 / (1 - rate),
   *  drawn from the stream (seed, stream); y = x mask (y may be x). */
  dropoutForward(x: Tensor, mask: Tensor, y: Tensor, rate: number, seed: number, stream: number): void;
  /** dx = dy mask (dx may be dy). */
  dropoutBackward(dy: Tensor, mask: Tensor, dx: Tensor): void;

  /** A random stream fixed by `seed` and `stream`: the same pair gives the same numbers on every backend. */
  random(seed: number, stream: number): RandomStream;
  /** Ends a random stream from {@link Backend.random}. */
  freeRandom(rng: RandomStream): void;
  /** Fills `out` with the stream's next raw 32-bit outputs, one per element, stored as the float's bits. */
  fillBits(rng: RandomStream, out: Tensor): void;
  /** Uniform in [lo, hi); lo == hi fills lo. */
  fillUniform(rng: RandomStream, out: Tensor, lo: number, hi: number): void;
  /** Normal with the given mean and standard deviation. */
  fillNormal(rng: RandomStream, out: Tensor, mean: number, std: number): void;
  /** mean + std z, z standard normal conditioned on lo <= z <= hi (std units). */
  fillTruncatedNormal(rng: RandomStream, out: Tensor, mean: number, std: number, lo: number, hi: number): void;
  /** In-place Gram-Schmidt on the rows (rows <= cols); false if a row had (almost) no
   *  component outside the span of the rows before it. */
  orthonormalizeRows(x: Tensor, rows: number, cols: number): boolean;
  /** dst (cols x rows) = the transpose of src (rows x cols); disjoint. */
  transpose(src: Tensor, dst: Tensor, rows: number, cols: number): void;

  /** dst = src (same length, disjoint). */
  copy(src: Tensor, dst: Tensor): void;
  /** dst row i = src row index[i] for i < count; index holds row numbers as floats (< 2^24). */
  gatherRows(src: Tensor, index: Tensor, dst: Tensor, count: number, cols: number): void;
  /** Sum of the squares in float64 (not finite if any element is not). */
  sumSquares(x: Tensor): number;
  /** How many elements are NaN or infinite. */
  countNonFinite(x: Tensor): number;

  // Losses: each returns the loss summed over the elements (softmax, hinge: over the rows) and,
  // when grad is not null, writes scale * its gradient with respect to the first argument.
  // `weights` (one float per row, sample weights) multiplies each row's loss and gradient.
  /** sum (p - t)^2. */
  meanSquaredError(pred: Tensor, target: Tensor, grad: Tensor | null, scale: number, weights?: Tensor | null): number;
  /** Binary cross-entropy from the logits z (not the probabilities): max(z, 0) - z t + log(1 + exp(-|z|)). */
  sigmoidCrossEntropy(
    logits: Tensor,
    target: Tensor,
    grad: Tensor | null,
    scale: number,
    weights?: Tensor | null,
  ): number;
  /** From probabilities clipped to [eps, 1 - eps]. */
  binaryCrossEntropy(
    prob: Tensor,
    target: Tensor,
    grad: Tensor | null,
    scale: number,
    eps: number,
    weights?: Tensor | null,
  ): number;
  /** probs = softmax(logits) from the forward pass; grad is with respect to the logits. */
  softmaxCrossEntropy(
    logits: Tensor,
    target: Tensor,
    probs: Tensor,
    grad: Tensor | null,
    rows: number,
    cols: number,
    scale: number,
    weights?: Tensor | null,
  ): number;
  /** sum |p - t| (Keras' mean_absolute_error before the mean). */
  meanAbsoluteError(pred: Tensor, target: Tensor, grad: Tensor | null, scale: number, weights?: Tensor | null): number;
  /** Keras' huber before the mean: d^2 / 2 within delta of the target, delta |d| - delta^2 / 2 beyond. */
  huber(
    pred: Tensor,
    target: Tensor,
    grad: Tensor | null,
    scale: number,
    delta: number,
    weights?: Tensor | null,
  ): number;
  /** Keras' log_cosh before the mean: log cosh(p - t). */
  logCosh(pred: Tensor, target: Tensor, grad: Tensor | null, scale: number, weights?: Tensor | null): number;
  /** Keras' categorical_hinge summed over the rows: max(0, 1 + max_j (1 - t_j) p_j - sum_j t_j p_j). */
  categoricalHinge(
    pred: Tensor,
    target: Tensor,
    grad: Tensor | null,
    rows: number,
    cols: number,
    scale: number,
    weights?: Tensor | null,
  ): number;
  /** Keras' L1L2 penalty l1 sum|w| + l2 sum w^2; with grad, adds l1 sign(w) + 2 l2 w to it. */
  regularize(w: Tensor, grad: Tensor | null, l1: number, l2: number): number;
  /** Rows predicted right: one column (y > threshold) == (t > 0.5); more, argmax y == argmax t. */
  countCorrect(y: Tensor, target: Tensor, rows: number, cols: number, threshold: number): number;

  /** One optimizer update of w from its gradient g (same length) and the kernel's state
   *  tensors (UPDATE_KERNELS[kernel].stateTensors(params) of them, each as long as w), with
   *  the scalars in `params`, a parameter block of UPDATE_PARAMS floats laid out as
   *  src/kernelCodes/updateParams.ts says. Results go to `out` (new weights and state, in the inputs' order)
   *  or, without it, in place. */
  optimizerStep(
    kernel: UpdateKernel,
    w: Tensor,
    g: Tensor,
    state: readonly Tensor[],
    params: Float32Array,
    out?: UpdateOutputs,
  ): void;

  // Reductions for the diagnostics.
  /** Sum of the elements in float64. */
  sum(x: Tensor): number;
  /** Elements with |x| > t. */
  countAbsAbove(x: Tensor, t: number): number;
  /** Elements with x < t. */
  countBelow(x: Tensor, t: number): number;
  /** out[j] = max over the rows of column j, folded into out[j] when accumulating; NaN wins. */
  columnMax(x: Tensor, rows: number, cols: number, out: Tensor, accumulate: boolean): void;
  /** Adds counts into out (bins + 2 floats): below lo, the bins over [lo, hi), at or above hi. */
  histogram(x: Tensor, lo: number, hi: number, bins: number, out: Tensor): void;
  /** One 32-bit hash per column (FNV-1a of its bits, -0 as 0): equal columns hash alike. */
  columnHashes(x: Tensor, rows: number, cols: number): Uint32Array;
  /** Columns whose nonzero entries all have one sign. */
  countSameSignColumns(x: Tensor, rows: number, cols: number): number;
  /** sum (a - b)^2 in float64. */
  sumSquaredDiff(a: Tensor, b: Tensor): number;
  /** out[j] = sum over the rows of x[i, j]^2. */
  columnSumSquares(x: Tensor, out: Tensor, rows: number, cols: number): void;

  /** Ends the backend: its tensors and streams can no longer be used. */
  dispose(): void;
}

/** Floats packWeights writes for a k x n matrix: n rounded up to whole 8-column panels. */
export function packedWeightsLength(k: number, n: number): number {
  return k * Math.ceil(n / 8) * 8;
}

/** The largest float32 strictly below x (x finite): caps uniform samples under hi. */
export function float32Below(x: number): number {
  const rounded = Math.fround(x);
  if (rounded < x) return rounded;
  const f = new Float32Array([rounded]);
  const u = new Uint32Array(f.buffer);
  if (x === 0)
    u[0] = 0x80000001; // -min subnormal
  else if (x > 0) u[0]! -= 1;
  else u[0]! += 1;
  return f[0]!;
}
