// The pure-JS Backend: the same kernels as the wasm core over plain Float32Arrays.
import type { ElementwiseActivation } from "../../activations.js";
import { ArgumentError } from "../../errors.js";
import {
  float32Below,
  type Backend,
  type Overlap,
  type RandomStream,
  type Tensor,
  type UpdateKernel,
  type UpdateOutputs,
} from "../backend.js";
import { checkHolds, checkMatrix, checkSlice, checkWrite } from "../checks.js";
import * as activations from "./activations.js";
import * as bias from "./bias.js";
import * as dropout from "./dropout.js";
import * as initializers from "./initializers.js";
import * as losses from "./losses.js";
import * as matmul from "./matmul.js";
import * as matvec from "./matvec.js";
import * as normalization from "./normalization.js";
import * as regularizers from "./regularizers.js";
import * as optimizers from "./optimizers.js";
import * as random from "./random.js";
import * as softmax from "./softmax.js";
import * as stats from "./stats.js";
import * as vector from "./vector.js";

/** A Float32Array as a tensor. Frozen, so that its storage cannot be swapped for another's. */
export class JsTensor implements Tensor {
  constructor(readonly data: Float32Array) {
    Object.freeze(this);
  }
  get length(): number {
    return this.data.length;
  }
}

class JsRandom implements RandomStream {
  constructor(
    readonly seed: number,
    readonly stream: number,
    readonly state: Uint32Array,
  ) {
    Object.freeze(this);
  }
}

const data = (t: Tensor): Float32Array => {
  if (!(t instanceof JsTensor)) throw new ArgumentError("tensor", "a tensor of the js backend", t);
  return t.data;
};
const state = (r: RandomStream): Uint32Array => {
  if (!(r instanceof JsRandom)) throw new ArgumentError("rng", "a random stream of the js backend", r);
  return r.state;
};

/** The pure-JS backend: every kernel of the wasm core in plain TypeScript, the reference the tests compare it with. */
export class JsBackend implements Backend {
  readonly name = "js" as const;
  readonly threads = 1;
  readonly threadsReason = null;

  alloc(length: number): Tensor {
    return new JsTensor(new Float32Array(length));
  }
  free(_tensor: Tensor): void {}
  slice(tensor: Tensor, start: number, length: number): Tensor {
    const d = data(tensor);
    checkSlice(tensor, start, length); // subarray would clamp it silently
    return new JsTensor(d.subarray(start, start + length));
  }
  overlap(a: Tensor, b: Tensor): Overlap {
    if (!(a instanceof JsTensor) || !(b instanceof JsTensor)) return "disjoint"; // refused by the call itself
    const x = a.data,
      y = b.data;
    if (x.buffer !== y.buffer || x.length === 0 || y.length === 0) return "disjoint";
    if (x.byteOffset === y.byteOffset && x.length === y.length) return "same";
    const disjoint = x.byteOffset + x.byteLength <= y.byteOffset || y.byteOffset + y.byteLength <= x.byteOffset;
    return disjoint ? "disjoint" : "partial";
  }
  write(tensor: Tensor, values: ArrayLike<number>, at = 0): void {
    const d = data(tensor);
    checkWrite(tensor, values.length, at);
    d.set(values, at);
  }
  read(tensor: Tensor): Float32Array {
    return data(tensor).slice();
  }
  readInto(tensor: Tensor, out: Float32Array, at = 0): void {
    out.set(data(tensor), at);
  }

