// Diagnostics: what each layer is doing, measured on a sample of rows by the stats kernels,
// and warnings when a layer shows one of the article's failure modes (dead ReLUs, saturation,
// vanishing or exploding gradients, identical units, inputs that are not normalized).
//
// Activation statistics come from a forward pass over the whole sample; gradient statistics
// (norms, the size of the next update, identical gradients, the sign quadrant) from one
// batch of its first rows, so per-epoch diagnostics stay cheap next to an epoch of training.
import { activationSpec, type ActivationName } from "./activations.js";
import type { Backend, Tensor } from "./backend/backend.js";
import { ArgumentError, NonFiniteError, rejectUnknownKeys } from "./errors.js";
import type { Layer } from "./layers.js";
import type { Batch, Network } from "./network.js";

/** When diagnostics warn: each threshold of a failure mode. */
export interface WarningThresholds {
  /** Fraction of a ReLU layer's units dead on the sample. Default 0.5. */
  deadUnits: number;
  /** Fraction of a logistic/tanh layer's values saturated. Default 0.5. */
  saturation: number;
  /** RMS gradient of the first layer's kernel over the last layer's, below which gradients
   *  vanish (default 0.01: two orders of magnitude) and above the inverse of which they explode. */
  gradientRatio: number;
  /** An input column whose |mean| or std exceeds this is not normalized. Default 5. */
  inputScale: number;
}

/** The thresholds diagnostics use unless told otherwise. */
export const DEFAULT_THRESHOLDS: WarningThresholds = {
  deadUnits: 0.5,
  saturation: 0.5,
  gradientRatio: 0.01,
  inputScale: 5,
};

/** Options of model.diagnose (and of fit's `diagnostics`). */
export interface DiagnosticsOptions {
  /** Histogram bins. Default 20. */
  bins?: number;
  /** A logistic or tanh value is saturated where its derivative is below this fraction of
   *  the derivative's peak (0.25 for logistic, 1 for tanh). Default 0.01: |z| > 5.98 for
   *  logistic, |z| > 2.99 for tanh. */
  saturation?: number;
  /** Rows of the sample used for the gradient statistics. Default 256; at most as many as
   *  4 MiB of batch buffers hold, so a very wide model diagnoses within bounded memory
   *  (`Diagnostics.gradientRows` says how many were used). */
  gradientRows?: number;
  thresholds?: Partial<WarningThresholds>;
  /** Print each warning with console.warn. Default true. */
  console?: boolean;
  /** Called with each warning as it is found (as well as the console, unless `console` is false). */
  onWarning?: (warning: DiagnosticWarning) => void;
}

/** Counts of values in equal bins over [lo, hi), and how many fell below and above. */
export interface Histogram {
  lo: number;
  hi: number;
  /** Counts of the equal bins over [lo, hi). */
  counts: number[];
  below: number;
  above: number;
}

/** The bins' counts with the values outside [lo, hi) folded into the edge bins, for drawing
 *  (a logistic output of exactly 1 lands in the last bin instead of out of sight). */
export function edgeFoldedCounts(h: Histogram): number[] {
  return h.counts.map((c, k) => c + (k === 0 ? h.below : 0) + (k === h.counts.length - 1 ? h.above : 0));
}

/** Mean, std and histogram of a set of values (pre-activations or activations). */
export interface ValueStats {
  mean: number;
  std: number;
  histogram: Histogram;
}

/** What one layer is doing on the diagnosed rows. For a layer that keeps its width
 *  (normalization, dropout, activation), preActivation describes its input and
 *  activationStats its output: a normalization's statistics before and after. */
