// fit(): the training loop. The data is copied into backend memory once per fit; each step
// gathers its shuffled rows there, runs forward, loss, backward and update as kernel calls on
// buffers allocated before the first step, and reads back only the scalar loss (and the
// count of rows predicted right). Between batches the loop yields to the event loop so a
// page stays responsive, and checks the abort signal and the callbacks' wish to stop.
import type { Backend, Tensor } from "./backend/backend.js";
import { checkSeed } from "./backend/checks.js";
import { sliceRows, toMatrix, type Matrix, type MatrixInput, type TargetInput } from "./data.js";
import {
  checkDiagnosticsOptions,
  unnormalizedColumns,
  type Diagnostics,
  type DiagnosticsOptions,
  type ResolvedDiagnosticsOptions,
  type RowSource,
} from "./diagnostics.js";
import { ArgumentError, NonFiniteError, rejectUnknownKeys } from "./errors.js";
import { MAX_ROWS } from "./limits.js";
import type { Loss } from "./losses.js";
import {
  metricKey,
  metricName,
  METRIC_NAMES,
  MetricTracker,
  resolveMetrics,
  type Metric,
  type MetricBuffers,
  type MetricConfig,
  type MetricName,
  metricBuffers,
} from "./metrics.js";
import type { Batch, Network } from "./network.js";
import { Normalizer, writeRows, type NormalizerKind } from "./normalizers.js";
import { checkVerbose, defaultOutput, Progress, type Verbosity } from "./progress.js";
import { shuffle } from "./random.js";
import { rowWeights, sampleWeights, type ClassWeight } from "./sampleWeights.js";

/** What early stopping watches: the loss, or a metric of the fit, on the training or the validation rows. */
export type Monitor = "loss" | "valLoss" | MetricName | `val${Capitalize<MetricName>}`;

/** Stop when the monitored value has not improved for `patience` epochs. */
export interface EarlyStopping {
  /** Default valLoss when there is validation data, else loss. */
  monitor?: Monitor;
  /** Epochs without improvement before stopping. Default 5. */
  patience?: number;
  /** The least change that counts as improvement. Default 0. */
  minDelta?: number;
  /** Put back the weights of the best epoch when stopping. Default true. */
  restoreBest?: boolean;
}

/** What onBatchEnd receives after each step. */
export interface BatchLogs {
  epoch: number;
  batch: number;
  /** Optimizer steps taken by the model so far, this one included. */
  step: number;
  size: number;
  loss: number;
  accuracy?: number;
}

/** What onEpochEnd receives, and history.epochs holds, after each epoch. */
export interface EpochLogs {
  epoch: number;
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  /** The metrics other than accuracy by key: the name for the training rows, val + Name for
   *  the validation data (precision, valPrecision, ...). Absent when there are none. */
  metrics?: Record<string, number>;
  /** With the diagnostics option, on the epochs it covers. */
  diagnostics?: Diagnostics;
  /** The learning rate at the end of the epoch. */
  learningRate: number;
  /** Batches skipped because of non-finite values (onNonFinite: "skip"). */
  skippedBatches: number;
  seconds: number;
}

/** A callback may return false (or a promise of false) to stop training after this batch or epoch. */
export type Callback<T> = (logs: T) => void | boolean | Promise<void | boolean>;

