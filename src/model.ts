// A model: a stack of dense layers with its loss, optimizer and input normalizer, over one
// backend. This file owns the model's state and its synchronous operations (predict,
// evaluate, gradients, weights); training.ts runs fit, serialize.ts saves and loads.
import type { ActivationName } from "./activations.js";
import type { Backend, Tensor } from "./backend/backend.js";
import { CheckedBackend } from "./backend/checked.js";
import { checkSeed } from "./backend/checks.js";
import { trackModel } from "./backend/wasm.js";
import { resolveBackend, type CoreChoice } from "./backend/choose.js";
import type { ThreadsOption } from "./threads/count.js";
import { sliceRows, toFloat32, toMatrix, type Matrix, type MatrixInput, type TargetInput } from "./data.js";
import {
  checkDiagnosticsOptions,
  diagnose,
  DiagnosticsScratch,
  type Diagnostics,
  type DiagnosticsOptions,
  type ResolvedDiagnosticsOptions,
} from "./diagnostics.js";
import { ArgumentError, NonFiniteError, rejectUnknownKeys, StateError } from "./errors.js";
import { parameterCount, resolveLayer, type DenseLayer, type Layer, type LayerOptions } from "./layers.js";
import { INFERENCE_BYTES, MAX_LAYERS, MAX_PARAMETERS, MAX_UNITS } from "./limits.js";
import { defaultOutputActivation, Loss, lossFromConfig, type LossConfig, type LossName } from "./losses.js";
import {
  metricBuffers,
  metricName,
  MetricTracker,
  resolveMetrics,
  type Metric,
  type MetricBuffers,
  type MetricConfig,
} from "./metrics.js";
import type { Regularizer } from "./regularizers.js";
import { rowWeights, sampleWeights, type ClassWeight } from "./sampleWeights.js";
import { Network, type Batch } from "./network.js";
import { normalizeChunk, Normalizer, writeRows, type NormalizerKind } from "./normalizers.js";
import { OptimizerRunner, optimizerFromConfig, type OptimizerConfig, type OptimizerName } from "./optimizers.js";
import { fit, type FitOptions, type History } from "./training.js";
import { deepFreeze } from "./immutable.js";

export type { MetricName } from "./metrics.js";

/**
 * What createModel takes: the input width, the layers, and optionally loss, optimizer, metrics, normalizer, seed and
 * backend.
 */
export interface ModelOptions {
  /** Width of an input row. */
  inputs: number;
  /** Dense layers, and the layers that keep their width (batchNormalization,
   *  layerNormalization, dropout, activation); the last must be dense. */
  layers: LayerOptions[];
  /** Default "meanSquaredError". */
  loss?: LossName | Partial<LossConfig>;
  /** Default adam() with its defaults. */
  optimizer?: OptimizerName | OptimizerConfig;
  /** Reported besides the loss by fit and evaluate (see docs/training.md). Default ["accuracy"]
   *  for the classification losses, [] for the regression ones. */
  metrics?: MetricConfig[];
  /** Fit a normalizer on the first fit's training inputs and apply it to every input after. */
  normalize?: NormalizerKind | "none";
  /** Seeds every layer's initialization (each layer its own stream) and the shuffling.
   *  Default: a random seed, kept in `model.seed` so the run can be repeated. */
  seed?: number;
  /** "auto" (default: one shared SIMD core per process, or the pure-JS path where the engine
   *  lacks wasm SIMD), "wasm", "js", or a backend from createBackend(). `model.backend.name` says which runs. */
  backend?: CoreChoice | Backend;
  /** Threads of the shared wasm core the model runs on (ignored with a backend object, which
   *  has its own): a count or "auto" (default). `model.backend.threads` says how many run. */
  threads?: ThreadsOption;
}

/** One layer's weights, as getWeights returns and setWeights takes them. A dense layer has a
 *  kernel and a bias; a normalization gamma and beta (and batch normalization its moving
 *  statistics); dropout and activation layers have none (empty kernel and bias). */
export interface LayerWeights {
  /** [inputs x units] row-major; empty for the other layers. */
  kernel: Float32Array;
  /** Empty without bias, and for the other layers. */
  bias: Float32Array;
  gamma?: Float32Array;
  beta?: Float32Array;
  movingMean?: Float32Array;
  movingVariance?: Float32Array;
}

const NO_ROWS = new Float32Array(0);

/** Predictions, row-major, one row per input row. */
export interface Prediction {
  data: Float32Array;
  shape: [number, number];
}