export interface LayerDiagnostics {
  /** 1-based. */
  layer: number;
  type: Layer["type"];
  units: number;
  /** Its activation: a dense or activation layer's, "identity" for the others. */
  activation: ActivationName;
  preActivation: ValueStats;
  activationStats: ValueStats;
  /** logistic/tanh: fraction of values whose derivative is below the saturation threshold. */
  saturated?: number;
  /** ReLU: fraction of units whose pre-activation is <= 0 on every sample row. */
  dead?: number;
  /** Leaky ReLU: fraction of values in the negative region. */
  negative?: number;
  /** 0 for layers without a kernel. */
  kernelNorm: number;
  /** A normalization's: the norm of its gamma and beta together. */
  biasNorm: number;
  kernelGradientNorm?: number;
  biasGradientNorm?: number;
  /** ||update|| / ||kernel|| of the update the optimizer would make on the gradient batch. */
  updateRatio?: number;
  /** Groups (two or more) of units with identical incoming weights and bias. */
  identicalUnits: number[][];
  /** Groups of units with identical kernel gradients. */
  identicalGradients?: number[][];
  /** Fraction of units whose incoming-weight gradients all share one sign (the article's
   *  quadrant effect: it is 1 for any layer fed by logistic outputs when the batch is one row). */
  sameSignGradients?: number;
  /** This layer's inputs are logistic outputs (always positive). */
  fedByLogistic: boolean;
}

/** The failure modes diagnostics warn about. */
export type WarningKind =
  | "deadUnits"
  | "saturation"
  | "vanishingGradient"
  | "explodingGradient"
  | "identicalUnits"
  | "unnormalizedInputs"
  | "nonFinite";

/** One warning: its kind, where, the measured value against its threshold, and what to do. */
export interface DiagnosticWarning {
  kind: WarningKind;
  /** 1-based layer, 0 for the inputs or the whole network. */
  layer: number;
  value: number;
  threshold: number;
  message: string;
}

/** The result of a diagnosis: per-layer measurements, input scale, gradient ratio and warnings. */
export interface Diagnostics {
  /** Rows the activation statistics cover; gradientRows the gradient statistics. */
  rows: number;
  gradientRows: number;
  layers: LayerDiagnostics[];
  /** RMS kernel gradient of the first layer over the last layer's. */
  gradientRatio?: number;
  /** The largest |mean| and std over the input columns (after the model's normalizer). */
  input: { maxAbsMean: number; maxStd: number };
  /** Set when the gradient batch met NaN or infinity. */
  nonFinite?: string;
  warnings: DiagnosticWarning[];
}

/** An input column whose scale calls for normalization: |mean| or std above the threshold. */
export interface UnnormalizedColumn {
  column: number;
  mean: number;
  std: number;
}

/** The columns of the raw inputs (rows x cols, row-major) whose |mean| or std exceeds
 *  `threshold` (default DEFAULT_THRESHOLDS.inputScale): one pass over the values, in float64. */
export function unnormalizedColumns(
  data: Float32Array,
  rows: number,
  cols: number,
  threshold = DEFAULT_THRESHOLDS.inputScale,
): UnnormalizedColumn[] {
  const sum = new Float64Array(cols),
    sq = new Float64Array(cols);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++, i++) {
      const v = data[i]!;
      sum[c] = sum[c]! + v;
      sq[c] = sq[c]! + v * v;
    }
  }
  const out: UnnormalizedColumn[] = [];
  for (let c = 0; c < cols && rows > 0; c++) {
    const mean = sum[c]! / rows,
      std = Math.sqrt(Math.max(0, sq[c]! / rows - mean * mean));
    if (Math.abs(mean) > threshold || std > threshold) out.push({ column: c, mean, std });
  }
  return out;
}

/** Where a diagnosis reads its rows: `load` writes rows [start, start + count) into batch.x
 *  (and batch.t when targets exist); `loadSpread` writes `count` rows spread over all of
 *  them, for the gradient batch (a source sorted by class must not give one class only). */
export interface RowSource {
  rows: number;
  hasTargets: boolean;
  load(batch: Batch, start: number, count: number): void;
  loadSpread(batch: Batch, count: number): void;
}

/** What the diagnosis needs from a model (model.ts implements it). */
export interface Diagnosable {
  readonly net: Network;
  computeGradients(batch: Batch, step: number, epoch: number): number;
  /** Stages the update for the last gradients without committing it; each layer's ||ΔW||. */
  trialUpdate(): number[];
}

const BINS_MAX = 1000;

/** The |z| beyond which a saturating activation's derivative (logistic, tanh) is below
 *  `fraction` of its peak; null for an activation that does not saturate. */
