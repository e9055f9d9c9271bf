// The numeric engine of a model: parameters, gradients and per-batch buffers in backend
// memory, and the forward and backward passes as sequences of kernel calls. Nothing here
// allocates per call once the buffers exist; nothing is read back but what the caller asks.
//
// Layout: all kernels, then all biases, in one parameter tensor (and one gradient tensor of
// the same layout), so an optimizer step is one kernel call per part and a save is a read.
// A kernel is [inputs x units] row-major (Keras' layout): z = x W + b. A normalization
// layer's gamma and beta sit in the bias part, in layer order among the biases: every
// optimizer updates them, and weight decay (which only the kernel part gets) leaves them be.
// Batch normalization's moving statistics are state, not parameters: one copy, moved by
// updateMovingStatistics once a training step has been committed.
//
// The parameters exist twice. An update writes the other copy and the model switches to it
// only once the update is complete (commit), so an update that fails halfway (a trap, an
// exception) leaves the current weights exactly as they were.
//
// Inference (infer) gives forward's results bit for bit by two faster routes: up to
// MATVEC_ROWS rows, matvec streams each kernel as it lies; beyond, sgemm runs on kernels
// packed once per version of the weights (every commit or weightsChanged starts a new one).
import { packedWeightsLength, type Backend, type Tensor } from "./backend/backend.js";
import { dropoutStream } from "./layerTypes.js";
import { parameterCount, type DenseLayer, type Layer } from "./layers.js";
import type { OutputBuffers } from "./losses.js";

/** One layer's buffers for a batch of `rows`: views into the capacity-sized buffers. */
export interface LayerBuffers {
  /** Dense: the pre-activation x W + b. A normalization: the normalized values (xhat).
   *  Dropout: the mask. An activation layer: its input (the layer before's output). */
  z: Tensor;
  /** The layer's output: f(z) for dense (the same tensor as z for identity). */
  a: Tensor;
  /** Gradient: dL/da, then dL/dz in place. */
  d: Tensor;
  /** Layer normalization: 1 / std of each row. */
  rowStats?: Tensor;
}

/** How a pass computes: as in training (batch statistics, dropout masks), as in inference
 *  (moving statistics, no dropout), or "statistics": the batch's statistics without dropout
 *  (what the diagnostics measure: the signal training sees, without dropout's noise). */
export type Mode = "training" | "inference" | "statistics";

/** Every buffer of one batch size. */
export interface Batch {
  rows: number;
  x: Tensor;
  t: Tensor;
  layers: LayerBuffers[];
  out: OutputBuffers;
}

/** One copy of the parameters, with a view per layer and per part. */
export interface ParameterSide {
  params: Tensor;
  kernels: Tensor[];
  biases: Tensor[];
  allKernels: Tensor;
  allBiases: Tensor;
  /** Each normalization layer's scale and shift (views of its part of biases; empty elsewhere). */
  gammas: Tensor[];
  betas: Tensor[];
}

/** Rows up to which inference runs matvec: at one or two rows sgemm's 4-row blocks are mostly
 *  padding; at three the two tie, from four on sgemm wins (bench/inference.ts, layer-784x128). */
export const MATVEC_ROWS = 2;

/** Layers narrower than a packed panel (8 columns) always run matvec: packing would pad them. */
const PACKED_MIN_UNITS = 8;

export class Network {
  readonly grads: Tensor;
  /** Per batch normalization layer (null elsewhere): the moving mean and variance, the
   *  last training batch's [mean | variance | 1 / std]. */
  readonly moving: ({ mean: Tensor; variance: Tensor } | null)[];
  readonly batchStats: ({ all: Tensor; mean: Tensor; variance: Tensor; invStd: Tensor } | null)[];
  /** Gradients of each normalization's gamma and beta (empty views elsewhere). */
  readonly gammaGrads: Tensor[];
  readonly betaGrads: Tensor[];
  // Per dense layer without bias, zeros of its width (matvec always adds a bias, and forward
  // adds it too so that both paths round alike); null elsewhere.
  private readonly zeroBiases: (Tensor | null)[];
  /** The moving statistics of every layer in one tensor (for save, load and restore). */
  readonly movingAll: Tensor | null;
  readonly kernelGrads: Tensor[] = [];
  readonly biasGrads: Tensor[] = [];
  /** All kernel / all bias gradients as one tensor each, for the optimizer. */
  readonly allKernelGrads: Tensor;
  readonly allBiasGrads: Tensor;
  readonly kernelCount: number;
  readonly paramCount: number;
  private readonly storage: Tensor;
  private readonly sides: [ParameterSide, ParameterSide];
  private current = 0;

