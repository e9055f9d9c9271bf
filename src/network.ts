// The numeric engine of a model: parameters, gradients and per-batch buffers in backend
// memory, and the forward and backward passes as sequences of kernel calls. Nothing here
// allocates per call once the buffers exist; nothing is read back but what the caller asks.
//
// Layout: all kernels, then all biases, in one parameter tensor (and one gradient tensor of
// the same layout), so an optimizer step is one kernel call per part and a save is a read.
// A kernel is [inputs x units] row-major (Keras' layout): z = x W + b.
//
// The parameters exist twice. An update writes the other copy and the model switches to it
// only once the update is complete (commit), so an update that fails halfway (a trap, an
// exception) leaves the current weights exactly as they were.
//
// Inference (infer) gives forward's results bit for bit by two faster routes: up to
// MATVEC_ROWS rows, matvec streams each kernel as it lies; beyond, sgemm runs on kernels
// packed once per version of the weights (every commit or weightsChanged starts a new one).
import { packedWeightsLength, type Backend, type Tensor } from "./backend/backend.js";
import type { DenseLayer } from "./layers.js";
import type { OutputBuffers } from "./losses.js";

/** One layer's buffers for a batch of `rows`: views into the capacity-sized buffers. */
export interface LayerBuffers {
  /** Pre-activation x W + b. */
  z: Tensor;
  /** Activation f(z); the same tensor as z for identity. */
  a: Tensor;
  /** Gradient: dL/da, then dL/dz in place. */
  d: Tensor;
}

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
}

/** Rows up to which inference runs matvec: at one or two rows sgemm's 4-row blocks are mostly
 *  padding; at three the two tie, from four on sgemm wins (bench/inference.ts, layer-784x128). */
export const MATVEC_ROWS = 2;

/** Layers narrower than a packed panel (8 columns) always run matvec: packing would pad them. */
const PACKED_MIN_UNITS = 8;

export class Network {
  readonly grads: Tensor;
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

  private capacity = 0;
  private buffers: Tensor[] = [];
  private full: Batch | null = null;
  private partial: Batch | null = null;

  constructor(readonly backend: Backend, readonly layers: readonly DenseLayer[], private readonly withProbs: boolean) {
    this.kernelCount = layers.reduce((n, l) => n + l.inputs * l.units, 0);
    this.paramCount = this.kernelCount + layers.reduce((n, l) => n + l.units, 0);
    // The buffers ensureCapacity allocates, per row: x, t, probs, and z, a (unless identity), d per layer.
    this.bytesPerRow = 4 * (this.inputs + this.outputs * (withProbs ? 2 : 1)
      + layers.reduce((n, l) => n + l.units * (l.activation === "identity" ? 2 : 3), 0));
    this.storage = backend.alloc(2 * this.paramCount);
    try {
      this.grads = backend.alloc(this.paramCount);
    } catch (e) {
      backend.free(this.storage); // out of memory: nothing of this network stays allocated
      throw e;
    }
    backend.fill(this.grads, 0);
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
  }

  // Per-layer and per-part views of a tensor laid out like the parameters.
  private partViews(t: Tensor): Omit<ParameterSide, "params"> {
    const b = this.backend, kernels: Tensor[] = [], biases: Tensor[] = [];
    let k = 0, o = this.kernelCount;
    for (const l of this.layers) {
      kernels.push(b.slice(t, k, l.inputs * l.units));
      biases.push(b.slice(t, o, l.units));
      k += l.inputs * l.units;
      o += l.units;
    }
    return { kernels, biases, allKernels: b.slice(t, 0, this.kernelCount), allBiases: b.slice(t, this.kernelCount, this.paramCount - this.kernelCount) };
  }

  /** The parameters in use. */
  get live(): ParameterSide { return this.sides[this.current]!; }
  /** The copy an update writes before commit. */
  get staged(): ParameterSide { return this.sides[1 - this.current]!; }
  get params(): Tensor { return this.live.params; }
  get kernels(): Tensor[] { return this.live.kernels; }
  get biases(): Tensor[] { return this.live.biases; }
  /** Makes the staged copy the live one. */
  commit(): void {
    this.current = 1 - this.current;
    this.weightsChanged();
  }
  /** Says the live weights were written (setWeights, a restore): the packed copy is stale. */
  weightsChanged(): void { this.weightsVersion++; }

  get inputs(): number { return this.layers[0]!.inputs; }
  get outputs(): number { return this.layers[this.layers.length - 1]!.units; }
  /** Rows the batch buffers hold now. */
  get rowCapacity(): number { return this.capacity; }