export function saturationBound(activation: ActivationName, fraction: number): number | null {
  if (typeof fraction !== "number" || !(fraction > 0 && fraction < 1))
    throw new ArgumentError("fraction", "a number in (0, 1)", fraction);
  const bound = activationSpec(activation).saturationBound;
  return bound === null ? null : bound(fraction);
}

/** Where an activation's values live, for its histogram (its spec row's range). */
function activationRange(a: ActivationName): [number, number] {
  const [lo, hi] = activationSpec(a).range;
  return [lo, hi];
}
const PRE_ACTIVATION_RANGE: [number, number] = [-6, 6];

/** Per-model scratch tensors, allocated on first use and kept: a diagnosis every epoch
 *  allocates nothing after the first. */
export class DiagnosticsScratch {
  private tensors = new Map<string, Tensor>();
  constructor(private readonly backend: Backend) {}
  get(key: string, length: number): Tensor {
    let t = this.tensors.get(key);
    if (!t || t.length < length) {
      const grown = this.backend.alloc(length); // before freeing: a failed alloc leaves the map as it was
      if (t) this.backend.free(t);
      t = grown;
      this.tensors.set(key, t);
    }
    return t.length === length ? t : this.backend.slice(t, 0, length);
  }
  dispose(): void {
    for (const t of this.tensors.values()) this.backend.free(t);
    this.tensors.clear();
  }
}

/** Options with every default filled in. */
export interface ResolvedDiagnosticsOptions {
  bins: number;
  saturation: number;
  gradientRows: number;
  thresholds: WarningThresholds;
  console: boolean;
  onWarning?: (warning: DiagnosticWarning) => void;
}

/** `more`: the keys a caller adds to these options (fit's every and sample). */
export function checkDiagnosticsOptions(
  o: DiagnosticsOptions,
  more: readonly string[] = [],
): ResolvedDiagnosticsOptions {
  if (o == null || typeof o !== "object")
    throw new ArgumentError(
      "diagnostics",
      "options { bins, saturation, gradientRows, thresholds, console, onWarning }",
      o,
    );
  rejectUnknownKeys(
    o,
    ["bins", "saturation", "gradientRows", "thresholds", "console", "onWarning", ...more],
    "diagnostics",
  );
  const bins = o.bins ?? 20;
  if (!Number.isInteger(bins) || bins < 1 || bins > BINS_MAX)
    throw new ArgumentError("diagnostics.bins", `an integer in [1, ${BINS_MAX}]`, bins);
  const saturation = o.saturation ?? 0.01;
  if (typeof saturation !== "number" || !(saturation > 0 && saturation < 1))
    throw new ArgumentError("diagnostics.saturation", "a number in (0, 1)", saturation);
  const gradientRows = o.gradientRows ?? 256;
  if (!Number.isInteger(gradientRows) || gradientRows < 1)
    throw new ArgumentError("diagnostics.gradientRows", "an integer >= 1", gradientRows);
  const thresholds = { ...DEFAULT_THRESHOLDS };
  for (const [key, value] of Object.entries(o.thresholds ?? {})) {
    if (!Object.hasOwn(DEFAULT_THRESHOLDS, key))
      throw new ArgumentError("diagnostics.thresholds", `keys of ${Object.keys(DEFAULT_THRESHOLDS).join(", ")}`, key);
    if (typeof value !== "number" || !(value > 0))
      throw new ArgumentError(`diagnostics.thresholds.${key}`, "a number > 0", value);
    thresholds[key as keyof WarningThresholds] = value;
  }
  const toConsole = o.console ?? true;
  if (typeof toConsole !== "boolean") throw new ArgumentError("diagnostics.console", "true or false", toConsole);
  if (o.onWarning !== undefined && typeof o.onWarning !== "function")
    throw new ArgumentError("diagnostics.onWarning", "a function", o.onWarning);
  return { bins, saturation, gradientRows, thresholds, console: toConsole, onWarning: o.onWarning };
}

/** @internal Groups (of two or more) of equal hashes, confirmed equal by `same`. Linear in the units
 *  when they are all alike: each unit is compared with one representative per distinct
 *  group under its hash, never with every other unit. */