  fill(tensor: Tensor, value: number): void {
    vector.fill(data(tensor), value);
  }
  scale(tensor: Tensor, s: number): void {
    vector.scale(data(tensor), s);
  }

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
  ): void {
    matmul.sgemm(transA, transB, m, n, k, alpha, data(a), data(b), beta, data(c));
  }
  matvec(rows: number, n: number, k: number, x: Tensor, w: Tensor, b: Tensor, y: Tensor): void {
    matvec.matvec(rows, n, k, data(x), data(w), data(b), data(y));
  }
  packWeights(w: Tensor, k: number, n: number, packed: Tensor): void {
    matmul.packWeights(data(w), n, k, data(packed));
  }
  sgemmPacked(m: number, n: number, k: number, a: Tensor, packed: Tensor, c: Tensor): void {
    matmul.sgemmPacked(m, n, k, data(a), data(packed), data(c));
  }
  addBias(x: Tensor, b: Tensor, rows: number, cols: number): void {
    bias.addBias(data(x), data(b), rows, cols);
  }
  sumRows(x: Tensor, out: Tensor, rows: number, cols: number): void {
    bias.sumRows(data(x), data(out), rows, cols);
  }

  activation(name: ElementwiseActivation, x: Tensor, y: Tensor, alpha: number): void {
    activations.activationForward(name, data(x), data(y), Math.fround(alpha));
  }
  activationGrad(name: ElementwiseActivation, z: Tensor, dy: Tensor, dz: Tensor, alpha: number): void {
    activations.activationBackward(name, data(z), data(dy), data(dz), Math.fround(alpha));
  }
  softmax(x: Tensor, y: Tensor, rows: number, cols: number): void {
    softmax.softmaxForward(data(x), data(y), rows, cols);
  }
  softmaxGrad(y: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number): void {
    softmax.softmaxBackward(data(y), data(dy), data(dx), rows, cols);
  }
  logSoftmax(x: Tensor, y: Tensor, rows: number, cols: number): void {
    softmax.logSoftmaxForward(data(x), data(y), rows, cols);
  }
  logSoftmaxGrad(y: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number): void {
    softmax.logSoftmaxBackward(data(y), data(dy), data(dx), rows, cols);
  }

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
  ): void {
    normalization.batchNormForward(
      data(x),
      data(y),
      data(xhat),
      data(stats),
      data(gamma),
      data(beta),
      rows,
      cols,
      epsilon,
    );
  }
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
  ): void {
    normalization.batchNormInference(
      data(x),
      data(y),
      data(mean),
      data(variance),
      data(gamma),
      data(beta),
      rows,
      cols,
      epsilon,
    );
  }
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
  ): void {
    normalization.batchNormBackward(
      data(xhat),
      data(dy),
      data(dx),
      data(invStd),
      data(gamma),
      data(dGamma),
      data(dBeta),
      rows,
      cols,
    );
  }
  movingAverage(moving: Tensor, batch: Tensor, momentum: number): void {
    normalization.movingAverage(data(moving), data(batch), moving.length, momentum);
  }
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
  ): void {
    normalization.layerNormForward(
      data(x),
      data(y),
      data(xhat),
      data(invStd),
      data(gamma),
      data(beta),
      rows,
      cols,
      epsilon,
    );
  }
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
  ): void {
    normalization.layerNormBackward(
      data(xhat),
      data(dy),
      data(dx),
      data(invStd),
      data(gamma),
      data(dGamma),
      data(dBeta),
      rows,
      cols,
    );
  }
  dropoutForward(x: Tensor, mask: Tensor, y: Tensor, rate: number, seed: number, stream: number): void {
    dropout.dropoutForward(data(x), data(mask), data(y), x.length, rate, seed, stream);
  }
  dropoutBackward(dy: Tensor, mask: Tensor, dx: Tensor): void {
    dropout.dropoutBackward(data(dy), data(mask), data(dx), dy.length);
  }

  random(seed: number, stream: number): RandomStream {
    return new JsRandom(seed, stream, random.seedState(seed >>> 0, stream >>> 0));
  }
  freeRandom(_rng: RandomStream): void {}
  fillBits(rng: RandomStream, out: Tensor): void {
    const d = data(out);
    random.fillBits(state(rng), new Uint32Array(d.buffer, d.byteOffset, d.length));
  }
  fillUniform(rng: RandomStream, out: Tensor, lo: number, hi: number): void {
    random.fillUniform(state(rng), data(out), lo, hi, hi > lo ? float32Below(hi) : lo);
  }
  fillNormal(rng: RandomStream, out: Tensor, mean: number, std: number): void {
    random.fillNormal(state(rng), data(out), Math.fround(mean), Math.fround(std));
  }
  fillTruncatedNormal(rng: RandomStream, out: Tensor, mean: number, std: number, lo: number, hi: number): void {
    random.fillTruncatedNormal(
      state(rng),
      data(out),
      Math.fround(mean),
      Math.fround(std),
      Math.fround(lo),
      Math.fround(hi),
    );
  }
  // The two fills whose extent is given (rows x cols): a typed array drops writes past its end
  // silently and reads undefined there, so a short tensor is refused as in the wasm core.
  orthonormalizeRows(x: Tensor, rows: number, cols: number): boolean {
    checkMatrix("x", x, rows, cols);
    return initializers.orthonormalizeRows(data(x), rows, cols);
  }
  transpose(src: Tensor, dst: Tensor, rows: number, cols: number): void {
    checkMatrix("src", src, rows, cols);
    checkHolds("dst", dst, rows * cols, `${cols} x ${rows}`);
    initializers.transpose(data(src), data(dst), rows, cols);
  }

  copy(src: Tensor, dst: Tensor): void {
    data(dst).set(data(src));
  }
  gatherRows(src: Tensor, index: Tensor, dst: Tensor, count: number, cols: number): void {
    vector.gatherRows(data(src), data(index), data(dst), count, cols);
  }
  sumSquares(x: Tensor): number {
    return vector.sumSquares(data(x));
  }
  countNonFinite(x: Tensor): number {
    return vector.countNonFinite(data(x));
  }

  meanSquaredError(
    pred: Tensor,
    target: Tensor,
    grad: Tensor | null,
    scale: number,
    weights: Tensor | null = null,
  ): number {
    return losses.meanSquaredError(
      data(pred),
      data(target),
      grad && data(grad),
      pred.length,
      scale,
      weights && data(weights),
      rowWidth(pred, weights),
    );
  }
  sigmoidCrossEntropy(
    logits: Tensor,
    target: Tensor,
    grad: Tensor | null,
    scale: number,
    weights: Tensor | null = null,
  ): number {
    return losses.sigmoidCrossEntropy(
      data(logits),
      data(target),
      grad && data(grad),
      logits.length,
      scale,
      weights && data(weights),
      rowWidth(logits, weights),
    );
  }
  binaryCrossEntropy(
    prob: Tensor,
    target: Tensor,
    grad: Tensor | null,
    scale: number,
    eps: number,
    weights: Tensor | null = null,
  ): number {
    return losses.binaryCrossEntropy(
      data(prob),
      data(target),
      grad && data(grad),
      prob.length,
      scale,
      eps,
      weights && data(weights),
      rowWidth(prob, weights),
    );
  }
  softmaxCrossEntropy(
    logits: Tensor,
    target: Tensor,
    probs: Tensor,
    grad: Tensor | null,
    rows: number,
    cols: number,
    scale: number,
    weights: Tensor | null = null,
  ): number {
    return losses.softmaxCrossEntropy(
      data(logits),
      data(target),
      data(probs),
      grad && data(grad),
      rows,
      cols,
      scale,
      weights && data(weights),
    );
  }
  meanAbsoluteError(
    pred: Tensor,
    target: Tensor,
    grad: Tensor | null,
    scale: number,
    weights: Tensor | null = null,
  ): number {
    return losses.meanAbsoluteError(
      data(pred),
      data(target),
      grad && data(grad),
      pred.length,
      scale,
      weights && data(weights),
      rowWidth(pred, weights),
    );
  }
  huber(
    pred: Tensor,
    target: Tensor,
    grad: Tensor | null,
    scale: number,
    delta: number,
    weights: Tensor | null = null,
  ): number {
    return losses.huber(
      data(pred),
      data(target),
      grad && data(grad),
      pred.length,
      scale,
      delta,
      weights && data(weights),
      rowWidth(pred, weights),
    );
  }
  logCosh(pred: Tensor, target: Tensor, grad: Tensor | null, scale: number, weights: Tensor | null = null): number {
    return losses.logCosh(
      data(pred),
      data(target),
      grad && data(grad),
      pred.length,
      scale,
      weights && data(weights),
      rowWidth(pred, weights),
    );
  }
  categoricalHinge(
    pred: Tensor,
    target: Tensor,
    grad: Tensor | null,
    rows: number,
    cols: number,
    scale: number,
    weights: Tensor | null = null,
  ): number {
    return losses.categoricalHinge(
      data(pred),
      data(target),
      grad && data(grad),
      rows,
      cols,
      scale,
      weights && data(weights),
    );
  }
  regularize(w: Tensor, grad: Tensor | null, l1: number, l2: number): number {
    return regularizers.regularize(data(w), grad && data(grad), l1, l2);
  }
  countCorrect(y: Tensor, target: Tensor, rows: number, cols: number, threshold: number): number {
    return losses.countCorrect(data(y), data(target), rows, cols, Math.fround(threshold));
  }

  optimizerStep(
    kernel: UpdateKernel,
    w: Tensor,
    g: Tensor,
    state: readonly Tensor[],
    params: Float32Array,
    out?: UpdateOutputs,
  ): void {
    // A kernel without state (SGD without momentum) neither reads nor writes s0 and s1.
    const s0 = state.length > 0 ? data(state[0]!) : data(g),
      s1 = state.length > 1 ? data(state[1]!) : s0;
    const s0Out = state.length > 0 ? data(out?.state[0] ?? state[0]!) : s0,
      s1Out = state.length > 1 ? data(out?.state[1] ?? state[1]!) : s0Out;
    optimizers.UPDATES[kernel](data(w), data(g), s0, s1, params, data(out?.w ?? w), s0Out, s1Out);
  }

  sum(x: Tensor): number {
    return stats.sum(data(x));
  }
  countAbsAbove(x: Tensor, t: number): number {
    return stats.countAbsAbove(data(x), Math.fround(t));
  }
  countBelow(x: Tensor, t: number): number {
    return stats.countBelow(data(x), Math.fround(t));
  }
  columnMax(x: Tensor, rows: number, cols: number, out: Tensor, accumulate: boolean): void {
    stats.columnMax(data(x), rows, cols, data(out), accumulate);
  }
  histogram(x: Tensor, lo: number, hi: number, bins: number, out: Tensor): void {
    stats.histogram(data(x), Math.fround(lo), Math.fround(hi), bins, data(out));
  }
  columnHashes(x: Tensor, rows: number, cols: number): Uint32Array {
    const out = new Uint32Array(cols);
    stats.columnHash(data(x), rows, cols, out);
    return out;
  }
  countSameSignColumns(x: Tensor, rows: number, cols: number): number {
    return stats.countSameSignColumns(data(x), rows, cols);
  }
  sumSquaredDiff(a: Tensor, b: Tensor): number {
    return stats.sumSquaredDiff(data(a), data(b));
  }
  columnSumSquares(x: Tensor, out: Tensor, rows: number, cols: number): void {
    stats.columnSumSquares(data(x), data(out), rows, cols);
  }

  dispose(): void {}
}

/** Elements per row of an elementwise loss's input under per-row weights (1 without any). */
function rowWidth(x: Tensor, weights: Tensor | null): number {
  return weights ? x.length / weights.length : 1;
}