/** Options of model.fit; every one has a default. */
export interface FitOptions {
  /** Default 1. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Shuffle the rows every epoch. Default true. */
  shuffle?: boolean;
  /** Seed of the shuffling; default the model's seed. Epoch e of the model's life uses stream e. */
  seed?: number;
  /** Held-out rows [x, y], or [x, y, sampleWeight] to weigh their loss (as Keras). */
  validationData?: [MatrixInput, TargetInput] | [MatrixInput, TargetInput, ArrayLike<number>];
  /** The fraction of rows, taken from the end before any shuffling (as Keras), held out for validation. */
  validationSplit?: number;
  onBatchEnd?: Callback<BatchLogs>;
  onEpochEnd?: Callback<EpochLogs>;
  earlyStopping?: EarlyStopping | boolean;
  /** Stops training at the next batch boundary; fit then resolves with stopReason "aborted". */
  signal?: AbortSignal;
  /** On NaN or infinity: "stop" (default) rejects with a NonFiniteError naming the layer and
   *  step; "skip" drops that batch (no update) and goes on. */
  onNonFinite?: "stop" | "skip";
  /** Yield to the event loop when this many milliseconds passed since the last yield. Default 15. */
  yieldEveryMs?: number;
  /** Diagnose the model (see model.diagnose) at the end of every `every` epochs on a fixed
   *  sample of `sample` training rows (default 10% of them, at least a batch, at most 2048);
   *  the results go into the epoch logs and history.diagnostics. */
  diagnostics?: boolean | (DiagnosticsOptions & { sample?: number; every?: number });
  /** Warn (console.warn, once per model) when the training inputs of a model without
   *  `normalize` have a column whose |mean| or std exceeds 5; with `diagnostics`, print each
   *  kind of diagnostic warning once per layer instead of every diagnosed epoch. Default true;
   *  false prints nothing (diagnostics still reach onWarning and the history). */
  warnings?: boolean;
  /** The metrics to report instead of the model's (see docs/training.md). */
  metrics?: MetricConfig[];
  /** A weight per class (Keras' class_weight): each training row's loss counts its class's weight. */
  classWeight?: ClassWeight;
  /** A weight per row of x (Keras' sample_weight). Not with classWeight. */
  sampleWeight?: ArrayLike<number>;
  /** 0 (default) silent, 1 a progress bar per epoch (plain lines when stdout is no terminal),
   *  2 one line per epoch. */
  verbose?: Verbosity;
}

/** Why fit returned: all epochs done, early stopping, an abort signal, or a callback returning false. */
export type StopReason = "completed" | "earlyStopping" | "aborted" | "callback";

/** What fit resolves with: per-epoch logs and metrics, why it stopped, and diagnostics. */
export interface History {
  epochs: EpochLogs[];
  loss: number[];
  accuracy: number[];
  valLoss: number[];
  valAccuracy: number[];
  /** Per metric key (as in EpochLogs.metrics), one value per epoch. */
  metrics: Record<string, number[]>;
  stopReason: StopReason;
  /** With early stopping: the epoch whose weights the model holds when restoreBest. */
  bestEpoch?: number;
  skippedBatches: number;
  /** One per diagnosed epoch (with the diagnostics option). */
  diagnostics: (Diagnostics & { epoch: number })[];
}

/** Data copied into backend memory for the length of a fit. */
class Resident {
  readonly tensors: Tensor[] = [];
  constructor(private readonly backend: Backend) {}
  put(m: Matrix, normalizer: Normalizer | null): Tensor {
    const t = this.alloc(m.data.length);
    writeRows(this.backend, t, m, 0, m.rows, normalizer);
    return t;
  }
  alloc(n: number): Tensor {
    const t = this.backend.alloc(n);
    this.tensors.push(t);
    return t;
  }
  free(): void {
    for (const t of this.tensors) this.backend.free(t);
  }
}

const now = (): number => (globalThis.performance ?? Date).now();

/** A macrotask turn: setImmediate where it exists (Node, Bun, Deno), a MessageChannel in
 *  browsers (setTimeout(0) is clamped to 4 ms once nested). */
const yieldToEventLoop: () => Promise<void> =
  typeof setImmediate === "function"
    ? () => new Promise((resolve) => setImmediate(resolve))
    : typeof MessageChannel === "function"
      ? () =>
          new Promise((resolve) => {
            const channel = new MessageChannel();
            channel.port1.onmessage = () => {
              channel.port1.close();
              resolve();
            };
            channel.port2.postMessage(null);
          })
      : () => new Promise((resolve) => setTimeout(resolve, 0));