export function groupsOf(hashes: Uint32Array, same: (i: number, j: number) => boolean): number[][] {
  const byHash = new Map<number, number[][]>();
  for (let j = 0; j < hashes.length; j++) {
    const bucket = byHash.get(hashes[j]!);
    if (!bucket) {
      byHash.set(hashes[j]!, [[j]]);
      continue;
    }
    const group = bucket.find((g) => same(g[0]!, j));
    if (group) group.push(j);
    else bucket.push([j]);
  }
  const groups: number[][] = [];
  for (const bucket of byHash.values()) for (const g of bucket) if (g.length > 1) groups.push(g);
  return groups;
}

/** Whether units p and q have equal columns in `kernel` (and equal biases): read from the
 *  backend only when some hashes collide, which a healthy layer never has. */
function sameUnits(
  b: Backend,
  kernel: Tensor,
  bias: Tensor | null,
  rows: number,
  cols: number,
): (p: number, q: number) => boolean {
  let k: Float32Array | null = null,
    v: Float32Array | null = null;
  return (p, q) => {
    k ??= b.read(kernel);
    v ??= bias && b.read(bias);
    if (v && v[p] !== v[q]) return false;
    for (let r = 0; r < rows; r++) if (k[r * cols + p] !== k[r * cols + q]) return false;
    return true;
  };
}

/** A layer's activation for the diagnostics: a dense or activation layer's, else identity. */
const activationOf = (l: Layer): ActivationName =>
  l.type === "dense" || l.type === "activation" ? l.activation : "identity";