/** The mean loss over the rows (with the regularizers' penalty), and the metrics. */
export interface Evaluation {
  loss: number;
  accuracy?: number;
  /** The metrics other than accuracy, by name (meanAbsoluteError, precision, auc, ...). */
  metrics?: Record<string, number>;
}

/** Options of model.trainOnBatch: Keras' class_weight and sample_weight, as fit takes them. */
export interface TrainOnBatchOptions {
  classWeight?: ClassWeight;
  sampleWeight?: ArrayLike<number>;
}

/** Options of model.evaluate. */
export interface EvaluateOptions {
  /** The metrics to report instead of the model's. */
  metrics?: MetricConfig[];
  /** A weight per row (Keras' sample_weight): the loss is sum w_i L_i / rows. Metrics stay unweighted. */
  sampleWeight?: ArrayLike<number>;
}

export function randomSeed(): number {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } }).crypto;
  if (c?.getRandomValues) return c.getRandomValues(new Uint32Array(1))[0]!;
  return Math.floor(Math.random() * 0x100000000);
}

/** Builds and initializes a model. */
export async function createModel(options: ModelOptions): Promise<Model> {
  const backend = await resolveBackend(options?.backend, options?.threads);
  return Model.build(backend, options);
}

/**
 * A stack of dense layers with its loss, optimizer and input normalizer, on one backend; made
 * by createModel or loadModel. Its descriptive properties are frozen (writing to them throws
 * in strict code and changes nothing); its state changes only through its methods.
 */
// Model is what fit trains (training.ts's Trainable), checked where fit(this, ...) is called:
// an `implements` here would name members that the published types leave out.
export class Model {
  /** Width of an input row. */
  readonly inputs: number;
  /** The layers, resolved (every default filled in); frozen. */
  readonly layers: readonly Layer[];
  /** The loss configuration; frozen. */
  readonly loss: Readonly<LossConfig>;
  /** The metrics fit and evaluate report unless told otherwise; frozen. */
  readonly metrics: readonly Metric[];
  /** The seed of every layer's initialization and of the shuffling. */
  readonly seed: number;
  readonly normalize: NormalizerKind | "none";
  /** @internal Epochs trained so far (training and loading advance it). */
  epochCount = 0;
  /** @internal */ readonly net: Network;
  /** @internal */ readonly lossFn: Loss;
  /** @internal */ optimizerRunner: OptimizerRunner;
  /** @internal */ normalizerState: Normalizer | null = null;
  /** @internal */ training = false;
  #disposed = false;
  #scratch: DiagnosticsScratch | null = null;
  #checked: CheckedBackend | null = null;
  // predictInto's input as a Matrix, and the normalized rows on their way in: kept, so an
  // inference call makes no arrays.
  readonly #inputView: Matrix = { data: NO_ROWS, rows: 0, cols: 0 };
  #normalized: Float32Array | null = null;
  // Squared global gradient norm of the last computeGradients.
  #gradNormSq = 0;
  // Whether any layer has a regularizer.
  readonly #regularized: boolean;

  /** @internal Builds a model on `backend`; createModel and loadModel are the public ways.
   *  `initialize: false` leaves the weights zero for a loader that overwrites them all (an
   *  initializer can cost O(n^3)). */
  static build(backend: Backend, options: ModelOptions, initialize = true): Model {
    return new Model(backend, options, initialize);
  }