function checkOptions(o: FitOptions): Required<Pick<FitOptions, "epochs" | "batchSize" | "shuffle" | "yieldEveryMs">> {
  if (o == null || typeof o !== "object") throw new ArgumentError("options", "fit options or nothing", o);
  rejectUnknownKeys(
    o,
    [
      "epochs",
      "batchSize",
      "shuffle",
      "seed",
      "validationData",
      "validationSplit",
      "onBatchEnd",
      "onEpochEnd",
      "earlyStopping",
      "signal",
      "onNonFinite",
      "yieldEveryMs",
      "diagnostics",
      "warnings",
      "metrics",
      "classWeight",
      "sampleWeight",
      "verbose",
    ],
    "options",
  );
  const int = (name: string, v: unknown, min: number, max: number): number => {
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max)
      throw new ArgumentError(name, `an integer in [${min}, ${max}]`, v);
    return v as number;
  };
  const epochs = int("epochs", o.epochs ?? 1, 0, 1e7);
  const batchSize = int("batchSize", o.batchSize ?? 32, 1, 1 << 16);
  if (
    o.validationSplit !== undefined &&
    !(typeof o.validationSplit === "number" && o.validationSplit >= 0 && o.validationSplit < 1)
  ) {
    throw new ArgumentError("validationSplit", "a number in [0, 1)", o.validationSplit);
  }
  if (o.validationSplit && o.validationData)
    throw new ArgumentError("validationSplit", "not both validationSplit and validationData", o.validationSplit);
  if (
    o.validationData !== undefined &&
    !(Array.isArray(o.validationData) && (o.validationData.length === 2 || o.validationData.length === 3))
  ) {
    throw new ArgumentError("validationData", "[x, y] or [x, y, sampleWeight]", o.validationData);
  }
  if (o.seed !== undefined) checkSeed("seed", o.seed);
  for (const name of ["onBatchEnd", "onEpochEnd"] as const) {
    if (o[name] !== undefined && typeof o[name] !== "function") throw new ArgumentError(name, "a function", o[name]);
  }
  if (o.onNonFinite !== undefined && o.onNonFinite !== "stop" && o.onNonFinite !== "skip") {
    throw new ArgumentError("onNonFinite", '"stop" or "skip"', o.onNonFinite);
  }
  if (o.signal !== undefined && !(o.signal && typeof o.signal.aborted === "boolean"))
    throw new ArgumentError("signal", "an AbortSignal", o.signal);
  const shuffle = o.shuffle ?? true;
  if (typeof shuffle !== "boolean") throw new ArgumentError("shuffle", "true or false", shuffle);
  if (o.warnings !== undefined && typeof o.warnings !== "boolean")
    throw new ArgumentError("warnings", "true or false", o.warnings);
  const yieldEveryMs = o.yieldEveryMs ?? 15;
  if (typeof yieldEveryMs !== "number" || !(yieldEveryMs >= 0))
    throw new ArgumentError("yieldEveryMs", "a number >= 0", yieldEveryMs);
  return { epochs, batchSize, shuffle, yieldEveryMs };
}

/** What fit needs from a model (model.ts implements it): its shape, loss and metrics, the
 *  state a fit advances, and the parts of one step. */
export interface Trainable {
  readonly inputs: number;
  readonly outputs: number;
  readonly seed: number;
  readonly metrics: readonly Metric[];
  readonly normalize: NormalizerKind | "none";
  readonly net: Network;
  readonly lossFn: Loss;
  readonly optimizerRunner: { readonly learningRate: number };
  readonly steps: number;
  readonly isDisposed: boolean;
  epochCount: number;
  normalizerState: Normalizer | null;
  training: boolean;
  checkUsable(what: string, mutates: boolean): void;
  computeGradients(batch: Batch, step: number, epoch: number, weights?: Tensor | null): number;
  applyUpdate(step: number, epoch: number): void;
  countCorrect(batch: Batch): number;
  evaluateRows(
    rows: number,
    load: (batch: Batch, start: number, count: number) => void,
    metrics?: readonly Metric[],
    weights?: ((start: number, count: number) => Tensor) | null,
    validation?: boolean,
  ): { loss: number; accuracy?: number; metrics?: Record<string, number> };
  trackMetrics(tracker: MetricTracker, batch: Batch, io: MetricBuffers): void;
  runDiagnosis(source: RowSource, o: ResolvedDiagnosticsOptions): Diagnostics;
}

/** Metrics early stopping minimizes, like the loss; it maximizes the others. */
const ERROR_METRICS: readonly MetricName[] = ["meanAbsoluteError", "meanSquaredError"];

/** Early stopping during one fit: keeps the best value of the monitored log (and, with
 *  restoreBest, a copy of the weights of that epoch) and says when patience has run out. */
class EarlyStopper {
  private bestValue = Infinity;
  private waited = 0;
  /** The epoch of the best value so far, -1 before the first. */
  bestEpoch = -1;
  private snapshot: Tensor | null = null;
  // Batch normalization's moving statistics belong to the best epoch's weights too.
  private movingSnapshot: Tensor | null = null;