/** Runs the diagnosis over `source` (see the file comment). */
export function diagnose(
  model: Diagnosable,
  scratch: DiagnosticsScratch,
  source: RowSource,
  options: ResolvedDiagnosticsOptions,
  step: number,
  epoch: number,
): Diagnostics {
  const b = model.net.backend,
    net = model.net,
    layers = net.layers,
    bins = options.bins,
    inputs = net.inputs;
  const chunk = net.rowCapacity;
  const acc = layers.map(() => ({ zSum: 0, zSq: 0, aSum: 0, aSq: 0, saturated: 0, negative: 0 }));
  const hist = layers.map((_, i) => [scratch.get(`zHist${i}`, bins + 2), scratch.get(`aHist${i}`, bins + 2)] as const);
  // Counts add up in float64 here, chunk by chunk: float32 counts would stop at 2^24.
  const counts = layers.map(() => [new Float64Array(bins + 2), new Float64Array(bins + 2)] as const);
  const colMax = layers.map((l, i) => scratch.get(`colMax${i}`, l.units));
  const activations = layers.map(activationOf);
  const bounds = activations.map((a) => saturationBound(a, options.saturation));
  // The inputs' column moments (as the model sees them, normalized), for the input check.
  const xSum = new Float64Array(inputs),
    xSq = new Float64Array(inputs);
  const colSum = scratch.get("xSum", inputs),
    colSq = scratch.get("xSq", inputs);

  for (let start = 0; start < source.rows; start += chunk) {
    const count = Math.min(chunk, source.rows - start);
    const batch = net.batch(count);
    source.load(batch, start, count);
    b.sumRows(batch.x, colSum, count, inputs);
    b.columnSumSquares(batch.x, colSq, count, inputs);
    const sums = b.read(colSum),
      squares = b.read(colSq);
    for (let j = 0; j < inputs; j++) {
      xSum[j] = xSum[j]! + sums[j]!;
      xSq[j] = xSq[j]! + squares[j]!;
    }
    // Normalizations from each chunk's own statistics, as training sees them; dropout off.
    net.forward(batch, "statistics");
    layers.forEach((l, i) => {
      const { a } = batch.layers[i]!,
        s = acc[i]!,
        activation = activations[i]!;
      // What the layer's activation reads: a dense layer's pre-activation, else the layer's input.
      const z =
        l.type === "dense" || l.type === "activation" ? batch.layers[i]!.z : i > 0 ? batch.layers[i - 1]!.a : batch.x;
      s.zSum += b.sum(z);
      s.zSq += b.sumSquares(z);
      s.aSum += b.sum(a);
      s.aSq += b.sumSquares(a);
      const [lo, hi] = activationRange(activation);
      for (const [k, values, [from, to]] of [
        [0, z, PRE_ACTIVATION_RANGE],
        [1, a, [lo, hi]],
      ] as const) {
        b.fill(hist[i]![k], 0);
        b.histogram(values, from, to, bins, hist[i]![k]);
        const chunkCounts = b.read(hist[i]![k]),
          total = counts[i]![k];
        for (let c = 0; c < bins + 2; c++) total[c] = total[c]! + chunkCounts[c]!;
      }
      if (bounds[i] !== null) s.saturated += b.countAbsAbove(z, bounds[i]!);
      if (activation === "leakyRelu") s.negative += b.countBelow(z, 0);
      if (activation === "relu") b.columnMax(z, count, l.units, colMax[i]!, start > 0);
    });
  }

  const stats = (sum: number, sq: number, n: number, h: Float64Array, [lo, hi]: [number, number]): ValueStats => {
    const counts = Array.from(h);
    const mean = sum / n;
    return {
      mean,
      std: Math.sqrt(Math.max(0, sq / n - mean * mean)),
      histogram: { lo, hi, counts: counts.slice(1, bins + 1), below: counts[0]!, above: counts[bins + 1]! },
    };
  };
  const out: LayerDiagnostics[] = layers.map((l, i) => {
    const s = acc[i]!,
      n = source.rows * l.units,
      activation = activations[i]!;
    const d: LayerDiagnostics = {
      layer: i + 1,
      type: l.type,
      units: l.units,
      activation,
      preActivation: stats(s.zSum, s.zSq, n, counts[i]![0], PRE_ACTIVATION_RANGE),
      activationStats: stats(s.aSum, s.aSq, n, counts[i]![1], activationRange(activation)),
      kernelNorm: Math.sqrt(b.sumSquares(net.kernels[i]!)),
      biasNorm: Math.sqrt(b.sumSquares(net.biases[i]!)),
      identicalUnits:
        l.type !== "dense"
          ? []
          : groupsOf(
              b.columnHashes(net.kernels[i]!, l.inputs, l.units),
              sameUnits(b, net.kernels[i]!, l.useBias ? net.biases[i]! : null, l.inputs, l.units),
            ),
      fedByLogistic: i > 0 && activations[i - 1] === "sigmoid",
    };
    if (bounds[i] !== null) d.saturated = s.saturated / n;
    if (activation === "leakyRelu") d.negative = s.negative / n;
    if (activation === "relu") d.dead = b.read(colMax[i]!).filter((m) => m <= 0).length / l.units;
    return d;
  });

  let maxAbsMean = 0,
    maxStd = 0;
  for (let j = 0; j < inputs; j++) {
    const mean = xSum[j]! / source.rows;
    maxAbsMean = Math.max(maxAbsMean, Math.abs(mean));
    maxStd = Math.max(maxStd, Math.sqrt(Math.max(0, xSq[j]! / source.rows - mean * mean)));
  }
  const result: Diagnostics = {
    rows: source.rows,
    gradientRows: 0,
    layers: out,
    input: { maxAbsMean, maxStd },
    warnings: [],
  };
  if (source.hasTargets) gradientStats(model, source, options, result, step, epoch);
  result.warnings = warningsOf(result, options.thresholds);
  for (const w of result.warnings) {
    if (options.console) console.warn(`simdnet: ${w.message}`);
    options.onWarning?.(w);
  }
  return result;
}