  /** Bytes of batch buffers per row: what an inference chunk costs per row it holds. */
  readonly bytesPerRow: number;
  private weightsVersion = 0;
  private packed: { tensor: Tensor; kernels: (Tensor | null)[]; version: number } | null = null;

  private readonly zeroBias: Tensor | null;
  private readonly statsStorage: Tensor | null;
  private capacity = 0;
  private buffers: Tensor[] = [];
  private full: Batch | null = null;
  private partial: Batch | null = null;

  constructor(
    readonly backend: Backend,
    readonly layers: readonly Layer[],
    private readonly withProbs: boolean,
  ) {
    this.kernelCount = layers.reduce((n, l) => n + kernelLength(l), 0);
    this.paramCount = layers.reduce((n, l) => n + parameterCount(l), 0);
    // The buffers ensureCapacity allocates, per row: x, t, probs, and per layer its own.
    this.bytesPerRow =
      4 * (this.inputs + this.outputs * (withProbs ? 2 : 1) + layers.reduce((n, l) => n + rowFloats(l), 0));
    const normalized = layers.filter((l) => l.type === "batchNormalization");
    const statsLength = normalized.reduce((n, l) => n + 5 * l.units, 0);
    const noBias = layers.reduce((n, l) => (l.type === "dense" && !l.useBias ? Math.max(n, l.units) : n), 0);
    const owned: Tensor[] = [];
    try {
      this.storage = backend.alloc(2 * this.paramCount);
      owned.push(this.storage);
      this.grads = backend.alloc(this.paramCount);
      owned.push(this.grads);
      this.statsStorage = statsLength > 0 ? backend.alloc(statsLength) : null;
      if (this.statsStorage) owned.push(this.statsStorage);
      this.zeroBias = noBias > 0 ? backend.alloc(noBias) : null;
    } catch (e) {
      for (const t of owned) backend.free(t); // out of memory: nothing of this network stays allocated
      throw e;
    }
    backend.fill(this.grads, 0);
    if (this.zeroBias) backend.fill(this.zeroBias, 0);
    // Moving statistics first ([means and variances per layer]), then the batch statistics.
    let at = 0;
    const movingLength = normalized.reduce((n, l) => n + 2 * l.units, 0);
    this.movingAll = this.statsStorage && backend.slice(this.statsStorage, 0, movingLength);
    this.moving = layers.map((l) => {
      if (l.type !== "batchNormalization") return null;
      const mean = backend.slice(this.statsStorage!, at, l.units),
        variance = backend.slice(this.statsStorage!, at + l.units, l.units);
      at += 2 * l.units;
      return { mean, variance };
    });
    this.batchStats = layers.map((l) => {
      if (l.type !== "batchNormalization") return null;
      const view = (k: number): Tensor => backend.slice(this.statsStorage!, at + k * l.units, l.units);
      const stats = {
        all: backend.slice(this.statsStorage!, at, 3 * l.units),
        mean: view(0),
        variance: view(1),
        invStd: view(2),
      };
      at += 3 * l.units;
      return stats;
    });
    this.zeroBiases = layers.map((l) =>
      l.type === "dense" && !l.useBias ? backend.slice(this.zeroBias!, 0, l.units) : null,
    );
    if (this.statsStorage) backend.fill(this.statsStorage, 0);
    const side = (offset: number): ParameterSide => {
      const params = backend.slice(this.storage, offset, this.paramCount);
      return { params, ...this.partViews(params) };
    };
    this.sides = [side(0), side(this.paramCount)];
    backend.fill(this.storage, 0);
    const g = this.partViews(this.grads);
    this.kernelGrads = g.kernels;
    this.biasGrads = g.biases;
    this.allKernelGrads = g.allKernels;
    this.allBiasGrads = g.allBiases;
    this.gammaGrads = g.gammas;
    this.betaGrads = g.betas;
  }