  private constructor(private readonly o: Required<EarlyStopping>) {}

  /** The earlyStopping option, checked; null when it is off. */
  static from(e: FitOptions["earlyStopping"], hasValidation: boolean, metrics: readonly Metric[]): EarlyStopper | null {
    if (e === undefined || e === false) return null;
    const o: EarlyStopping = e === true ? {} : e;
    if (o == null || typeof o !== "object")
      throw new ArgumentError("earlyStopping", "true, false or { monitor, patience, minDelta, restoreBest }", e);
    rejectUnknownKeys(o, ["monitor", "patience", "minDelta", "restoreBest"], "earlyStopping");
    const monitor = o.monitor ?? (hasValidation ? "valLoss" : "loss");
    const known = ["loss", ...METRIC_NAMES].flatMap((m) => [m, metricKey(m as MetricName, true)]);
    if (!known.includes(monitor))
      throw new ArgumentError(
        "earlyStopping.monitor",
        `"loss", "valLoss" or a metric's key (${known.slice(2).join(", ")})`,
        monitor,
      );
    if (monitor.startsWith("val") && !hasValidation) {
      throw new ArgumentError(
        "earlyStopping.monitor",
        "loss or a training metric without validation data (or a split that holds out no row)",
        monitor,
      );
    }
    const watched = known[known.indexOf(monitor) & ~1]!; // the training key of the pair
    if (watched !== "loss" && !metrics.some((m) => metricName(m) === watched)) {
      throw new ArgumentError(
        "earlyStopping.monitor",
        `a loss or a metric of this fit: ${watched} is not among the model's metrics (or fit's metrics option)`,
        monitor,
      );
    }
    const patience = o.patience ?? 5;
    if (!Number.isInteger(patience) || patience < 0)
      throw new ArgumentError("earlyStopping.patience", "an integer >= 0", patience);
    const minDelta = o.minDelta ?? 0;
    if (typeof minDelta !== "number" || !(minDelta >= 0))
      throw new ArgumentError("earlyStopping.minDelta", "a number >= 0", minDelta);
    const restoreBest = o.restoreBest ?? true;
    if (typeof restoreBest !== "boolean")
      throw new ArgumentError("earlyStopping.restoreBest", "true or false", restoreBest);
    return new EarlyStopper({ monitor, patience, minDelta, restoreBest });
  }

  /** With restoreBest, the tensor that holds the best epoch's weights. */
  reserve(resident: Resident, net: Network): void {
    if (!this.o.restoreBest) return;
    this.snapshot = resident.alloc(net.paramCount);
    if (net.movingAll) this.movingSnapshot = resident.alloc(net.movingAll.length);
  }

  /** Takes an epoch's logs; true when `patience` epochs went by without improvement (as Keras). */
  update(logs: EpochLogs, net: Network): boolean {
    const m = this.o.monitor;
    const raw =
      m === "loss" || m === "valLoss" || m === "accuracy" || m === "valAccuracy" ? logs[m] : logs.metrics?.[m];
    const minimized =
      m === "loss" || m === "valLoss" || ERROR_METRICS.some((name) => m === name || m === metricKey(name, true));
    const value = minimized ? (raw ?? NaN) : -(raw ?? NaN); // minimize
    if (value < this.bestValue - this.o.minDelta) {
      this.bestValue = value;
      this.bestEpoch = logs.epoch;
      this.waited = 0;
      if (this.snapshot) net.backend.copy(net.params, this.snapshot);
      if (this.movingSnapshot) net.backend.copy(net.movingAll!, this.movingSnapshot);
      return false;
    }
    return ++this.waited >= this.o.patience;
  }

  /** At the end of the fit: the best epoch into the history, its weights back into the model. */
  finish(model: Trainable, history: History): void {
    if (this.bestEpoch < 0) return;
    history.bestEpoch = this.bestEpoch;
    if (this.snapshot && !model.isDisposed) {
      model.net.backend.copy(this.snapshot, model.net.params);
      if (this.movingSnapshot) model.net.backend.copy(this.movingSnapshot, model.net.movingAll!);
      model.net.weightsChanged();
    }
  }
}

