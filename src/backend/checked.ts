// The Backend that users get from createBackend: every call's sizes and scalars are checked
// (in constant time) before it reaches the kernels of the wrapped backend. Kernels stay
// free of validation; the model code, which sizes its own buffers, may use either.
import { activationCode, type ElementwiseActivation } from "../activations.js";
import { ArgumentError } from "../errors.js";
import {
  packedWeightsLength,
  UPDATE_KERNELS,
  type Backend,
  type Overlap,
  type RandomStream,
  type Tensor,
  type UpdateKernel,
  type UpdateOutputs,
} from "./backend.js";
import { UPDATE_PARAMS } from "../kernelCodes/updateParams.js";
import {
  checkCount,
  checkFinite,
  checkHolds,
  checkMatrix,
  checkSeed,
  checkSgemm,
  checkSlice,
  checkWrite,
} from "./checks.js";

/** A backend that checks every call's arguments (sizes, bounds, finiteness) before passing it on. */
export class CheckedBackend implements Backend {
  constructor(readonly inner: Backend) {}

  get name(): "wasm" | "js" {
    return this.inner.name;
  }
  get threads(): number {
    return this.inner.threads;
  }
  get threadsReason(): string | null {
    return this.inner.threadsReason;
  }

  alloc(length: number): Tensor {
    checkCount("length", length, 0);
    return this.inner.alloc(length);
  }
  free(tensor: Tensor): void {
    this.inner.free(tensor);
  }
  slice(tensor: Tensor, start: number, length: number): Tensor {
    checkSlice(tensor, start, length);
    return this.inner.slice(tensor, start, length);
  }
  write(tensor: Tensor, data: ArrayLike<number>, at = 0): void {
    if (data == null || typeof data.length !== "number")
      throw new ArgumentError("data", "an array or typed array of numbers", data);
    checkWrite(tensor, data.length, at);
    this.inner.write(tensor, data, at);
  }
  read(tensor: Tensor): Float32Array {
    return this.inner.read(tensor);
  }
  readInto(tensor: Tensor, out: Float32Array, at = 0): void {
    if (!(out instanceof Float32Array)) throw new ArgumentError("out", "a Float32Array", out);
    checkCount("at", at, 0);
    if (at + tensor.length > out.length) {
      throw new ArgumentError(
        "out",
        `a Float32Array of at least ${at + tensor.length} floats (${tensor.length} from ${at})`,
        `one of ${out.length}`,
      );
    }
    this.inner.readInto(tensor, out, at);
  }
  overlap(a: Tensor, b: Tensor): Overlap {
    return this.inner.overlap(a, b);
  }
  fill(tensor: Tensor, value: number): void {
    checkFinite("value", value);
    this.inner.fill(tensor, value);
  }
  scale(tensor: Tensor, s: number): void {
    checkFinite("s", s);
    this.inner.scale(tensor, s);
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
    checkSgemm(m, n, k, alpha, a, b, beta, c);
    this.apart("c", c, "a", a);
    this.apart("c", c, "b", b);
    this.inner.sgemm(transA, transB, m, n, k, alpha, a, b, beta, c);
  }
  matvec(rows: number, n: number, k: number, x: Tensor, w: Tensor, bias: Tensor, y: Tensor): void {
    this.productArgs("rows", rows, n, k, ["x", x], ["w", w], ["y", y]);
    checkHolds("bias", bias, n, "one per column");
    for (const [name, t] of [
      ["x", x],
      ["w", w],
      ["bias", bias],
    ] as const)
      this.apart("y", y, name, t);
    this.inner.matvec(rows, n, k, x, w, bias, y);
  }
  packWeights(w: Tensor, k: number, n: number, packed: Tensor): void {
    checkMatrix("w", w, k, n);
    checkHolds("packed", packed, packedWeightsLength(k, n), `${k} x ${n} in 8-column panels`);
    this.apart("packed", packed, "w", w);
    this.inner.packWeights(w, k, n, packed);
  }
  sgemmPacked(m: number, n: number, k: number, a: Tensor, packed: Tensor, c: Tensor): void {
    this.productArgs("m", m, n, k, ["a", a], null, ["c", c]);
    checkHolds("packed", packed, packedWeightsLength(k, n), `${k} x ${n} in 8-column panels`);
    this.apart("c", c, "a", a);
    this.apart("c", c, "packed", packed);
    this.inner.sgemmPacked(m, n, k, a, packed, c);
  }
  addBias(x: Tensor, bias: Tensor, rows: number, cols: number): void {
    checkMatrix("x", x, rows, cols);
    checkHolds("bias", bias, cols, `one per column`);
    this.apart("bias", bias, "x", x);
    this.inner.addBias(x, bias, rows, cols);
  }
  sumRows(x: Tensor, out: Tensor, rows: number, cols: number): void {
    checkMatrix("x", x, rows, cols);
    checkHolds("out", out, cols, `one per column`);
    this.apart("out", out, "x", x);
    this.inner.sumRows(x, out, rows, cols);
  }