  // Per-layer and per-part views of a tensor laid out like the parameters. A normalization
  // layer's "bias" is its [gamma | beta]; a layer without a part gets an empty view.
  private partViews(t: Tensor): Omit<ParameterSide, "params"> {
    const b = this.backend,
      kernels: Tensor[] = [],
      biases: Tensor[] = [],
      gammas: Tensor[] = [],
      betas: Tensor[] = [];
    let k = 0,
      o = this.kernelCount;
    for (const l of this.layers) {
      const kernel = kernelLength(l),
        bias = parameterCount(l) - kernel;
      kernels.push(b.slice(t, k, kernel));
      biases.push(b.slice(t, o, bias));
      const half = l.type === "dense" ? 0 : bias / 2;
      gammas.push(b.slice(t, o, half));
      betas.push(b.slice(t, o + half, half));
      k += kernel;
      o += bias;
    }
    return {
      kernels,
      biases,
      gammas,
      betas,
      allKernels: b.slice(t, 0, this.kernelCount),
      allBiases: b.slice(t, this.kernelCount, this.paramCount - this.kernelCount),
    };
  }

  /** The parameters in use. */
  get live(): ParameterSide {
    return this.sides[this.current]!;
  }
  /** The copy an update writes before commit. */
  get staged(): ParameterSide {
    return this.sides[1 - this.current]!;
  }
  get params(): Tensor {
    return this.live.params;
  }
  get kernels(): Tensor[] {
    return this.live.kernels;
  }
  get biases(): Tensor[] {
    return this.live.biases;
  }
  get gammas(): Tensor[] {
    return this.live.gammas;
  }
  get betas(): Tensor[] {
    return this.live.betas;
  }
  /** Makes the staged copy the live one. */
  commit(): void {
    this.current = 1 - this.current;
    this.weightsChanged();
  }
  /** Says the live weights were written (setWeights, a restore): the packed copy is stale. */
  weightsChanged(): void {
    this.weightsVersion++;
  }

  get inputs(): number {
    return this.layers[0]!.inputs;
  }
  get outputs(): number {
    return this.layers[this.layers.length - 1]!.units;
  }
  /** Rows the batch buffers hold now. */
  get rowCapacity(): number {
    return this.capacity;
  }

  /** Fills every kernel and bias from its initializer and its own stream; gamma with ones,
   *  beta with zeros, the moving means with zeros and variances with ones (Keras). */
  initialize(): void {
    const b = this.backend;
    this.layers.forEach((l, i) => {
      if (l.type !== "dense") {
        b.fill(this.gammas[i]!, 1);
        b.fill(this.betas[i]!, 0);
        const moving = this.moving[i];
        if (moving) {
          b.fill(moving.mean, 0);
          b.fill(moving.variance, 1);
        }
        return;
      }
      const rng = b.random(l.seed, l.stream);
      const rngBias = b.random(l.seed, (l.stream + 1) >>> 0);
      try {
        l.kernelInitializer.fill(b, this.kernels[i]!, l.inputs, l.units, rng);
        // a 1-D parameter's fans are its length (Keras)
        if (l.useBias) l.biasInitializer.fill(b, this.biases[i]!, l.units, l.units, rngBias);
      } finally {
        b.freeRandom(rng);
        b.freeRandom(rngBias);
      }
    });
  }