/**
 * Trains `model` on x, y (model.fit). Checks every argument, copies the data into backend
 * memory, then runs epochs until they are done or something stops them; the fit's tensors are
 * freed however it ends.
 */
export async function fit(model: Trainable, xIn: MatrixInput, yIn: TargetInput, options: FitOptions): Promise<History> {
  model.checkUsable("fit", true);
  const o = checkOptions(options);
  const diagnosticsOptions = checkFitDiagnostics(options.diagnostics);
  const verbose = checkVerbose(options.verbose);
  const metrics =
    options.metrics === undefined ? model.metrics : resolveMetrics("metrics", options.metrics, model.outputs);
  const { x, y, weights, val, valWeights } = trainingData(model, xIn, yIn, options);
  const stopping = EarlyStopper.from(options.earlyStopping, val !== null, metrics);
  if (diagnosticsOptions && diagnosticsOptions.sample !== undefined && diagnosticsOptions.sample > x.rows) {
    throw new ArgumentError(
      "diagnostics.sample",
      `an integer in [1, ${x.rows}] (training rows)`,
      diagnosticsOptions.sample,
    );
  }
  // The first fit's normalizer is kept only once the fit's buffers exist: a fit refused for
  // memory leaves the model as it was.
  const normalizer = model.normalizerState ?? (model.normalize === "none" ? null : Normalizer.fit(model.normalize, x));
  const warnings = options.warnings ?? true;
  if (warnings && model.normalize === "none" && !printed(model).has("unnormalizedInputs")) warnIfUnnormalized(model, x);

  const resident = new Resident(model.net.backend);
  const progress = new Progress(verbose, o.epochs, x.rows, defaultOutput(), now);
  model.training = true;
  try {
    const run = new FitRun(
      model,
      options,
      o,
      resident,
      { x, y, weights, val, valWeights, normalizer },
      metrics,
      progress,
      stopping,
    );
    if (diagnosticsOptions)
      run.diagnosis = diagnosticsPlan(
        model,
        diagnosticsOptions,
        x.rows,
        run.batchSize,
        resident,
        run.xs,
        run.ys,
        run.seed,
        warnings,
      );
    // Every argument has passed and every buffer exists: from here on the model changes.
    model.normalizerState = normalizer;
    for (let e = 0; e < o.epochs; e++) {
      const stop = await run.epoch(e);
      if (stop) {
        run.history.stopReason = stop;
        break;
      }
    }
    stopping?.finish(model, run.history);
    return run.history;
  } finally {
    resident.free(); // the fit's own tensors, even when the model was disposed meanwhile
    model.training = false;
    progress.close();
  }
}

/** x and y checked with their row weights, and the validation rows: validationData, or the
 *  split held out from the end. The validation rows' sample weights are Keras': those of
 *  validationData, or of the held-out rows of a split (class weights are for training only). */
function trainingData(
  model: Trainable,
  xIn: MatrixInput,
  yIn: TargetInput,
  options: FitOptions,
): {
  x: Matrix;
  y: Matrix;
  weights: Float32Array | null;
  val: [Matrix, Matrix] | null;
  valWeights: Float32Array | null;
} {
  let x = toMatrix("x", xIn, model.inputs);
  let y = model.lossFn.targets("y", yIn, x.rows);
  let weights = rowWeights(options.classWeight, options.sampleWeight, y);
  let val: [Matrix, Matrix] | null = null,
    valWeights: Float32Array | null = null;
  if (options.validationData) {
    const vx = toMatrix("validationData[0]", options.validationData[0], model.inputs);
    val = [vx, model.lossFn.targets("validationData[1]", options.validationData[1], vx.rows)];
    if (options.validationData.length === 3)
      valWeights = sampleWeights("validationData[2]", options.validationData[2], vx.rows);
  } else if (options.validationSplit) {
    const held = Math.floor(x.rows * options.validationSplit); // < rows: the split is below 1
    if (held >= 1) {
      const kept = x.rows - held;
      val = [sliceRows(x, kept, held), sliceRows(y, kept, held)];
      x = sliceRows(x, 0, kept);
      y = sliceRows(y, 0, kept);
      if (options.sampleWeight !== undefined) valWeights = weights!.subarray(kept);
      weights = weights && weights.subarray(0, kept);
    }
  }
  if (x.rows >= MAX_ROWS) throw new ArgumentError("x", "fewer than 2^24 rows per fit", x.rows);
  return { x, y, weights, val, valWeights };
}