  activation(name: ElementwiseActivation, x: Tensor, y: Tensor, alpha: number): void {
    activationCode(name); // throws the ArgumentError for an unknown name
    checkFinite("alpha", alpha);
    checkHolds("y", y, x.length, "as long as x");
    this.sameOrApart("y", y, "x", x);
    this.inner.activation(name, x, y, alpha);
  }
  activationGrad(name: ElementwiseActivation, z: Tensor, dy: Tensor, dz: Tensor, alpha: number): void {
    activationCode(name); // throws the ArgumentError for an unknown name
    checkFinite("alpha", alpha);
    checkHolds("dy", dy, z.length, "as long as z");
    checkHolds("dz", dz, z.length, "as long as z");
    this.sameOrApart("dz", dz, "dy", dy);
    this.sameOrApart("dz", dz, "z", z);
    this.inner.activationGrad(name, z, dy, dz, alpha);
  }
  softmax(x: Tensor, y: Tensor, rows: number, cols: number): void {
    this.rowsForward(x, y, rows, cols);
    this.inner.softmax(x, y, rows, cols);
  }
  softmaxGrad(y: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number): void {
    this.rowsBackward(y, dy, dx, rows, cols);
    this.inner.softmaxGrad(y, dy, dx, rows, cols);
  }
  logSoftmax(x: Tensor, y: Tensor, rows: number, cols: number): void {
    this.rowsForward(x, y, rows, cols);
    this.inner.logSoftmax(x, y, rows, cols);
  }
  logSoftmaxGrad(y: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number): void {
    this.rowsBackward(y, dy, dx, rows, cols);
    this.inner.logSoftmaxGrad(y, dy, dx, rows, cols);
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
    this.normalizationForward(x, y, xhat, gamma, beta, rows, cols, epsilon);
    checkHolds("stats", stats, 3 * cols, "mean, variance and 1 / std per column");
    for (const [name, t] of [
      ["x", x],
      ["y", y],
      ["xhat", xhat],
      ["gamma", gamma],
      ["beta", beta],
    ] as const)
      this.apart("stats", stats, name, t);
    this.inner.batchNormForward(x, y, xhat, stats, gamma, beta, rows, cols, epsilon);
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
    this.normalizationForward(x, y, null, gamma, beta, rows, cols, epsilon);
    for (const [name, t] of [
      ["mean", mean],
      ["variance", variance],
    ] as const) {
      checkHolds(name, t, cols, "one per column");
      this.apart("y", y, name, t);
    }
    this.inner.batchNormInference(x, y, mean, variance, gamma, beta, rows, cols, epsilon);
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
    this.normalizationBackward(xhat, dy, dx, invStd, cols, gamma, dGamma, dBeta, rows, cols);
    this.inner.batchNormBackward(xhat, dy, dx, invStd, gamma, dGamma, dBeta, rows, cols);
  }
  movingAverage(moving: Tensor, batch: Tensor, momentum: number): void {
    if (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1))
      throw new ArgumentError("momentum", "a number in [0, 1]", momentum);
    checkHolds("batch", batch, moving.length, "as long as moving");
    this.sameOrApart("moving", moving, "batch", batch);
    this.inner.movingAverage(moving, batch, momentum);
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
    this.normalizationForward(x, y, xhat, gamma, beta, rows, cols, epsilon);
    checkHolds("invStd", invStd, rows, "one per row");
    for (const [name, t] of [
      ["x", x],
      ["y", y],
      ["xhat", xhat],
      ["gamma", gamma],
      ["beta", beta],
    ] as const)
      this.apart("invStd", invStd, name, t);
    this.inner.layerNormForward(x, y, xhat, invStd, gamma, beta, rows, cols, epsilon);
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
    this.normalizationBackward(xhat, dy, dx, invStd, rows, gamma, dGamma, dBeta, rows, cols);
    this.inner.layerNormBackward(xhat, dy, dx, invStd, gamma, dGamma, dBeta, rows, cols);
  }
  dropoutForward(x: Tensor, mask: Tensor, y: Tensor, rate: number, seed: number, stream: number): void {
    if (typeof rate !== "number" || !(rate >= 0 && rate < 1))
      throw new ArgumentError("rate", "a number in [0, 1)", rate);
    checkSeed("seed", seed);
    checkSeed("stream", stream);
    checkHolds("mask", mask, x.length, "as long as x");
    checkHolds("y", y, x.length, "as long as x");
    this.sameOrApart("y", y, "x", x);
    this.apart("mask", mask, "x", x);
    this.apart("mask", mask, "y", y);
    this.inner.dropoutForward(x, mask, y, rate, seed, stream);
  }
  dropoutBackward(dy: Tensor, mask: Tensor, dx: Tensor): void {
    checkHolds("mask", mask, dy.length, "as long as dy");
    checkHolds("dx", dx, dy.length, "as long as dy");
    this.sameOrApart("dx", dx, "dy", dy);
    this.apart("dx", dx, "mask", mask);
    this.inner.dropoutBackward(dy, mask, dx);
  }

  random(seed: number, stream: number): RandomStream {
    checkSeed("seed", seed);
    checkSeed("stream", stream);
    return this.inner.random(seed, stream);
  }
  freeRandom(rng: RandomStream): void {
    this.inner.freeRandom(rng);
  }
  fillBits(rng: RandomStream, out: Tensor): void {
    this.inner.fillBits(rng, out);
  }
  fillUniform(rng: RandomStream, out: Tensor, lo: number, hi: number): void {
    checkFinite("lo", lo);
    checkFinite("hi", hi);
    if (hi < lo) throw new ArgumentError("hi", `a number >= lo (${lo})`, hi);
    this.inner.fillUniform(rng, out, lo, hi);
  }
  fillNormal(rng: RandomStream, out: Tensor, mean: number, std: number): void {
    checkFinite("mean", mean);
    checkFinite("std", std);
    if (std < 0) throw new ArgumentError("std", "a number >= 0", std);
    this.inner.fillNormal(rng, out, mean, std);
  }
  fillTruncatedNormal(rng: RandomStream, out: Tensor, mean: number, std: number, lo: number, hi: number): void {
    checkFinite("mean", mean);
    checkFinite("std", std);
    checkFinite("lo", lo);
    checkFinite("hi", hi);
    if (std < 0) throw new ArgumentError("std", "a number >= 0", std);
    if (hi < lo) throw new ArgumentError("hi", `a number >= lo (${lo})`, hi);
    this.inner.fillTruncatedNormal(rng, out, mean, std, lo, hi);
  }
  orthonormalizeRows(x: Tensor, rows: number, cols: number): boolean {
    checkMatrix("x", x, rows, cols);
    if (rows > cols) throw new ArgumentError("rows", `at most cols (${cols})`, rows);
    return this.inner.orthonormalizeRows(x, rows, cols);
  }
  transpose(src: Tensor, dst: Tensor, rows: number, cols: number): void {
    checkMatrix("src", src, rows, cols);
    checkHolds("dst", dst, rows * cols, `${cols} x ${rows}`);
    this.apart("dst", dst, "src", src);
    this.inner.transpose(src, dst, rows, cols);
  }

  copy(src: Tensor, dst: Tensor): void {
    checkHolds("dst", dst, src.length, "as long as src");
    this.apart("dst", dst, "src", src);
    this.inner.copy(src, dst);
  }
  gatherRows(src: Tensor, index: Tensor, dst: Tensor, count: number, cols: number): void {
    checkCount("count", count, 0);
    checkCount("cols", cols);
    checkHolds("index", index, count, "one row number per gathered row");
    checkHolds("dst", dst, count * cols, `${count} x ${cols}`);
    this.apart("dst", dst, "src", src);
    this.apart("dst", dst, "index", index);
    // A row number out of range would read another tensor's memory: each is checked (O(count)).
    const rows = Math.floor(src.length / cols);
    const rowNumbers = this.inner.read(index);
    for (let i = 0; i < count; i++) {
      const r = rowNumbers[i]!;
      if (!Number.isInteger(r) || r < 0 || r >= rows)
        throw new ArgumentError(`index[${i}]`, `a row number in [0, ${rows})`, r);
    }
    this.inner.gatherRows(src, index, dst, count, cols);
  }
  sumSquares(x: Tensor): number {
    return this.inner.sumSquares(x);
  }
  countNonFinite(x: Tensor): number {
    return this.inner.countNonFinite(x);
  }

  meanSquaredError(
    pred: Tensor,
    target: Tensor,
    grad: Tensor | null,
    scale: number,
    weights: Tensor | null = null,
  ): number {
    this.lossArgs("pred", pred, target, grad, scale, weights);
    return this.inner.meanSquaredError(pred, target, grad, scale, weights);
  }
  sigmoidCrossEntropy(
    logits: Tensor,
    target: Tensor,
    grad: Tensor | null,
    scale: number,
    weights: Tensor | null = null,
  ): number {
    this.lossArgs("logits", logits, target, grad, scale, weights);
    return this.inner.sigmoidCrossEntropy(logits, target, grad, scale, weights);
  }
  binaryCrossEntropy(
    prob: Tensor,
    target: Tensor,
    grad: Tensor | null,
    scale: number,
    eps: number,
    weights: Tensor | null = null,
  ): number {
    this.lossArgs("prob", prob, target, grad, scale, weights);
    if (typeof eps !== "number" || !(eps > 0 && eps < 0.5)) throw new ArgumentError("eps", "a number in (0, 0.5)", eps);
    return this.inner.binaryCrossEntropy(prob, target, grad, scale, eps, weights);
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
    checkMatrix("logits", logits, rows, cols);
    checkHolds("probs", probs, rows * cols, `${rows} x ${cols}`);
    this.lossArgs("logits", logits, target, grad, scale, weights, rows);
    if (grad) this.sameOrApart("grad", grad, "probs", probs);
    return this.inner.softmaxCrossEntropy(logits, target, probs, grad, rows, cols, scale, weights);
  }
  meanAbsoluteError(
    pred: Tensor,
    target: Tensor,
    grad: Tensor | null,
    scale: number,
    weights: Tensor | null = null,
  ): number {
    this.lossArgs("pred", pred, target, grad, scale, weights);
    return this.inner.meanAbsoluteError(pred, target, grad, scale, weights);
  }
  huber(
    pred: Tensor,
    target: Tensor,
    grad: Tensor | null,
    scale: number,
    delta: number,
    weights: Tensor | null = null,
  ): number {
    this.lossArgs("pred", pred, target, grad, scale, weights);
    if (typeof delta !== "number" || !(delta > 0 && delta < Infinity))
      throw new ArgumentError("delta", "a finite number > 0", delta);
    return this.inner.huber(pred, target, grad, scale, delta, weights);
  }
  logCosh(pred: Tensor, target: Tensor, grad: Tensor | null, scale: number, weights: Tensor | null = null): number {
    this.lossArgs("pred", pred, target, grad, scale, weights);
    return this.inner.logCosh(pred, target, grad, scale, weights);
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
    checkMatrix("pred", pred, rows, cols);
    this.lossArgs("pred", pred, target, grad, scale, weights, rows);
    return this.inner.categoricalHinge(pred, target, grad, rows, cols, scale, weights);
  }
  regularize(w: Tensor, grad: Tensor | null, l1: number, l2: number): number {
    for (const [name, v] of [
      ["l1", l1],
      ["l2", l2],
    ] as const) {
      if (typeof v !== "number" || !(v >= 0 && v < Infinity)) throw new ArgumentError(name, "a finite number >= 0", v);
    }
    if (grad) {
      checkHolds("grad", grad, w.length, "as long as w");
      this.sameOrApart("grad", grad, "w", w);
    }
    return this.inner.regularize(w, grad, l1, l2);
  }
  countCorrect(y: Tensor, target: Tensor, rows: number, cols: number, threshold: number): number {
    checkMatrix("y", y, rows, cols);
    checkHolds("target", target, rows * cols, `${rows} x ${cols}`);
    checkFinite("threshold", threshold);
    return this.inner.countCorrect(y, target, rows, cols, threshold);
  }

  optimizerStep(
    kernel: UpdateKernel,
    w: Tensor,
    g: Tensor,
    state: readonly Tensor[],
    params: Float32Array,
    out?: UpdateOutputs,
  ): void {
    if (typeof kernel !== "string" || !Object.hasOwn(UPDATE_KERNELS, kernel)) {
      throw new ArgumentError("kernel", `one of ${Object.keys(UPDATE_KERNELS).join(", ")}`, kernel);
    }
    if (!(params instanceof Float32Array) || params.length !== UPDATE_PARAMS) {
      throw new ArgumentError("params", `a Float32Array of ${UPDATE_PARAMS} floats`, params);
    }
    for (let i = 0; i < UPDATE_PARAMS; i++) checkFinite(`params[${i}]`, params[i]!);
    if (!Array.isArray(state)) throw new ArgumentError("state", "an array of tensors", state);
    const expected = UPDATE_KERNELS[kernel].stateTensors(params);
    if (state.length !== expected)
      throw new ArgumentError("state", `${expected} state tensors for ${kernel}`, `${state.length}`);
    this.updateArgs(
      w,
      g,
      state.map((t, i): [string, Tensor] => [`state[${i}]`, t]),
      out,
    );
    this.inner.optimizerStep(kernel, w, g, state, params, out);
  }

  sum(x: Tensor): number {
    return this.inner.sum(x);
  }
  countAbsAbove(x: Tensor, t: number): number {
    checkFinite("t", t);
    return this.inner.countAbsAbove(x, t);
  }
  countBelow(x: Tensor, t: number): number {
    checkFinite("t", t);
    return this.inner.countBelow(x, t);
  }
  columnMax(x: Tensor, rows: number, cols: number, out: Tensor, accumulate: boolean): void {
    checkMatrix("x", x, rows, cols);
    checkHolds("out", out, cols, "one per column");
    this.apart("out", out, "x", x);
    this.inner.columnMax(x, rows, cols, out, accumulate);
  }
  histogram(x: Tensor, lo: number, hi: number, bins: number, out: Tensor): void {
    checkFinite("lo", lo);
    checkFinite("hi", hi);
    if (!(hi > lo)) throw new ArgumentError("hi", `a number > lo (${lo})`, hi);
    checkCount("bins", bins);
    checkHolds("out", out, bins + 2, "bins + 2 counts");
    this.apart("out", out, "x", x);
    this.inner.histogram(x, lo, hi, bins, out);
  }
  columnHashes(x: Tensor, rows: number, cols: number): Uint32Array {
    checkMatrix("x", x, rows, cols);
    return this.inner.columnHashes(x, rows, cols);
  }
  countSameSignColumns(x: Tensor, rows: number, cols: number): number {
    checkMatrix("x", x, rows, cols);
    return this.inner.countSameSignColumns(x, rows, cols);
  }
  columnSumSquares(x: Tensor, out: Tensor, rows: number, cols: number): void {
    checkMatrix("x", x, rows, cols);
    checkHolds("out", out, cols, "one per column");
    this.apart("out", out, "x", x);
    this.inner.columnSumSquares(x, out, rows, cols);
  }
  sumSquaredDiff(a: Tensor, b: Tensor): number {
    checkHolds("b", b, a.length, "as long as a");
    return this.inner.sumSquaredDiff(a, b);
  }

  dispose(): void {
    this.inner.dispose();
  }

  // A product of an m x k and a k x n matrix into an m x n one (the k x n checked here when given).
  // The row-wise activations (softmax, log-softmax): x rows x cols, y as long, in place or apart.
  private rowsForward(x: Tensor, y: Tensor, rows: number, cols: number): void {
    checkMatrix("x", x, rows, cols);
    checkHolds("y", y, rows * cols, `${rows} x ${cols}`);
    this.sameOrApart("y", y, "x", x);
  }
  private rowsBackward(y: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number): void {
    checkMatrix("y", y, rows, cols);
    checkHolds("dy", dy, rows * cols, `${rows} x ${cols}`);
    checkHolds("dx", dx, rows * cols, `${rows} x ${cols}`);
    this.sameOrApart("dx", dx, "dy", dy);
    this.sameOrApart("dx", dx, "y", y);
  }

  // A normalization's forward arguments: x rows x cols, y as long (in place or apart), xhat
  // apart from both, gamma and beta one per column, epsilon > 0.
  private normalizationForward(
    x: Tensor,
    y: Tensor,
    xhat: Tensor | null,
    gamma: Tensor,
    beta: Tensor,
    rows: number,
    cols: number,
    epsilon: number,
  ): void {
    checkMatrix("x", x, rows, cols);
    checkHolds("y", y, rows * cols, `${rows} x ${cols}`);
    if (typeof epsilon !== "number" || !(epsilon > 0 && epsilon < Infinity))
      throw new ArgumentError("epsilon", "a finite number > 0", epsilon);
    this.sameOrApart("y", y, "x", x);
    for (const [name, t] of [
      ["gamma", gamma],
      ["beta", beta],
    ] as const) {
      checkHolds(name, t, cols, "one per column");
      this.apart("y", y, name, t);
    }
    if (xhat) {
      checkHolds("xhat", xhat, rows * cols, `${rows} x ${cols}`);
      for (const [name, t] of [
        ["x", x],
        ["y", y],
        ["gamma", gamma],
        ["beta", beta],
      ] as const)
        this.apart("xhat", xhat, name, t);
    }
  }
  // A normalization's backward arguments: dx in place of dy or apart from everything, the
  // parameter gradients apart from every input and from each other.
  private normalizationBackward(
    xhat: Tensor,
    dy: Tensor,
    dx: Tensor,
    invStd: Tensor,
    invStdCount: number,
    gamma: Tensor,
    dGamma: Tensor,
    dBeta: Tensor,
    rows: number,
    cols: number,
  ): void {
    checkMatrix("xhat", xhat, rows, cols);
    for (const [name, t] of [
      ["dy", dy],
      ["dx", dx],
    ] as const)
      checkHolds(name, t, rows * cols, `${rows} x ${cols}`);
    checkHolds("invStd", invStd, invStdCount, invStdCount === rows ? "one per row" : "one per column");
    for (const [name, t] of [
      ["gamma", gamma],
      ["dGamma", dGamma],
      ["dBeta", dBeta],
    ] as const)
      checkHolds(name, t, cols, "one per column");
    this.sameOrApart("dx", dx, "dy", dy);
    const inputs = [
      ["xhat", xhat],
      ["dy", dy],
      ["invStd", invStd],
      ["gamma", gamma],
    ] as const;
    for (const [name, t] of inputs) if (name !== "dy") this.apart("dx", dx, name, t);
    for (const [out, o] of [
      ["dGamma", dGamma],
      ["dBeta", dBeta],
    ] as const) {
      for (const [name, t] of inputs) this.apart(out, o, name, t);
      this.apart(out, o, "dx", dx);
    }
    this.apart("dBeta", dBeta, "dGamma", dGamma);
  }

  private productArgs(
    mName: string,
    m: number,
    n: number,
    k: number,
    a: [string, Tensor],
    b: [string, Tensor] | null,
    c: [string, Tensor],
  ): void {
    checkCount(mName, m);
    checkCount("n", n);
    checkCount("k", k, 0);
    checkHolds(a[0], a[1], m * k, `${m} x ${k}`);
    if (b) checkHolds(b[0], b[1], k * n, `${k} x ${n}`);
    checkHolds(c[0], c[1], m * n, `${m} x ${n}`);
  }

  // `rows`: the row count of a row-wise loss; elementwise losses take theirs from the weights.
  private lossArgs(
    name: string,
    input: Tensor,
    target: Tensor,
    grad: Tensor | null,
    scale: number,
    weights: Tensor | null,
    rows?: number,
  ): void {
    const n = input.length;
    checkHolds("target", target, n, `as long as ${name}`);
    checkFinite("scale", scale);
    if (weights) {
      if (rows === undefined ? weights.length === 0 || n % weights.length !== 0 : weights.length !== rows) {
        throw new ArgumentError(
          "weights",
          rows === undefined ? `one weight per row of ${name} (a length dividing ${n})` : `${rows} row weights`,
          `${weights.length}`,
        );
      }
      if (grad) this.sameOrApart("grad", grad, "weights", weights);
    }
    if (grad === null) return;
    checkHolds("grad", grad, n, `as long as ${name}`);
    this.sameOrApart("grad", grad, name, input);
    this.sameOrApart("grad", grad, "target", target);
  }

  // Every tensor as long as w. In place: the state apart from w, g and each other. Out of place:
  // every output apart from every input and from the other outputs.
  private updateArgs(w: Tensor, g: Tensor, state: [string, Tensor][], out?: UpdateOutputs): void {
    const inputs: [string, Tensor][] = [["w", w], ["g", g], ...state];
    for (const [name, t] of inputs.slice(1)) checkHolds(name, t, w.length, "as long as w");
    let outputs: [string, Tensor][] = state;
    if (out) {
      if (out.state?.length !== state.length)
        throw new ArgumentError("out.state", `${state.length} state tensors`, out.state);
      outputs = [["out.w", out.w], ...out.state.map((t, i): [string, Tensor] => [`out.state[${i}]`, t])];
      for (const [name, t] of outputs) checkHolds(name, t, w.length, "as long as w");
    }
    for (const [name, t] of outputs) {
      for (const [other, u] of out ? inputs : inputs.slice(0, 2)) this.apart(name, t, other, u);
    }
    for (let i = 0; i < outputs.length; i++) {
      for (let j = i + 1; j < outputs.length; j++)
        this.apart(outputs[j]![0], outputs[j]![1], outputs[i]![0], outputs[i]![1]);
    }
  }

  // An output read back while it is written must not share storage with the input.
  private apart(outName: string, out: Tensor, inName: string, input: Tensor): void {
    if (this.inner.overlap(out, input) !== "disjoint") {
      throw new ArgumentError(outName, `a tensor not overlapping ${inName}`, "an overlapping tensor");
    }
  }

  // Elementwise outputs may be their input exactly (in place), but not a shifted window of it.
  private sameOrApart(outName: string, out: Tensor, inName: string, input: Tensor): void {
    if (this.inner.overlap(out, input) === "partial") {
      throw new ArgumentError(
        outName,
        `${inName} itself or a tensor not overlapping it`,
        "a partly overlapping tensor",
      );
    }
  }
}