  /** Buffers for `rows` rows, growing them first if they hold fewer (never during a fit:
   *  fit reserves its batch size before the first step). Reuses the last views. */
  batch(rows: number): Batch {
    if (rows > this.capacity) this.ensureCapacity(rows);
    if (this.full && this.full.rows === rows) return this.full;
    if (this.partial && this.partial.rows === rows) return this.partial;
    const views = this.views(rows);
    if (rows === this.capacity) this.full = views;
    else this.partial = views;
    return views;
  }

  /** Grows the batch buffers to hold `rows` rows. Growing frees and reallocates, so it is
   *  done before training starts, never between the steps of a fit. */
  ensureCapacity(rows: number): void {
    if (rows <= this.capacity) return;
    this.freeBuffers();
    const b = this.backend,
      alloc = (n: number): Tensor => {
        const t = b.alloc(n);
        this.buffers.push(t);
        return t;
      };
    alloc(rows * this.inputs);
    alloc(rows * this.outputs);
    for (const l of this.layers) {
      if (ownsZ(l)) alloc(rows * l.units);
      if (l.type !== "dense" || l.activation !== "identity") alloc(rows * l.units);
      alloc(rows * l.units);
      if (l.type === "layerNormalization") alloc(rows);
    }
    if (this.withProbs) alloc(rows * this.outputs);
    this.capacity = rows;
  }

  private views(rows: number): Batch {
    const b = this.backend,
      take = (i: number, n: number): Tensor => b.slice(this.buffers[i]!, 0, n);
    let i = 0;
    const x = take(i++, rows * this.inputs);
    const t = take(i++, rows * this.outputs);
    const layers: LayerBuffers[] = [];
    for (const l of this.layers) {
      const z = ownsZ(l) ? take(i++, rows * l.units) : layers.length > 0 ? layers[layers.length - 1]!.a : x;
      const a = l.type === "dense" && l.activation === "identity" ? z : take(i++, rows * l.units);
      const buffers: LayerBuffers = { z, a, d: take(i++, rows * l.units) };
      if (l.type === "layerNormalization") buffers.rowStats = take(i++, rows);
      layers.push(buffers);
    }
    const last = layers[layers.length - 1]!;
    const probs = this.withProbs ? take(i++, rows * this.outputs) : null;
    return { rows, x, t, layers, out: { z: last.z, a: last.a, t, d: last.d, probs } };
  }

  /** z = x W + b and a = f(z) for every dense layer, from batch.x, and each other layer's
   *  output. In training mode the normalizations use the batch's statistics and dropout the
   *  mask of optimizer step `step`; in inference mode (forward's results the way infer gives
   *  them) the moving statistics, and dropout passes its input on. */
  forward(batch: Batch, mode: Mode = "training", step = 0): void {
    const b = this.backend,
      rows = batch.rows;
    let input = batch.x;
    for (let i = 0; i < this.layers.length; i++) {
      const l = this.layers[i]!,
        buf = batch.layers[i]!;
      if (l.type === "dense") {
        b.sgemm(false, false, rows, l.units, l.inputs, 1, input, this.kernels[i]!, 0, buf.z);
        b.addBias(buf.z, this.bias(i, l), rows, l.units);
        this.activate(l, buf, rows);
      } else {
        this.widthForward(i, input, buf, rows, mode, step);
      }
      input = buf.a;
    }
  }

  // A width-keeping layer's forward pass from `input` into buf.a.
  private widthForward(i: number, input: Tensor, buf: LayerBuffers, rows: number, mode: Mode, step: number): void {
    const b = this.backend,
      l = this.layers[i]!,
      gamma = this.gammas[i]!,
      beta = this.betas[i]!;
    switch (l.type) {
      case "batchNormalization":
        if (mode !== "inference")
          b.batchNormForward(input, buf.a, buf.z, this.batchStats[i]!.all, gamma, beta, rows, l.units, l.epsilon);
        else
          b.batchNormInference(
            input,
            buf.a,
            this.moving[i]!.mean,
            this.moving[i]!.variance,
            gamma,
            beta,
            rows,
            l.units,
            l.epsilon,
          );
        return;
      case "layerNormalization":
        b.layerNormForward(input, buf.a, buf.z, buf.rowStats!, gamma, beta, rows, l.units, l.epsilon);
        return;
      case "dropout":
        if (mode === "training" && l.rate > 0)
          b.dropoutForward(input, buf.z, buf.a, l.rate, l.seed, dropoutStream(l, step));
        else b.copy(input, buf.a);
        return;
      case "activation":
        b.activation(l.activation, input, buf.a, l.alpha);
        return;
      case "dense":
        throw new Error("unreachable");
    }
  }