  // Private: the published types show no constructor to call, only createModel and loadModel.
  private constructor(backend: Backend, options: ModelOptions, initialize: boolean) {
    if (options == null || typeof options !== "object")
      throw new ArgumentError("options", "model options { inputs, layers, ... }", options);
    rejectUnknownKeys(
      options,
      ["inputs", "layers", "loss", "optimizer", "metrics", "normalize", "seed", "backend", "threads"],
      "options",
    );
    const { inputs, layers } = options;
    if (!Number.isInteger(inputs) || inputs < 1 || inputs > MAX_UNITS)
      throw new ArgumentError("inputs", `an integer in [1, ${MAX_UNITS}]`, inputs);
    if (!Array.isArray(layers) || layers.length === 0 || layers.length > MAX_LAYERS) {
      throw new ArgumentError("layers", `an array of 1 to ${MAX_LAYERS} layer options`, layers);
    }
    const seed = options.seed ?? randomSeed();
    checkSeed("seed", seed);
    this.loss = lossFromConfig(options.loss ?? "meanSquaredError");
    const outputDefault = defaultOutputActivation(this.loss);
    let width = inputs;
    this.layers = layers.map((l, i) => {
      const layer = resolveLayer(l, i, width, i === layers.length - 1, outputDefault, seed);
      width = layer.units;
      return layer;
    });
    const params = this.layers.reduce((n, l) => n + parameterCount(l), 0);
    if (params > MAX_PARAMETERS)
      throw new ArgumentError("layers", "at most 2^27 parameters in all (512 MB of float32)", params);
    const last = this.layers[this.layers.length - 1] as DenseLayer; // resolveLayer refuses any other output layer
    this.#regularized = this.layers.some((l) => l.type === "dense" && (l.kernelRegularizer || l.biasRegularizer));
    this.lossFn = new Loss(this.loss, last.activation, last.units);
    this.metrics = resolveMetrics(
      "metrics",
      options.metrics ?? (this.lossFn.classIndices || this.loss.name === "binaryCrossEntropy" ? ["accuracy"] : []),
      last.units,
    );
    const normalize = options.normalize ?? "none";
    if (!["none", "standardize", "minMax"].includes(normalize))
      throw new ArgumentError("normalize", '"standardize", "minMax" or "none"', normalize);
    this.normalize = normalize;
    this.inputs = inputs;
    this.#inputView.cols = inputs;
    this.seed = seed;
    const optimizer = optimizerFromConfig(options.optimizer ?? "adam");
    this.net = new Network(backend, this.layers, this.lossFn.needsProbs);
    let runner: OptimizerRunner | undefined;
    try {
      runner = new OptimizerRunner(backend, optimizer, this.net.kernelCount, this.net.paramCount);
      if (initialize) this.net.initialize();
    } catch (e) {
      runner?.dispose();
      this.net.dispose();
      throw e;
    }
    this.optimizerRunner = runner;
    trackModel(backend, 1);
    deepFreeze(this.layers);
    deepFreeze(this.loss);
    deepFreeze(this.metrics);
    for (const key of ["inputs", "layers", "loss", "metrics", "seed", "normalize", "net", "lossFn"] as const) {
      Object.defineProperty(this, key, { writable: false, configurable: false });
    }
  }

  /** Width of an output row. */
  get outputs(): number {
    return this.net.outputs;
  }
  /** The optimizer's configuration; frozen. */
  get optimizer(): Readonly<OptimizerConfig> {
    return this.optimizerRunner.config;
  }
  /** Epochs trained so far, over every fit (each epoch's shuffle stream). */
  get epochs(): number {
    return this.epochCount;
  }
  /** The core this model computes on, behind argument checks like createBackend()'s:
   *  `backend.name` says which ("wasm" or "js"). */
  get backend(): Backend {
    this.#checked ??= new CheckedBackend(this.net.backend);
    return this.#checked;
  }
  /** Optimizer steps taken. */
  get steps(): number {
    return this.optimizerRunner.step;
  }
  /** The fitted input normalizer, or null. */
  get normalizer(): Normalizer | null {
    // A copy: the model's own scales must not change under it.
    return this.normalizerState && Normalizer.fromConfig(this.normalizerState.toConfig(), this.inputs);
  }
  get isDisposed(): boolean {
    return this.#disposed;
  }
  /** The activations of the layers, in order ("identity" for the normalization and dropout layers). */
  get activations(): ActivationName[] {
    return this.layers.map((l) => ("activation" in l ? l.activation : "identity"));
  }

  /** Trains on x, y. See FitOptions; resolves with the history when training ends. */
  fit(x: MatrixInput, y: TargetInput, options: FitOptions = {}): Promise<History> {
    return fit(this, x, y, options);
  }

  /** One optimizer step on x, y as a single batch (Keras' train_on_batch, with its class and
   *  sample weights); returns the batch's mean loss. Synchronous: for loops that manage their
   *  own batches. */
  trainOnBatch(x: MatrixInput, y: TargetInput, options: TrainOnBatchOptions = {}): number {
    if (options == null || typeof options !== "object")
      throw new ArgumentError("options", "{ classWeight, sampleWeight } or nothing", options);
    rejectUnknownKeys(options, ["classWeight", "sampleWeight"], "options");
    const { batch, weights } = this.stage("trainOnBatch", x, y, options);
    const b = this.net.backend,
      tensor = weights && b.alloc(weights.length);
    try {
      if (tensor) b.write(tensor, weights!);
      const loss = this.computeGradients(batch, this.steps + 1, this.epochCount, tensor);
      this.applyUpdate();
      return loss;
    } finally {
      if (tensor) b.free(tensor);
    }
  }