/** One fit under way: the data in backend memory, the shuffled index and its per-batch
 *  windows, and the history so far. `epoch` trains one epoch, `step` one batch. */
class FitRun {
  readonly history: History = {
    epochs: [],
    loss: [],
    accuracy: [],
    valLoss: [],
    valAccuracy: [],
    metrics: {},
    stopReason: "completed",
    skippedBatches: 0,
    diagnostics: [],
  };
  readonly batchSize: number;
  readonly seed: number;
  readonly xs: Tensor;
  readonly ys: Tensor;
  diagnosis: { every: number; run: () => Diagnostics } | null = null;
  private readonly b: Backend;
  private readonly valData: { x: Tensor; y: Tensor; rows: number; w: Tensor | null } | null;
  private readonly index: Tensor;
  // Each batch's window of the index, made once: a step allocates nothing.
  private readonly windows: Tensor[] = [];
  private readonly order: Float32Array;
  private readonly accuracy: boolean;
  // Row weights (classWeight, sampleWeight): resident like the targets, gathered into one window per batch.
  private readonly rowWeights: Tensor | null;
  private readonly weightWindows: Tensor[] | null;
  private readonly tracker: MetricTracker;
  private readonly readBack: MetricBuffers | null;
  private lastYield: number;

  constructor(
    private readonly model: Trainable,
    private readonly options: FitOptions,
    private readonly o: ReturnType<typeof checkOptions>,
    resident: Resident,
    data: ReturnType<typeof trainingData> & { normalizer: Normalizer | null },
    private readonly metrics: readonly Metric[],
    private readonly progress: Progress,
    private readonly stopping: EarlyStopper | null,
  ) {
    const { x, y, weights, val, valWeights, normalizer } = data,
      rows = x.rows;
    const b = (this.b = model.net.backend);
    this.batchSize = Math.min(o.batchSize, rows);
    model.net.ensureCapacity(this.batchSize);
    this.xs = resident.put(x, normalizer);
    this.ys = resident.put(y, null);
    this.valData = val && {
      x: resident.put(val[0], normalizer),
      y: resident.put(val[1], null),
      rows: val[0].rows,
      w: valWeights && resident.put({ data: valWeights, rows: val[0].rows, cols: 1 }, null),
    };
    this.index = resident.alloc(rows);
    for (let s = 0; s < rows; s += this.batchSize)
      this.windows.push(b.slice(this.index, s, Math.min(this.batchSize, rows - s)));
    this.order = Float32Array.from({ length: rows }, (_, i) => i);
    stopping?.reserve(resident, model.net);
    this.rowWeights = weights && resident.put({ data: weights, rows, cols: 1 }, null);
    const batchWeights = this.rowWeights && resident.alloc(this.batchSize);
    this.weightWindows = batchWeights && this.windows.map((w) => b.slice(batchWeights, 0, w.length));
    this.tracker = new MetricTracker(metrics, model.outputs, model.lossFn.threshold);
    this.readBack = this.tracker.active ? metricBuffers(this.batchSize, model.outputs) : null;
    this.accuracy = metrics.some((m) => metricName(m) === "accuracy");
    this.seed = options.seed ?? model.seed;
    this.lastYield = now();
  }