function gradientStats(
  model: Diagnosable,
  source: RowSource,
  options: ResolvedDiagnosticsOptions,
  result: Diagnostics,
  step: number,
  epoch: number,
): void {
  const b = model.net.backend,
    net = model.net,
    layers = net.layers;
  const rows = Math.min(options.gradientRows, source.rows, net.rowCapacity);
  const batch = net.batch(rows);
  source.loadSpread(batch, rows);
  try {
    model.computeGradients(batch, step, epoch);
  } catch (e) {
    if (!(e instanceof NonFiniteError)) throw e;
    result.nonFinite = e.message;
    return;
  }
  result.gradientRows = rows;
  const deltas = model.trialUpdate();
  const rms: number[] = [];
  layers.forEach((l, i) => {
    const d = result.layers[i]!,
      g = net.kernelGrads[i]!;
    const gradSq = b.sumSquares(g);
    d.kernelGradientNorm = Math.sqrt(gradSq);
    d.biasGradientNorm = Math.sqrt(b.sumSquares(net.biasGrads[i]!));
    if (l.type !== "dense") return; // the per-kernel measures below are a dense layer's
    d.updateRatio = d.kernelNorm > 0 ? deltas[i]! / d.kernelNorm : Infinity;
    d.sameSignGradients = b.countSameSignColumns(g, l.inputs, l.units) / l.units;
    d.identicalGradients = groupsOf(b.columnHashes(g, l.inputs, l.units), sameUnits(b, g, null, l.inputs, l.units));
    rms.push(Math.sqrt(gradSq / (l.inputs * l.units)));
  });
  if (rms[rms.length - 1]! > 0) result.gradientRatio = rms[0]! / rms[rms.length - 1]!;
}

const percent = (v: number): string => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`;

function warningsOf(d: Diagnostics, t: WarningThresholds): DiagnosticWarning[] {
  const out: DiagnosticWarning[] = [];
  const warn = (kind: WarningKind, layer: number, value: number, threshold: number, message: string): void => {
    out.push({ kind, layer, value, threshold, message });
  };
  const last = d.layers.length;
  if (d.input.maxAbsMean > t.inputScale || d.input.maxStd > t.inputScale) {
    const value = Math.max(d.input.maxAbsMean, d.input.maxStd);
    warn(
      "unnormalizedInputs",
      0,
      value,
      t.inputScale,
      `inputs are not normalized: a column has |mean| or std ${value.toPrecision(3)} (threshold ${t.inputScale}); use normalize: "standardize"`,
    );
  }
  // Hidden layers only: a confident output layer is saturated by design.
  for (const l of d.layers.slice(0, -1)) {
    const name = `layer ${l.layer} (${l.activation})`;
    if (l.dead !== undefined && l.dead > t.deadUnits) {
      warn(
        "deadUnits",
        l.layer,
        l.dead,
        t.deadUnits,
        `${name}: ${percent(l.dead)} of units are dead (threshold ${percent(t.deadUnits)}); try leakyRelu, a smaller learning rate or a small positive bias`,
      );
    }
    if (l.saturated !== undefined && l.saturated > t.saturation) {
      warn(
        "saturation",
        l.layer,
        l.saturated,
        t.saturation,
        `${name}: ${percent(l.saturated)} of values are saturated (threshold ${percent(t.saturation)}); use Xavier/Glorot initialization and normalized inputs`,
      );
    }
    if (l.identicalUnits.length > 0) {
      const n = l.identicalUnits.reduce((s, g) => s + g.length, 0);
      warn(
        "identicalUnits",
        l.layer,
        n,
        2,
        `${name}: ${n} of ${l.units} units have identical weights (${l.identicalUnits.length} groups); a random initializer breaks the symmetry`,
      );
    }
  }
  if (d.nonFinite) warn("nonFinite", 0, NaN, 0, d.nonFinite);
  if (d.gradientRatio !== undefined && last > 1) {
    if (d.gradientRatio < t.gradientRatio) {
      warn(
        "vanishingGradient",
        1,
        d.gradientRatio,
        t.gradientRatio,
        `gradients vanish: the first layer's RMS gradient is ${d.gradientRatio.toExponential(1)} of the last layer's (threshold ${t.gradientRatio})`,
      );
    } else if (d.gradientRatio > 1 / t.gradientRatio) {
      warn(
        "explodingGradient",
        1,
        d.gradientRatio,
        1 / t.gradientRatio,
        `gradients explode: the first layer's RMS gradient is ${d.gradientRatio.toExponential(1)} times the last layer's`,
      );
    }
  }
  return out;
}