  /** The output for every row of x. Never NaN or infinite: a forward pass that overflows
   *  throws a NonFiniteError naming the layer instead. */
  predict(x: MatrixInput): Prediction {
    this.checkUsable("predict", false);
    const m = toMatrix("x", x, this.inputs);
    const out = new Float32Array(m.rows * this.outputs);
    this.predictRows(m, out, false);
    return { data: out, shape: [m.rows, this.outputs] };
  }

  /**
   * predict into the caller's array, no arrays or buffers made per call (for loops that run
   * every frame or request): the rows of `input` (rows x inputs floats, row-major) into
   * `output` (rows x outputs floats), which it returns. The results are predict's, bit for bit.
   */
  predictInto(input: Float32Array, output: Float32Array): Float32Array {
    this.checkUsable("predictInto", false);
    if (!(input instanceof Float32Array) || input.length === 0 || input.length % this.inputs !== 0) {
      throw new ArgumentError("input", `a Float32Array of rows x ${this.inputs} floats`, input);
    }
    const rows = input.length / this.inputs;
    if (!(output instanceof Float32Array) || output.length !== rows * this.outputs) {
      throw new ArgumentError("output", `a Float32Array of ${rows} x ${this.outputs} floats`, output);
    }
    if (
      input.buffer === output.buffer &&
      input.byteOffset < output.byteOffset + output.byteLength &&
      output.byteOffset < input.byteOffset + input.byteLength
    ) {
      throw new ArgumentError("output", "a Float32Array not overlapping input", "an overlapping one");
    }
    const view = this.#inputView;
    view.data = input;
    view.rows = rows;
    try {
      this.predictRows(view, output, true);
    } finally {
      view.data = NO_ROWS; // the caller's array is not kept alive
    }
    return output;
  }

  // Forward passes over every row of x in chunks of the batch buffers, outputs into `out`.
  // Its own loop rather than chunks(): two closures per call would allocate in predictInto.
  // `checkInput`: x may hold NaN or infinities, looked for by the core once a chunk is in
  // (a SIMD pass, many times cheaper than a scan in JS, which only runs to name the culprit).
  private predictRows(x: Matrix, out: Float32Array, checkInput: boolean): void {
    this.reserveInference(x.rows);
    const chunk = this.net.rowCapacity;
    for (let start = 0; start < x.rows; start += chunk) {
      const count = Math.min(chunk, x.rows - start);
      const batch = this.net.batch(count);
      this.upload(batch, x, null, start, count);
      if (checkInput && this.net.backend.countNonFinite(batch.x) > 0) toFloat32("input", x.data, x.cols);
      this.forwardFinite(batch);
      this.net.backend.readInto(batch.out.a, out, start * this.outputs);
    }
  }