  /** Trains epoch `e` (of this fit) and records it; returns why training stops after it, or null. */
  async epoch(e: number): Promise<StopReason | null> {
    const { model, options, b, history } = this;
    const started = now();
    if (this.o.shuffle) {
      shuffle(this.order, this.seed, model.epochCount);
      b.write(this.index, this.order);
    } else if (e === 0) {
      b.write(this.index, this.order);
    }
    let lossSum = 0,
      correct = 0,
      seen = 0,
      skipped = 0;
    let stop: StopReason | null = null;
    const { tracker, progress } = this;
    tracker.reset();
    progress.epochStart(e);
    for (let w = 0; w < this.windows.length && !stop; w++) {
      if (options.signal?.aborted) {
        stop = "aborted";
        break;
      } // an abort before this batch: no step
      const result = this.step(w, e);
      if (!result) {
        skipped++;
        continue;
      }
      const { loss, right, size } = result;
      lossSum += loss * size;
      correct += right;
      seen += size;
      if (progress.live) {
        progress.batch(seen, () => ({
          loss: lossSum / seen,
          accuracy: this.accuracy ? correct / seen : undefined,
          ...tracker.results(false, true),
        }));
      }
      if (options.onBatchEnd) {
        const logs: BatchLogs = { epoch: e, batch: w, step: model.steps, size, loss };
        if (this.accuracy) logs.accuracy = right / size;
        if ((await options.onBatchEnd(logs)) === false) stop = "callback";
        stillUsable(model);
      }
      if (now() - this.lastYield >= this.o.yieldEveryMs) {
        await yieldToEventLoop();
        this.lastYield = now();
        stillUsable(model);
      }
    }
    model.epochCount++;
    history.skippedBatches += skipped;
    if (seen === 0 && stop) return stop;
    const logs: EpochLogs = {
      epoch: e,
      loss: seen ? lossSum / seen : NaN,
      learningRate: model.optimizerRunner.learningRate,
      skippedBatches: skipped,
      seconds: 0,
    };
    if (this.accuracy) logs.accuracy = seen ? correct / seen : NaN;
    if (tracker.active) logs.metrics = tracker.results();
    const valData = this.valData;
    if (valData) {
      const v = model.evaluateRows(
        valData.rows,
        (batch, start, count) => {
          b.copy(b.slice(valData.x, start * model.inputs, count * model.inputs), batch.x);
          b.copy(b.slice(valData.y, start * model.outputs, count * model.outputs), batch.t);
        },
        this.metrics,
        valData.w && ((start, count) => b.slice(valData.w!, start, count)),
        true,
      );
      logs.valLoss = v.loss;
      if (this.accuracy) logs.valAccuracy = v.accuracy!;
      if (v.metrics) logs.metrics = { ...logs.metrics, ...v.metrics };
    }
    if (this.diagnosis && (e + 1) % this.diagnosis.every === 0) {
      logs.diagnostics = this.diagnosis.run();
      history.diagnostics.push({ epoch: e, ...logs.diagnostics });
    }
    logs.seconds = (now() - started) / 1000;
    history.epochs.push(logs);
    history.loss.push(logs.loss);
    if (logs.accuracy !== undefined) history.accuracy.push(logs.accuracy);
    if (logs.valLoss !== undefined) history.valLoss.push(logs.valLoss);
    if (logs.valAccuracy !== undefined) history.valAccuracy.push(logs.valAccuracy);
    for (const [key, value] of Object.entries(logs.metrics ?? {})) (history.metrics[key] ??= []).push(value);
    progress.epochEnd(e, shownValues(logs));

    if (this.stopping?.update(logs, model.net)) stop ??= "earlyStopping";
    if (options.onEpochEnd && (await options.onEpochEnd(logs)) === false) stop ??= "callback";
    stillUsable(model);
    return stop;
  }

  /** One optimizer step on the rows batch `w`'s index window names: gather, forward, loss,
   *  backward, update. Its loss and rows predicted right, or null when onNonFinite "skip" dropped it. */
  private step(w: number, e: number): { loss: number; right: number; size: number } | null {
    const { model, b } = this,
      window = this.windows[w]!,
      n = window.length;
    const batch = model.net.batch(n);
    b.gatherRows(this.xs, window, batch.x, n, model.inputs);
    b.gatherRows(this.ys, window, batch.t, n, model.outputs);
    const batchWeight = this.weightWindows && this.weightWindows[w]!;
    if (batchWeight) b.gatherRows(this.rowWeights!, window, batchWeight, n, 1);
    let loss: number;
    try {
      loss = model.computeGradients(batch, model.steps + 1, e, batchWeight);
      model.applyUpdate(model.steps + 1, e);
    } catch (err) {
      if (err instanceof NonFiniteError && this.options.onNonFinite === "skip") return null;
      throw err;
    }
    const right = this.accuracy ? model.countCorrect(batch) : 0;
    if (this.readBack) model.trackMetrics(this.tracker, batch, this.readBack);
    return { loss, right, size: n };
  }
}