  /** Fills every kernel and bias from its initializer and its own stream. */
  initialize(): void {
    const b = this.backend;
    this.layers.forEach((l, i) => {
      const rng = b.random(l.seed, l.stream);
      const rngBias = b.random(l.seed, (l.stream + 1) >>> 0);
      try {
        l.kernelInitializer.fill(b, this.kernels[i]!, l.inputs, l.units, rng);
        l.biasInitializer.fill(b, this.biases[i]!, l.units, l.units, rngBias); // a 1-D parameter's fans are its length (Keras)
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
    const b = this.backend, alloc = (n: number): Tensor => {
      const t = b.alloc(n);
      this.buffers.push(t);
      return t;
    };
    alloc(rows * this.inputs);
    alloc(rows * this.outputs);
    for (const l of this.layers) {
      alloc(rows * l.units);
      if (l.activation !== "identity") alloc(rows * l.units);
      alloc(rows * l.units);
    }
    if (this.withProbs) alloc(rows * this.outputs);
    this.capacity = rows;
  }

  private views(rows: number): Batch {
    const b = this.backend, take = (i: number, n: number): Tensor => b.slice(this.buffers[i]!, 0, n);
    let i = 0;
    const x = take(i++, rows * this.inputs);
    const t = take(i++, rows * this.outputs);
    const layers = this.layers.map((l) => {
      const z = take(i++, rows * l.units);
      const a = l.activation === "identity" ? z : take(i++, rows * l.units);
      return { z, a, d: take(i++, rows * l.units) };
    });
    const last = layers[layers.length - 1]!;
    const probs = this.withProbs ? take(i++, rows * this.outputs) : null;
    return { rows, x, t, layers, out: { z: last.z, a: last.a, t, d: last.d, probs } };
  }

  /** z = x W + b and a = f(z) for every layer, from batch.x. */
  forward(batch: Batch): void {
    const b = this.backend, rows = batch.rows;
    let input = batch.x;
    for (let i = 0; i < this.layers.length; i++) {
      const l = this.layers[i]!, buf = batch.layers[i]!;
      b.sgemm(false, false, rows, l.units, l.inputs, 1, input, this.kernels[i]!, 0, buf.z);
      b.addBias(buf.z, this.biases[i]!, rows, l.units);
      this.activate(l, buf, rows);
      input = buf.a;
    }
  }

  /** forward's results, bit for bit, for inference: matvec for a few rows or a narrow layer,
   *  else sgemm on the packed kernels (packed again only when the weights have changed). */
  infer(batch: Batch): void {
    const b = this.backend, rows = batch.rows;
    const packed = rows > MATVEC_ROWS ? this.packedKernels() : null;
    let input = batch.x;
    for (let i = 0; i < this.layers.length; i++) {
      const l = this.layers[i]!, buf = batch.layers[i]!, kernel = packed?.[i];
      if (kernel) {
        b.sgemmPacked(rows, l.units, l.inputs, input, kernel, buf.z);
        b.addBias(buf.z, this.biases[i]!, rows, l.units);
      } else {
        b.matvec(rows, l.units, l.inputs, input, this.kernels[i]!, this.biases[i]!, buf.z);
      }
      this.activate(l, buf, rows);
      input = buf.a;
    }
  }

  // The live kernels in sgemmPacked's layout (null for a layer too narrow to pack), packed
  // into one tensor allocated on first use.
  private packedKernels(): (Tensor | null)[] {
    const b = this.backend;
    if (this.packed === null) {
      const lengths = this.layers.map((l) => (l.units >= PACKED_MIN_UNITS ? packedWeightsLength(l.inputs, l.units) : 0));
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

  /** Gradients of every kernel and bias, from the output gradient in the last layer's d
   *  (dL/dz when `outputIsPreActivation`, else dL/da). The first layer's input gradient is
   *  never formed: nothing uses it. */
  backward(batch: Batch, outputIsPreActivation: boolean): void {
    const b = this.backend, rows = batch.rows, last = this.layers.length - 1;
    for (let i = last; i >= 0; i--) {
      const l = this.layers[i]!, buf = batch.layers[i]!;
      if (i < last || !outputIsPreActivation) {
        if (l.activation === "softmax") b.softmaxGrad(buf.a, buf.d, buf.d, rows, l.units);
        else if (l.activation === "logSoftmax") b.logSoftmaxGrad(buf.a, buf.d, buf.d, rows, l.units);
        else if (l.activation !== "identity") b.activationGrad(l.activation, buf.z, buf.d, buf.d, l.alpha);
      }
      const input = i === 0 ? batch.x : batch.layers[i - 1]!.a;
      b.sgemm(true, false, l.inputs, l.units, rows, 1, input, buf.d, 0, this.kernelGrads[i]!);
      b.sumRows(buf.d, this.biasGrads[i]!, rows, l.units);
      if (i > 0) b.sgemm(false, true, rows, l.inputs, l.units, 1, buf.d, this.kernels[i]!, 0, batch.layers[i - 1]!.d);
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
  }
}