  /** The predicted class of every row: argmax, or for one output the thresholded value. */
  predictClasses(x: MatrixInput): Int32Array {
    const {
      data,
      shape: [rows, cols],
    } = this.predict(x);
    const classes = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      if (cols === 1) {
        classes[r] = data[r]! > this.lossFn.threshold ? 1 : 0;
        continue;
      }
      let best = 0;
      for (let j = 1; j < cols; j++) if (data[r * cols + j]! > data[r * cols + best]!) best = j;
      classes[r] = best;
    }
    return classes;
  }

  /** Mean loss (with the regularizers' penalty, as Keras) and the metrics over x, y. */
  evaluate(x: MatrixInput, y: TargetInput, options: EvaluateOptions = {}): Evaluation {
    this.checkUsable("evaluate", false);
    if (options == null || typeof options !== "object")
      throw new ArgumentError("options", "{ metrics, sampleWeight } or nothing", options);
    rejectUnknownKeys(options, ["metrics", "sampleWeight"], "options");
    const metrics =
      options.metrics === undefined ? this.metrics : resolveMetrics("options.metrics", options.metrics, this.outputs);
    const m = toMatrix("x", x, this.inputs);
    const t = this.lossFn.targets("y", y, m.rows);
    const w =
      options.sampleWeight === undefined ? null : sampleWeights("options.sampleWeight", options.sampleWeight, m.rows);
    this.reserveInference(m.rows);
    const b = this.net.backend,
      chunkWeights = w && b.alloc(this.net.rowCapacity);
    try {
      return this.evaluateRows(
        m.rows,
        (batch, start, count) => this.upload(batch, m, t, start, count),
        metrics,
        chunkWeights &&
          ((start, count) => {
            const view = b.slice(chunkWeights, 0, count);
            b.write(view, w!.subarray(start, start + count));
            return view;
          }),
      );
    } finally {
      if (chunkWeights) b.free(chunkWeights);
    }
  }

  /** @internal Mean loss and metrics over `rows` rows that `load` writes into the batch
   *  buffers, in chunks of their capacity (fit's validation data comes from backend memory);
   *  `weights`, when given, writes each chunk's row weights into a tensor of `count` floats. */
  evaluateRows(
    rows: number,
    load: (batch: Batch, start: number, count: number) => void,
    metrics: readonly Metric[] = this.metrics,
    weights: ((start: number, count: number) => Tensor) | null = null,
    validation = false,
  ): Evaluation {
    let loss = 0,
      correct = 0;
    const accuracy = metrics.some((m) => metricName(m) === "accuracy");
    const tracker = new MetricTracker(metrics, this.outputs, this.lossFn.threshold);
    const io = tracker.active ? metricBuffers(this.net.rowCapacity, this.outputs) : null;
    this.chunks(rows, load, (batch, start) => {
      this.forwardFinite(batch);
      loss +=
        this.lossFn.compute(this.net.backend, batch.out, batch.rows, false, weights && weights(start, batch.rows)) *
        batch.rows;
      if (accuracy) correct += this.countCorrect(batch);
      if (io) this.trackMetrics(tracker, batch, io);
    });
    const result: Evaluation = { loss: this.#regularized ? loss / rows + this.penalty(false) : loss / rows };
    if (accuracy) result.accuracy = correct / rows;
    if (tracker.active) result.metrics = tracker.results(validation);
    return result;
  }

  /** @internal Adds a batch's outputs and targets to `tracker`, read back into `io` (from
   *  metricBuffers, as many rows as the batch or more). */
  trackMetrics(tracker: MetricTracker, batch: Batch, io: MetricBuffers): void {
    this.net.backend.readInto(batch.out.a, io.y);
    this.net.backend.readInto(batch.t, io.t);
    tracker.add(io.y, io.t, batch.rows);
  }

  /** @internal The regularizers' penalty at the live weights (0 without any); with `withGrad`
   *  each penalty's gradient is added to the gradients of the last backward pass. */
  penalty(withGrad: boolean): number {
    const b = this.net.backend,
      n = this.net;
    let sum = 0;
    for (let i = 0; i < this.layers.length; i++) {
      const l = this.layers[i]!;
      if (l.type !== "dense") continue;
      const { kernelRegularizer: k, biasRegularizer: r } = l;
      if (k) sum += b.regularize(n.kernels[i]!, withGrad ? n.kernelGrads[i]! : null, k.l1, k.l2);
      if (r) sum += b.regularize(n.biases[i]!, withGrad ? n.biasGrads[i]! : null, r.l1, r.l2);
    }
    return sum;
  }

  /** The mean loss over x, y and the gradient of every kernel and bias, without updating
   *  anything (for gradient checks and diagnostics). Runs x as one batch. */
  gradients(x: MatrixInput, y: TargetInput): { loss: number; layers: LayerWeights[] } {
    const loss = this.computeGradients(this.stage("gradients", x, y).batch, this.steps, this.epochCount);
    const n = this.net;
    return {
      loss,
      layers: this.layers.map((_, i) =>
        this.#weightsOf(i, n.kernelGrads, n.biasGrads, n.gammaGrads, n.betaGrads, false),
      ),
    };
  }

  /** Copies of every layer's weights: kernel and bias, gamma and beta, moving statistics. */
  getWeights(): LayerWeights[] {
    this.checkUsable("getWeights", false);
    const n = this.net;
    return this.layers.map((_, i) => this.#weightsOf(i, n.kernels, n.biases, n.gammas, n.betas, true));
  }

  // Layer i's part of a parameter-shaped set of tensors, read back.
  #weightsOf(
    i: number,
    kernels: Tensor[],
    biases: Tensor[],
    gammas: Tensor[],
    betas: Tensor[],
    withMoving: boolean,
  ): LayerWeights {
    const b = this.net.backend,
      l = this.layers[i]!;
    if (l.type === "dense") return { kernel: b.read(kernels[i]!), bias: b.read(biases[i]!) };
    const w: LayerWeights = { kernel: new Float32Array(0), bias: new Float32Array(0) };
    if (l.type === "batchNormalization" || l.type === "layerNormalization") {
      w.gamma = b.read(gammas[i]!);
      w.beta = b.read(betas[i]!);
    }
    const moving = this.net.moving[i];
    if (moving && withMoving) {
      w.movingMean = b.read(moving.mean);
      w.movingVariance = b.read(moving.variance);
    }
    return w;
  }

  /** Replaces every layer's weights (as getWeights gives them). All are checked before any is written. */
  setWeights(
    weights: readonly {
      kernel?: ArrayLike<number>;
      bias?: ArrayLike<number>;
      gamma?: ArrayLike<number>;
      beta?: ArrayLike<number>;
      movingMean?: ArrayLike<number>;
      movingVariance?: ArrayLike<number>;
    }[],
  ): void {
    this.checkUsable("setWeights", true);
    if (!Array.isArray(weights) || weights.length !== this.layers.length) {
      throw new ArgumentError(
        "weights",
        `an array of ${this.layers.length} layers' weights ({ kernel, bias } for a dense layer)`,
        weights,
      );
    }
    const n = this.net,
      writes: [Tensor, Float32Array][] = [];
    weights.forEach((w, i) => {
      const l = this.layers[i]!;
      const part = (name: keyof LayerWeights, target: Tensor, rows: number): void => {
        const data = toMatrix(`weights[${i}].${name}`, {
          data: (w as Record<string, ArrayLike<number>> | null)?.[name] as ArrayLike<number>,
          shape: [rows, l.units],
        }).data;
        if (name === "movingVariance" && data.some((v) => v < 0))
          throw new ArgumentError(`weights[${i}].movingVariance`, "variances >= 0", "a negative one");
        writes.push([target, data]);
      };
      if (l.type === "dense") {
        part("kernel", n.kernels[i]!, l.inputs);
        if (l.useBias) part("bias", n.biases[i]!, 1);
      }
      if (l.type === "batchNormalization" || l.type === "layerNormalization") {
        part("gamma", n.gammas[i]!, 1);
        part("beta", n.betas[i]!, 1);
      }
      const moving = n.moving[i];
      if (moving) {
        part("movingMean", moving.mean, 1);
        part("movingVariance", moving.variance, 1);
      }
    });
    for (const [target, data] of writes) n.backend.write(target, data);
    n.weightsChanged();
  }

  /**
   * Per layer: pre-activation and activation mean, std and histogram, saturation (logistic,
   * tanh), dead units (ReLU), the negative region (leaky ReLU), identical units; with y also
   * gradient norms, the next update's size relative to the weights, identical gradients and
   * the gradient-sign quadrant. Warnings for the article's failure modes go to console.warn and
   * onWarning. Changes nothing in the model.
   */
  diagnose(x: MatrixInput, y?: TargetInput, options: DiagnosticsOptions = {}): Diagnostics {
    this.checkUsable("diagnose", false);
    const o = checkDiagnosticsOptions(options);
    const m = toMatrix("x", x, this.inputs);
    const t = y === undefined ? null : this.lossFn.targets("y", y, m.rows);
    if (!this.training) this.net.ensureCapacity(Math.min(m.rows, this.inferenceRows));
    const source = {
      rows: m.rows,
      hasTargets: t !== null,
      load: (batch: Batch, start: number, count: number) => this.upload(batch, m, t, start, count),
      loadSpread: (batch: Batch, count: number) => {
        const pick = Array.from({ length: count }, (_, k) => Math.floor((k * m.rows) / count));
        const rowsOf = (src: Matrix): Matrix => {
          const data = new Float32Array(count * src.cols);
          pick.forEach((r, k) => data.set(src.data.subarray(r * src.cols, (r + 1) * src.cols), k * src.cols));
          return { data, rows: count, cols: src.cols };
        };
        this.upload(batch, rowsOf(m), t && rowsOf(t), 0, count);
      },
    };
    return this.runDiagnosis(source, o);
  }

  /** A line per layer: shape, activation, initializers, parameter count. */
  summary(): string {
    const lines = this.layers.map((l, i) => {
      if (l.type === "dense") {
        return (
          `dense ${i + 1}: ${l.inputs} -> ${l.units} ${l.activation}${l.alpha ? `(${l.alpha})` : ""}, ` +
          `kernel ${l.kernelInitializer.name}, ${l.useBias ? `bias ${l.biasInitializer.name}` : "no bias"}, ${parameterCount(l)} parameters` +
          penaltyText("kernel", l.kernelRegularizer) +
          penaltyText("bias", l.biasRegularizer)
        );
      }
      return `${describeLayer(l, i)}, ${parameterCount(l)} parameters`;
    });
    const opt = this.optimizer;
    const lossOptions = this.loss.fromLogits
      ? " (from logits)"
      : this.loss.delta !== undefined
        ? ` (delta ${this.loss.delta})`
        : "";
    lines.push(
      `loss ${this.loss.name}${lossOptions}, optimizer ${opt.name} lr ${opt.learningRate}, ` +
        `${this.net.paramCount} parameters, seed ${this.seed}, backend ${this.net.backend.name}`,
    );
    return lines.join("\n");
  }

  /** Frees the model's memory. Any later use throws a StateError; a running fit stops at its
   *  next batch boundary with one. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    trackModel(this.net.backend, -1);
    this.#scratch?.dispose();
    this.optimizerRunner.dispose();
    this.net.dispose();
  }

  // ---- used by training.ts and serialize.ts --------------------------------------------

  /** @internal Throws if the model is disposed or (when `mutates`) being trained. */
  checkUsable(what: string, mutates: boolean): void {
    if (this.#disposed) throw new StateError(`${what}: this model has been disposed`);
    if (mutates && this.training)
      throw new StateError(`${what}: this model is being trained by a fit that has not finished`);
  }

  /** @internal Forward, loss and backward for one batch already in `batch`; returns the mean
   *  loss. Throws NonFiniteError (naming where) before anything is updated. */
  computeGradients(batch: Batch, step: number, epoch: number, weights: Tensor | null = null): number {
    const b = this.net.backend;
    this.net.forward(batch, "training", step);
    let loss = this.lossFn.compute(b, batch.out, batch.rows, true, weights);
    if (!Number.isFinite(loss)) throw this.locateNonFinite(batch, step, epoch);
    this.net.backward(batch, this.lossFn.fused);
    // Keras adds the layers' regularization losses to the loss it minimizes and reports.
    if (this.#regularized) {
      loss += this.penalty(true);
      if (!Number.isFinite(loss))
        throw new NonFiniteError(
          "loss",
          0,
          step,
          epoch,
          "in the regularizers' penalty: the weights are too large to square in float64",
        );
    }
    this.#gradNormSq = b.sumSquares(this.net.grads);
    if (!Number.isFinite(this.#gradNormSq)) {
      for (let i = this.layers.length - 1; i >= 0; i--) {
        if (b.countNonFinite(this.net.kernelGrads[i]!) + b.countNonFinite(this.net.biasGrads[i]!) > 0) {
          throw new NonFiniteError(
            "gradient",
            i + 1,
            step,
            epoch,
            `in the weight gradients of ${describeLayer(this.layers[i]!, i)}`,
          );
        }
      }
    }
    return loss;
  }

  /** @internal One optimizer update from the last computeGradients: staged into the other
   *  copy of weights and state, then committed, so a failure in between changes nothing. */
  applyUpdate(step = this.steps + 1, epoch = this.epochCount): void {
    const b = this.net.backend,
      n = this.net;
    this.optimizerRunner.stage(n, this.optimizerRunner.clipFactor(Math.sqrt(this.#gradNormSq)));
    // An update that overflowed is never committed: the live weights stay as they were.
    if (b.countNonFinite(n.staged.params) > 0) {
      const layer = this.layers.findIndex(
        (_, i) => b.countNonFinite(n.staged.kernels[i]!) + b.countNonFinite(n.staged.biases[i]!) > 0,
      );
      throw new NonFiniteError(
        "update",
        layer + 1,
        step,
        epoch,
        `in the updated weights of ${describeLayer(this.layers[layer]!, layer)}: the step overflowed`,
      );
    }
    this.optimizerRunner.commit(n);
    n.updateMovingStatistics();
  }

  /** @internal Stages the update the last computeGradients calls for without committing it,
   *  and returns each layer's ||ΔW||: the live weights, state and step count stay as they were. */
  trialUpdate(): number[] {
    const b = this.net.backend,
      n = this.net;
    this.optimizerRunner.stage(n, this.optimizerRunner.clipFactor(Math.sqrt(this.#gradNormSq)));
    return this.layers.map((_, i) => Math.sqrt(b.sumSquaredDiff(n.live.kernels[i]!, n.staged.kernels[i]!)));
  }

  /** @internal */
  runDiagnosis(source: Parameters<typeof diagnose>[2], o: ResolvedDiagnosticsOptions): Diagnostics {
    return diagnose(this, this.#diagnosticsScratch(), source, o, this.steps, this.epochCount);
  }

  // writeRows' buffer for normalized rows, made on first use (undefined without a normalizer).
  #normalizeScratch(): Float32Array | undefined {
    if (!this.normalizerState) return undefined;
    this.#normalized ??= new Float32Array(normalizeChunk(this.inputs));
    return this.#normalized;
  }

  #diagnosticsScratch(): DiagnosticsScratch {
    this.#scratch ??= new DiagnosticsScratch(this.net.backend);
    return this.#scratch;
  }

  /** @internal Rows predicted right in the batch. */
  countCorrect(batch: Batch): number {
    return this.net.backend.countCorrect(batch.out.a, batch.t, batch.rows, this.outputs, this.lossFn.threshold);
  }

  /** @internal Writes rows [start, start + count) of x (normalized) and t into the batch. */
  upload(batch: Batch, x: Matrix, t: Matrix | null, start: number, count: number): void {
    writeRows(this.net.backend, batch.x, x, start, count, this.normalizerState, this.#normalizeScratch());
    if (t) this.net.backend.write(batch.t, sliceRows(t, start, count).data);
  }

  // x, y checked and written into the buffers of one batch of all their rows.
  // With weight options, also the rows' weights (checked before anything is written).
  private stage(
    what: string,
    x: MatrixInput,
    y: TargetInput,
    options: TrainOnBatchOptions = {},
  ): { batch: Batch; weights: Float32Array | null } {
    this.checkUsable(what, true);
    const m = toMatrix("x", x, this.inputs);
    const t = this.lossFn.targets("y", y, m.rows);
    const weights = rowWeights(options.classWeight, options.sampleWeight, t);
    const batch = this.net.batch(m.rows);
    this.upload(batch, m, t, 0, m.rows);
    return { batch, weights };
  }

  // Batch buffers for inference. A running fit's buffers must not move: predict and evaluate
  // then work in chunks of its batch size.
  private reserveInference(rows: number): void {
    if (!this.training) this.net.ensureCapacity(Math.min(rows, this.inferenceRows));
  }

  // Rows of one inference chunk: as many as INFERENCE_BYTES of batch buffers hold.
  private get inferenceRows(): number {
    return Math.max(1, Math.floor(INFERENCE_BYTES / this.net.bytesPerRow));
  }

  /** `rows` rows in chunks of the buffers' capacity: `load` fills a chunk, `run` uses it. */
  private chunks(
    rows: number,
    load: (batch: Batch, start: number, count: number) => void,
    run: (batch: Batch, start: number) => void,
  ): void {
    const chunk = this.net.rowCapacity;
    for (let start = 0; start < rows; start += chunk) {
      const count = Math.min(chunk, rows - start);
      const batch = this.net.batch(count);
      load(batch, start, count);
      run(batch, start);
    }
  }

  // The forward pass, refusing to hand on an output that overflowed.
  private forwardFinite(batch: Batch): void {
    this.net.infer(batch);
    if (this.net.backend.countNonFinite(batch.out.a) > 0)
      throw this.locateNonFinite(batch, this.steps, this.epochCount);
  }

  private locateNonFinite(batch: Batch, step: number, epoch: number): NonFiniteError {
    const b = this.net.backend;
    if (b.countNonFinite(batch.x) > 0) {
      return new NonFiniteError(
        "input normalization",
        0,
        step,
        epoch,
        `in the inputs after the ${this.normalize} normalizer: a value lies too far beyond the range it was fitted on for float32`,
      );
    }
    for (let i = 0; i < this.layers.length; i++) {
      const buf = batch.layers[i]!;
      const what = `in ${describeLayer(this.layers[i]!, i)}`;
      if (b.countNonFinite(buf.z) > 0) return new NonFiniteError("pre-activation", i + 1, step, epoch, what);
      if (b.countNonFinite(buf.a) > 0) return new NonFiniteError("activation", i + 1, step, epoch, what);
    }
    return new NonFiniteError("loss", 0, step, epoch, `from finite outputs (targets outside the loss's range?)`);
  }
}

/** "layer 3 (256 -> 128 relu)", "layer 4 (batchNormalization of 128)": a layer in messages. */
export function describeLayer(l: Layer, i: number): string {
  if (l.type === "dense") return `layer ${i + 1} (${l.inputs} -> ${l.units} ${l.activation})`;
  if (l.type === "activation") return `layer ${i + 1} (activation ${l.activation} of ${l.units})`;
  return `layer ${i + 1} (${l.type} of ${l.units})`;
}

/** ", kernel penalty l1 0 l2 0.001" for a regularized tensor in the summary. */
function penaltyText(part: string, r: Regularizer | null): string {
  return r ? `, ${part} penalty l1 ${r.l1} l2 ${r.l2}` : "";
}