/** What the progress output shows of an epoch: the training values, then the validation ones. */
function shownValues(logs: EpochLogs): Record<string, number | undefined> {
  const entries = Object.entries(logs.metrics ?? {});
  return {
    loss: logs.loss,
    accuracy: logs.accuracy,
    ...Object.fromEntries(entries.filter(([k]) => !/^val[A-Z]/.test(k))),
    valLoss: logs.valLoss,
    valAccuracy: logs.valAccuracy,
    ...Object.fromEntries(entries.filter(([k]) => /^val[A-Z]/.test(k))),
  };
}

/** The diagnostics option, checked (its sample size against the rows once they are known). */
function checkFitDiagnostics(
  option: FitOptions["diagnostics"],
): (ResolvedDiagnosticsOptions & { every: number; sample?: number }) | null {
  if (option === undefined || option === false) return null;
  const o = option === true ? {} : option;
  const resolved = checkDiagnosticsOptions(o, ["every", "sample"]);
  const every = o.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new ArgumentError("diagnostics.every", "an integer >= 1", every);
  if (o.sample !== undefined && (!Number.isInteger(o.sample) || o.sample < 1))
    throw new ArgumentError("diagnostics.sample", "an integer >= 1", o.sample);
  return { ...resolved, every, sample: o.sample };
}

/** Per-epoch diagnostics: a fixed seeded sample of the training rows (already in backend
 *  memory), gathered through its own index tensor. */
function diagnosticsPlan(
  model: Trainable,
  o: NonNullable<ReturnType<typeof checkFitDiagnostics>>,
  rows: number,
  batchSize: number,
  resident: Resident,
  xs: Tensor,
  ys: Tensor,
  seed: number,
  warnings: boolean,
): { every: number; run: () => Diagnostics } {
  const sample = o.sample ?? Math.min(rows, Math.max(batchSize, Math.ceil(rows / 10)), 2048);
  const order = Float32Array.from({ length: rows }, (_, i) => i);
  shuffle(order, seed, 0xd1a6); // a stream of its own: the training order is untouched
  const b = model.net.backend,
    index = resident.alloc(sample);
  b.write(index, order.subarray(0, sample));
  const source = {
    rows: sample,
    hasTargets: true,
    load: (batch: Batch, start: number, count: number) => {
      const window = b.slice(index, start, count);
      b.gatherRows(xs, window, batch.x, count, model.inputs);
      b.gatherRows(ys, window, batch.t, count, model.outputs);
    },
    loadSpread(batch: Batch, count: number) {
      this.load(batch, 0, count);
    }, // the sample is shuffled already
  };
  // The console hears each kind of warning once per layer; onWarning and the history get all.
  const quiet = { ...o, console: false };
  return {
    every: o.every,
    run: () => {
      const d = model.runDiagnosis(source, quiet);
      if (o.console && warnings) for (const w of d.warnings) warnOnce(model, `${w.kind}:${w.layer}`, w.message);
      return d;
    },
  };
}

/** The console warnings each model has printed (by kind, and layer for diagnostics). */
const printedWarnings = new WeakMap<Trainable, Set<string>>();
const printed = (model: Trainable): Set<string> => {
  let seen = printedWarnings.get(model);
  if (!seen) printedWarnings.set(model, (seen = new Set()));
  return seen;
};

function warnOnce(model: Trainable, key: string, message: string): void {
  if (printed(model).has(key)) return;
  printed(model).add(key);
  console.warn(`simdnet: ${message}`);
}

/** A beginner's most common mistake, said at the start of the first fit it shows in. */
function warnIfUnnormalized(model: Trainable, x: Matrix): void {
  const columns = unnormalizedColumns(x.data, x.rows, x.cols);
  if (columns.length === 0) return;
  const shown = columns
    .slice(0, 4)
    .map((c) => `column ${c.column} (mean ${c.mean.toPrecision(3)}, std ${c.std.toPrecision(3)})`);
  if (columns.length > 4) shown.push(`${columns.length - 4} more`);
  warnOnce(
    model,
    "unnormalizedInputs",
    `inputs are not normalized (${columns.length} of ${x.cols} columns): ${shown.join(", ")}; ` +
      `pass normalize: "standardize" to createModel (or fit({ warnings: false }) if this is on purpose)`,
  );
}

/** After an await: a model disposed meanwhile ends the fit with a StateError. */
function stillUsable(model: Trainable): void {
  if (model.isDisposed) model.checkUsable("fit", false);
}
