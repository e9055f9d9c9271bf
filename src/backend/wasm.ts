// The Backend over the wasm SIMD core: tensors are blocks of its linear memory.
import { activationCode, type ElementwiseActivation } from "../activations.js";
import { ArgumentError, InternalError, StateError } from "../errors.js";
import { instantiateCore, type CoreExports, type WasmSource } from "../wasm/load.js";
import { Arena } from "../wasm/memory.js";
import {
  float32Below, UPDATE_KERNELS, type Backend, type Overlap, type RandomStream, type Tensor, type UpdateKernel, type UpdateOutputs,
} from "./backend.js";
import { checkHolds, checkMatrix, checkSlice, checkWrite } from "./checks.js";

/** A window of the core's memory. Frozen: kernels write `length` floats from `ptr`, so
 *  neither may change once the window has been handed out. */
export class WasmTensor implements Tensor {
  #released = false;
  /** `base` is the tensor a slice views; an allocated tensor is its own base. */
  constructor(readonly owner: WasmBackend, readonly ptr: number, readonly length: number, readonly base?: WasmTensor) {
    Object.freeze(this);
  }
  get live(): boolean { return !(this.base ?? this).#released; }
  /** Set by free(): the block may already hold another tensor. */
  get released(): boolean { return this.#released; }
  /** @internal Marks the block freed (WasmBackend.free). */
  markReleased(): void { this.#released = true; }
}

/** A stream's 64-byte state in the core's memory; frozen for the same reason as WasmTensor. */
class WasmRandom implements RandomStream {
  #released = false;
  constructor(readonly owner: WasmBackend, readonly seed: number, readonly stream: number, readonly ptr: number) {
    Object.freeze(this);
  }
  get released(): boolean { return this.#released; }
  /** @internal Marks the state freed (WasmBackend.freeRandom). */
  markReleased(): void { this.#released = true; }
}

/** The WebAssembly SIMD backend: tensors live in the core's linear memory and kernels run there. */
export class WasmBackend implements Backend {
  readonly name = "wasm" as const;
  /** @internal The instantiated core's exports. */
  readonly core: CoreExports;
  /** @internal The allocator over the core's linear memory. */
  readonly arena: Arena;
  private disposed = false;
  /** @internal Models alive on this core (for the out-of-memory message); see trackModel. */
  models = 0;

  constructor(core: CoreExports) {
    this.core = core;
    this.arena = new Arena(core.memory, core.heapBase());
  }

  alloc(length: number): Tensor {
    return new WasmTensor(this, this.reserve(length * 4, `${length} floats`), length);
  }

  free(tensor: Tensor): void {
    if (tensor instanceof WasmTensor && tensor.owner === this && tensor.released) return; // twice is harmless
    if (tensor instanceof WasmTensor && tensor.owner === this && this.disposed) return; // the whole memory went with dispose
    const t = this.t(tensor, "tensor");
    if (t.base !== undefined) return; // a slice owns nothing
    t.markReleased();
    this.arena.release(t.ptr);
  }

  slice(tensor: Tensor, start: number, length: number): Tensor {
    const t = this.t(tensor, "tensor");
    checkSlice(t, start, length); // a window past its tensor would let every kernel write past it
    return new WasmTensor(this, t.ptr + start * 4, length, t.base ?? t);
  }

  overlap(a: Tensor, b: Tensor): Overlap {
    // Foreign or freed tensors share nothing here; the call that uses them refuses them by name.
    const mine = (t: Tensor): t is WasmTensor => t instanceof WasmTensor && t.owner === this && t.live;
    if (!mine(a) || !mine(b)) return "disjoint";
    const x = a, y = b;
    if (x.ptr === y.ptr && x.length === y.length) return "same";
    const disjoint = x.ptr + 4 * x.length <= y.ptr || y.ptr + 4 * y.length <= x.ptr || x.length === 0 || y.length === 0;
    return disjoint ? "disjoint" : "partial";
  }

  write(tensor: Tensor, data: ArrayLike<number>, at = 0): void {
    const t = this.t(tensor, "tensor");
    checkWrite(t, data.length, at);
    this.arena.f32().set(data, t.ptr / 4 + at);
  }

  read(tensor: Tensor): Float32Array {
    const p = this.t(tensor, "tensor").ptr / 4;
    return this.arena.f32().slice(p, p + tensor.length);
  }

  readInto(tensor: Tensor, out: Float32Array, at = 0): void {
    // An element loop: a subarray view would be an allocation on every call.
    const p = this.t(tensor, "tensor").ptr / 4, f32 = this.arena.f32(), n = tensor.length;
    for (let i = 0; i < n; i++) out[at + i] = f32[p + i]!;
  }

  fill(tensor: Tensor, value: number): void {
    this.core.fill(this.t(tensor, "tensor").ptr, tensor.length, value);
  }

  scale(tensor: Tensor, s: number): void {
    this.core.scale(this.t(tensor, "tensor").ptr, tensor.length, s);
  }

  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Tensor, b: Tensor, beta: number, c: Tensor): void {
    this.core.sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha,
      this.t(a, "a").ptr, transA ? m : k, this.t(b, "b").ptr, transB ? k : n, beta, this.t(c, "c").ptr, n);
  }

  matvec(rows: number, n: number, k: number, x: Tensor, w: Tensor, bias: Tensor, y: Tensor): void {
    this.core.matvec(rows, n, k, this.t(x, "x").ptr, this.t(w, "w").ptr, this.t(bias, "bias").ptr, this.t(y, "y").ptr);
  }

  packWeights(w: Tensor, k: number, n: number, packed: Tensor): void {
    this.core.packWeights(this.t(w, "w").ptr, n, k, this.t(packed, "packed").ptr);
  }

  sgemmPacked(m: number, n: number, k: number, a: Tensor, packed: Tensor, c: Tensor): void {
    this.core.sgemmPacked(m, n, k, this.t(a, "a").ptr, this.t(packed, "packed").ptr, this.t(c, "c").ptr);
  }

  addBias(x: Tensor, bias: Tensor, rows: number, cols: number): void {
    this.core.addBias(this.t(x, "x").ptr, this.t(bias, "bias").ptr, rows, cols);
  }

  sumRows(x: Tensor, out: Tensor, rows: number, cols: number): void {
    this.core.sumRows(this.t(x, "x").ptr, this.t(out, "out").ptr, rows, cols);
  }

  batchNormForward(x: Tensor, y: Tensor, xhat: Tensor, stats: Tensor, gamma: Tensor, beta: Tensor, rows: number, cols: number, epsilon: number): void {
    this.core.batchNormForward(this.t(x, "x").ptr, this.t(y, "y").ptr, this.t(xhat, "xhat").ptr, this.t(stats, "stats").ptr,
      this.t(gamma, "gamma").ptr, this.t(beta, "beta").ptr, rows, cols, epsilon);
  }

  batchNormInference(x: Tensor, y: Tensor, mean: Tensor, variance: Tensor, gamma: Tensor, beta: Tensor, rows: number, cols: number, epsilon: number): void {
    this.core.batchNormInference(this.t(x, "x").ptr, this.t(y, "y").ptr, this.t(mean, "mean").ptr, this.t(variance, "variance").ptr,
      this.t(gamma, "gamma").ptr, this.t(beta, "beta").ptr, rows, cols, epsilon);
  }

  batchNormBackward(xhat: Tensor, dy: Tensor, dx: Tensor, invStd: Tensor, gamma: Tensor, dGamma: Tensor, dBeta: Tensor, rows: number, cols: number): void {
    this.core.batchNormBackward(this.t(xhat, "xhat").ptr, this.t(dy, "dy").ptr, this.t(dx, "dx").ptr, this.t(invStd, "invStd").ptr,
      this.t(gamma, "gamma").ptr, this.t(dGamma, "dGamma").ptr, this.t(dBeta, "dBeta").ptr, rows, cols);
  }

  movingAverage(moving: Tensor, batch: Tensor, momentum: number): void {
    this.core.movingAverage(this.t(moving, "moving").ptr, this.t(batch, "batch").ptr, moving.length, momentum);
  }

  layerNormForward(x: Tensor, y: Tensor, xhat: Tensor, invStd: Tensor, gamma: Tensor, beta: Tensor, rows: number, cols: number, epsilon: number): void {
    this.core.layerNormForward(this.t(x, "x").ptr, this.t(y, "y").ptr, this.t(xhat, "xhat").ptr, this.t(invStd, "invStd").ptr,
      this.t(gamma, "gamma").ptr, this.t(beta, "beta").ptr, rows, cols, epsilon);
  }

  layerNormBackward(xhat: Tensor, dy: Tensor, dx: Tensor, invStd: Tensor, gamma: Tensor, dGamma: Tensor, dBeta: Tensor, rows: number, cols: number): void {
    this.core.layerNormBackward(this.t(xhat, "xhat").ptr, this.t(dy, "dy").ptr, this.t(dx, "dx").ptr, this.t(invStd, "invStd").ptr,
      this.t(gamma, "gamma").ptr, this.t(dGamma, "dGamma").ptr, this.t(dBeta, "dBeta").ptr, rows, cols);
  }

  dropoutForward(x: Tensor, mask: Tensor, y: Tensor, rate: number, seed: number, stream: number): void {
    this.core.dropoutForward(this.t(x, "x").ptr, this.t(mask, "mask").ptr, this.t(y, "y").ptr, x.length, rate, seed >>> 0, stream >>> 0);
  }

  dropoutBackward(dy: Tensor, mask: Tensor, dx: Tensor): void {
    this.core.dropoutBackward(this.t(dy, "dy").ptr, this.t(mask, "mask").ptr, this.t(dx, "dx").ptr, dy.length);
  }

  activation(name: ElementwiseActivation, x: Tensor, y: Tensor, alpha: number): void {
    this.core.activationForward(activationCode(name), this.t(x, "x").ptr, this.t(y, "y").ptr, x.length, alpha);
  }

  activationGrad(name: ElementwiseActivation, z: Tensor, dy: Tensor, dz: Tensor, alpha: number): void {
    this.core.activationBackward(activationCode(name), this.t(z, "z").ptr, this.t(dy, "dy").ptr, this.t(dz, "dz").ptr, z.length, alpha);
  }

  softmax(x: Tensor, y: Tensor, rows: number, cols: number): void {
    this.core.softmaxForward(this.t(x, "x").ptr, this.t(y, "y").ptr, rows, cols);
  }

  softmaxGrad(y: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number): void {
    this.core.softmaxBackward(this.t(y, "y").ptr, this.t(dy, "dy").ptr, this.t(dx, "dx").ptr, rows, cols);
  }
  logSoftmax(x: Tensor, y: Tensor, rows: number, cols: number): void {
    this.core.logSoftmaxForward(this.t(x, "x").ptr, this.t(y, "y").ptr, rows, cols);
  }
  logSoftmaxGrad(y: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number): void {
    this.core.logSoftmaxBackward(this.t(y, "y").ptr, this.t(dy, "dy").ptr, this.t(dx, "dx").ptr, rows, cols);
  }

  random(seed: number, stream: number): RandomStream {
    const ptr = this.reserve(64, "a random stream");
    this.core.rngSeed(ptr, seed >>> 0, stream >>> 0);
    return new WasmRandom(this, seed, stream, ptr);
  }

  freeRandom(rng: RandomStream): void {
    if (rng instanceof WasmRandom && rng.owner === this && (rng.released || this.disposed)) return; // twice, or after dispose, is harmless
    const r = this.rng(rng);
    r.markReleased();
    this.arena.release(r.ptr);
  }

  fillBits(rng: RandomStream, out: Tensor): void {
    this.core.fillBits(this.rng(rng).ptr, this.t(out, "out").ptr, out.length);
  }

  fillUniform(rng: RandomStream, out: Tensor, lo: number, hi: number): void {
    this.core.fillUniform(this.rng(rng).ptr, this.t(out, "out").ptr, out.length, lo, hi, hi > lo ? float32Below(hi) : lo);
  }

  fillNormal(rng: RandomStream, out: Tensor, mean: number, std: number): void {
    this.core.fillNormal(this.rng(rng).ptr, this.t(out, "out").ptr, out.length, mean, std);
  }

  fillTruncatedNormal(rng: RandomStream, out: Tensor, mean: number, std: number, lo: number, hi: number): void {
    this.core.fillTruncatedNormal(this.rng(rng).ptr, this.t(out, "out").ptr, out.length, mean, std, lo, hi);
  }

  // The two fills whose extent is given (rows x cols), not the destination's own length.
  orthonormalizeRows(x: Tensor, rows: number, cols: number): boolean {
    const t = this.t(x, "x");
    checkMatrix("x", t, rows, cols);
    return this.core.orthonormalizeRows(t.ptr, rows, cols) === 0;
  }

  transpose(src: Tensor, dst: Tensor, rows: number, cols: number): void {
    const s = this.t(src, "src"), d = this.t(dst, "dst");
    checkMatrix("src", s, rows, cols);
    checkHolds("dst", d, rows * cols, `${cols} x ${rows}`);
    this.core.transpose(s.ptr, d.ptr, rows, cols);
  }

  copy(src: Tensor, dst: Tensor): void {
    this.core.copy(this.t(src, "src").ptr, this.t(dst, "dst").ptr, src.length);
  }

  gatherRows(src: Tensor, index: Tensor, dst: Tensor, count: number, cols: number): void {
    this.core.gatherRows(this.t(src, "src").ptr, this.t(index, "index").ptr, this.t(dst, "dst").ptr, count, cols);
  }

  sumSquares(x: Tensor): number { return this.core.sumSquares(this.t(x, "x").ptr, x.length); }
  countNonFinite(x: Tensor): number { return this.core.countNonFinite(this.t(x, "x").ptr, x.length); }

  meanSquaredError(pred: Tensor, target: Tensor, grad: Tensor | null, scale: number, weights: Tensor | null = null): number {
    return this.core.meanSquaredError(this.t(pred, "pred").ptr, this.t(target, "target").ptr, this.opt(grad), pred.length, scale,
      this.opt(weights), rowWidth(pred, weights));
  }
  sigmoidCrossEntropy(logits: Tensor, target: Tensor, grad: Tensor | null, scale: number, weights: Tensor | null = null): number {
    return this.core.sigmoidCrossEntropy(this.t(logits, "logits").ptr, this.t(target, "target").ptr, this.opt(grad), logits.length, scale,
      this.opt(weights), rowWidth(logits, weights));
  }
  binaryCrossEntropy(prob: Tensor, target: Tensor, grad: Tensor | null, scale: number, eps: number, weights: Tensor | null = null): number {
    return this.core.binaryCrossEntropy(this.t(prob, "prob").ptr, this.t(target, "target").ptr, this.opt(grad), prob.length, scale, eps,
      this.opt(weights), rowWidth(prob, weights));
  }
  softmaxCrossEntropy(logits: Tensor, target: Tensor, probs: Tensor, grad: Tensor | null, rows: number, cols: number, scale: number,
    weights: Tensor | null = null): number {
    return this.core.softmaxCrossEntropy(this.t(logits, "logits").ptr, this.t(target, "target").ptr, this.t(probs, "probs").ptr,
      this.opt(grad), rows, cols, scale, this.opt(weights));
  }
  meanAbsoluteError(pred: Tensor, target: Tensor, grad: Tensor | null, scale: number, weights: Tensor | null = null): number {
    return this.core.meanAbsoluteError(this.t(pred, "pred").ptr, this.t(target, "target").ptr, this.opt(grad), pred.length, scale,
      this.opt(weights), rowWidth(pred, weights));
  }
  huber(pred: Tensor, target: Tensor, grad: Tensor | null, scale: number, delta: number, weights: Tensor | null = null): number {
    return this.core.huber(this.t(pred, "pred").ptr, this.t(target, "target").ptr, this.opt(grad), pred.length, scale, delta,
      this.opt(weights), rowWidth(pred, weights));
  }
  logCosh(pred: Tensor, target: Tensor, grad: Tensor | null, scale: number, weights: Tensor | null = null): number {
    return this.core.logCosh(this.t(pred, "pred").ptr, this.t(target, "target").ptr, this.opt(grad), pred.length, scale,
      this.opt(weights), rowWidth(pred, weights));
  }
  categoricalHinge(pred: Tensor, target: Tensor, grad: Tensor | null, rows: number, cols: number, scale: number, weights: Tensor | null = null): number {
    return this.core.categoricalHinge(this.t(pred, "pred").ptr, this.t(target, "target").ptr, this.opt(grad), rows, cols, scale, this.opt(weights));
  }
  regularize(w: Tensor, grad: Tensor | null, l1: number, l2: number): number {
    return this.core.regularize(this.t(w, "w").ptr, this.opt(grad), w.length, l1, l2);
  }
  countCorrect(y: Tensor, target: Tensor, rows: number, cols: number, threshold: number): number {
    return this.core.countCorrect(this.t(y, "y").ptr, this.t(target, "target").ptr, rows, cols, threshold);
  }

  optimizerStep(kernel: UpdateKernel, w: Tensor, g: Tensor, state: readonly Tensor[], params: Float32Array, out?: UpdateOutputs): void {
    const n = state.length, s0 = state[0], s1 = state[1];
    const at = this.core.updateParams();
    this.arena.f32().set(params, at / 4);
    this.core.optimizerStep(UPDATE_KERNELS[kernel].code, at, w.length, this.t(w, "w").ptr, this.t(g, "g").ptr,
      n > 0 ? this.t(s0!, "state[0]").ptr : 0, n > 1 ? this.t(s1!, "state[1]").ptr : 0, this.outPtr(out?.w, w),
      n > 0 ? this.outPtr(out?.state[0], s0!) : 0, n > 1 ? this.outPtr(out?.state[1], s1!) : 0);
  }

  sum(x: Tensor): number { return this.core.sum(this.t(x, "x").ptr, x.length); }
  countAbsAbove(x: Tensor, t: number): number { return this.core.countAbsAbove(this.t(x, "x").ptr, x.length, t); }
  countBelow(x: Tensor, t: number): number { return this.core.countBelow(this.t(x, "x").ptr, x.length, t); }
  columnMax(x: Tensor, rows: number, cols: number, out: Tensor, accumulate: boolean): void {
    this.core.columnMax(this.t(x, "x").ptr, rows, cols, this.t(out, "out").ptr, accumulate ? 1 : 0);
  }
  histogram(x: Tensor, lo: number, hi: number, bins: number, out: Tensor): void {
    this.core.histogram(this.t(x, "x").ptr, x.length, lo, hi, bins, this.t(out, "out").ptr);
  }
  columnHashes(x: Tensor, rows: number, cols: number): Uint32Array {
    const out = this.alloc(cols) as WasmTensor;
    try {
      this.core.columnHash(this.t(x, "x").ptr, rows, cols, out.ptr);
      return new Uint32Array(this.read(out).buffer);
    } finally {
      this.free(out);
    }
  }
  countSameSignColumns(x: Tensor, rows: number, cols: number): number {
    return this.core.countSameSignColumns(this.t(x, "x").ptr, rows, cols);
  }
  sumSquaredDiff(a: Tensor, b: Tensor): number { return this.core.sumSquaredDiff(this.t(a, "a").ptr, this.t(b, "b").ptr, a.length); }
  columnSumSquares(x: Tensor, out: Tensor, rows: number, cols: number): void {
    this.core.columnSumSquares(this.t(x, "x").ptr, rows, cols, this.t(out, "out").ptr);
  }

  /** After dispose, every call on this backend or its tensors throws. */
  dispose(): void {
    this.disposed = true;
  }

  // A tensor of this backend, alive: anything else would read or write another tensor's memory.
  private t(tensor: Tensor, name: string): WasmTensor {
    this.live();
    if (!(tensor instanceof WasmTensor) || tensor.owner !== this) {
      throw new ArgumentError(name, "a tensor of this wasm backend", tensor);
    }
    if (!tensor.live) throw new ArgumentError(name, "a tensor that has not been freed", "a freed tensor");
    return tensor;
  }

  // An update's output: the given tensor, or the input itself (in place).
  private outPtr(out: Tensor | undefined, input: Tensor): number { return this.t(out ?? input, "out").ptr; }

  // 0 stands for "no tensor": the heap starts above it.
  private opt(tensor: Tensor | null): number { return tensor === null ? 0 : this.t(tensor, "grad").ptr; }

  private rng(r: RandomStream): WasmRandom {
    this.live();
    if (!(r instanceof WasmRandom) || r.owner !== this) throw new ArgumentError("rng", "a random stream of this wasm backend", r);
    if (r.released) throw new ArgumentError("rng", "a random stream that has not been freed", "a freed stream");
    return r;
  }

  private reserve(bytes: number, what: string): number {
    this.live();
    try {
      return this.arena.alloc(bytes);
    } catch (cause) {
      const models = this.models === 1 ? "1 model" : `${this.models} models`;
      throw new InternalError(`wasm memory exhausted allocating ${what} (${mib(bytes)}): ${mib(this.arena.liveBytes)} in use `
        + `of ${mib(this.arena.memoryBytes)} reserved (the core's limit is 4 GiB); ${models} alive on this core. `
        + "A model holds its memory until model.dispose(): dispose models you no longer use, or use smaller batches", { cause });
    }
  }

  private live(): void {
    if (this.disposed) throw new StateError("this wasm backend has been disposed");
  }
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** @internal Counts a model (+1) or its disposal (-1) on the core it uses. */
export function trackModel(backend: Backend, delta: 1 | -1): void {
  if (backend instanceof WasmBackend) backend.models += delta;
}

/** Loads a fresh wasm core (its own memory) and wraps it as a Backend. */
export async function createWasmBackend(source?: WasmSource): Promise<WasmBackend> {
  return new WasmBackend(await instantiateCore(source));
}

/** Elements per row of an elementwise loss's input under per-row weights (1 without any). */
function rowWidth(x: Tensor, weights: Tensor | null): number {
  return weights ? x.length / weights.length : 1;
}