  /** After a committed training step: each batch normalization's moving mean and variance
   *  move toward the last training batch's (Keras: moving = momentum moving + (1 - momentum) batch). */
  updateMovingStatistics(): void {
    this.layers.forEach((l, i) => {
      if (l.type !== "batchNormalization") return;
      const stats = this.batchStats[i]!,
        moving = this.moving[i]!;
      this.backend.movingAverage(moving.mean, stats.mean, l.momentum);
      this.backend.movingAverage(moving.variance, stats.variance, l.momentum);
    });
  }

  // The bias a dense layer adds: its own, or zeros without one.
  private bias(i: number, l: DenseLayer): Tensor {
    return this.zeroBiases[i] ?? this.biases[i]!;
  }

  /** forward's results, bit for bit, for inference: matvec for a few rows or a narrow layer,
   *  else sgemm on the packed kernels (packed again only when the weights have changed). */
  infer(batch: Batch): void {
    const b = this.backend,
      rows = batch.rows;
    const packed = rows > MATVEC_ROWS ? this.packedKernels() : null;
    let input = batch.x;
    for (let i = 0; i < this.layers.length; i++) {
      const l = this.layers[i]!,
        buf = batch.layers[i]!,
        kernel = packed?.[i];
      if (l.type !== "dense") {
        this.widthForward(i, input, buf, rows, "inference", 0);
      } else if (kernel) {
        b.sgemmPacked(rows, l.units, l.inputs, input, kernel, buf.z);
        b.addBias(buf.z, this.bias(i, l), rows, l.units);
        this.activate(l, buf, rows);
      } else {
        b.matvec(rows, l.units, l.inputs, input, this.kernels[i]!, this.bias(i, l), buf.z);
        this.activate(l, buf, rows);
      }
      input = buf.a;
    }
  }

  // The live kernels in sgemmPacked's layout (null for a layer too narrow to pack), packed
  // into one tensor allocated on first use.
  private packedKernels(): (Tensor | null)[] {
    const b = this.backend;
    if (this.packed === null) {
      const lengths = this.layers.map((l) =>
        l.type === "dense" && l.units >= PACKED_MIN_UNITS ? packedWeightsLength(l.inputs, l.units) : 0,
      );
      const tensor = b.alloc(lengths.reduce((n, len) => n + len, 0));
      let at = 0;
      const kernels = lengths.map((len) => {
        const view = len > 0 ? b.slice(tensor, at, len) : null;
        at += len;
        return view;
      });
      this.packed = { tensor, kernels, version: this.weightsVersion - 1 };
    }
    if (this.packed.version !== this.weightsVersion) {
      this.layers.forEach((l, i) => {
        const kernel = this.packed!.kernels[i];
        if (l.type !== "dense") return;
        if (kernel) b.packWeights(this.kernels[i]!, l.inputs, l.units, kernel);
      });
      this.packed.version = this.weightsVersion;
    }
    return this.packed.kernels;
  }

  private activate(l: DenseLayer, buf: LayerBuffers, rows: number): void {
    if (l.activation === "softmax") this.backend.softmax(buf.z, buf.a, rows, l.units);
    else if (l.activation === "logSoftmax") this.backend.logSoftmax(buf.z, buf.a, rows, l.units);
    else if (l.activation !== "identity") this.backend.activation(l.activation, buf.z, buf.a, l.alpha);
  }

  /** Gradients of every kernel and bias (and gamma and beta), from the output gradient in
   *  the last layer's d (dL/dz when `outputIsPreActivation`, else dL/da), after a training
   *  forward pass. The first layer's input gradient is never formed: nothing uses it. */
  backward(batch: Batch, outputIsPreActivation: boolean): void {
    const b = this.backend,
      rows = batch.rows,
      last = this.layers.length - 1;
    for (let i = last; i >= 0; i--) {
      const l = this.layers[i]!,
        buf = batch.layers[i]!;
      if (l.type !== "dense") {
        this.widthBackward(i, buf, i > 0 ? batch.layers[i - 1]!.d : null, rows);
        continue;
      }
      if (i < last || !outputIsPreActivation) {
        if (l.activation === "softmax") b.softmaxGrad(buf.a, buf.d, buf.d, rows, l.units);
        else if (l.activation === "logSoftmax") b.logSoftmaxGrad(buf.a, buf.d, buf.d, rows, l.units);
        else if (l.activation !== "identity") b.activationGrad(l.activation, buf.z, buf.d, buf.d, l.alpha);
      }
      const input = i === 0 ? batch.x : batch.layers[i - 1]!.a;
      b.sgemm(true, false, l.inputs, l.units, rows, 1, input, buf.d, 0, this.kernelGrads[i]!);
      if (l.useBias) b.sumRows(buf.d, this.biasGrads[i]!, rows, l.units);
      if (i > 0) b.sgemm(false, true, rows, l.inputs, l.units, 1, buf.d, this.kernels[i]!, 0, batch.layers[i - 1]!.d);
    }
  }

  // A width-keeping layer's backward pass: gamma's and beta's gradients, and dL/d(input) into
  // `dx` (the layer before's d; null for the first layer, whose input gradient nobody reads).
  private widthBackward(i: number, buf: LayerBuffers, dx: Tensor | null, rows: number): void {
    const b = this.backend,
      l = this.layers[i]!,
      gamma = this.gammas[i]!,
      dGamma = this.gammaGrads[i]!,
      dBeta = this.betaGrads[i]!;
    switch (l.type) {
      case "batchNormalization":
        b.batchNormBackward(buf.z, buf.d, dx ?? buf.d, this.batchStats[i]!.invStd, gamma, dGamma, dBeta, rows, l.units);
        return;
      case "layerNormalization":
        b.layerNormBackward(buf.z, buf.d, dx ?? buf.d, buf.rowStats!, gamma, dGamma, dBeta, rows, l.units);
        return;
      case "dropout":
        if (!dx) return;
        if (l.rate > 0) b.dropoutBackward(buf.d, buf.z, dx);
        else b.copy(buf.d, dx);
        return;
      case "activation":
        if (dx) b.activationGrad(l.activation, buf.z, buf.d, dx, l.alpha);
        return;
      case "dense":
        throw new Error("unreachable");
    }
  }

  private freeBuffers(): void {
    for (const t of this.buffers) this.backend.free(t);
    this.buffers = [];
    this.full = this.partial = null;
    this.capacity = 0;
  }

  dispose(): void {
    this.freeBuffers();
    if (this.packed) this.backend.free(this.packed.tensor);
    this.packed = null;
    this.backend.free(this.storage);
    this.backend.free(this.grads);
    if (this.statsStorage) this.backend.free(this.statsStorage);
    if (this.zeroBias) this.backend.free(this.zeroBias);
  }
}

/** Floats of a layer's kernel (dense only). */
const kernelLength = (l: Layer): number => (l.type === "dense" ? l.inputs * l.units : 0);

/** Whether a layer has a z buffer of its own (an activation layer's z is its input). */
const ownsZ = (l: Layer): boolean => l.type !== "activation";

/** Floats of batch buffers a layer takes per row. */
function rowFloats(l: Layer): number {
  const own = (ownsZ(l) ? 1 : 0) + (l.type === "dense" && l.activation === "identity" ? 0 : 1) + 1;
  return own * l.units + (l.type === "layerNormalization" ? 1 : 0);
}
