// Metrics reported besides the loss. Accuracy is counted by a core kernel on the batch
// buffers (as it always was); the others are accumulated over a whole epoch or evaluation
// from the outputs and targets read back after each batch, in float64, so every engine and
// both cores report the same numbers for the same outputs. Each is computed over all the
// rows at once at the end (precision from the epoch's counts, AUC from all its scores),
// never as a mean of per-batch values. Formulas and sources: docs/training.md.
import { ArgumentError, rejectUnknownKeys } from "./errors.js";

/** The metrics a model may report. */
export type MetricName =
  "accuracy" | "meanAbsoluteError" | "meanSquaredError" | "precision" | "recall" | "f1" | "auc" | "topKAccuracy";
/** Every metric name. */
export const METRIC_NAMES: readonly MetricName[] = [
  "accuracy",
  "meanAbsoluteError",
  "meanSquaredError",
  "precision",
  "recall",
  "f1",
  "auc",
  "topKAccuracy",
];

/** A metric as createModel, fit and evaluate take it: a name, or topKAccuracy with its k. */
export type MetricConfig = MetricName | { name: "topKAccuracy"; k?: number };
/** A metric as the model keeps and saves it: topKAccuracy always with its k. */
export type Metric = Exclude<MetricName, "topKAccuracy"> | { name: "topKAccuracy"; k: number };

/** Keras' TopKCategoricalAccuracy default. */
const DEFAULT_K = 5;

export const metricName = (m: Metric): MetricName => (typeof m === "string" ? m : m.name);

/** The key of a metric in logs and history: its name, or val + Name for validation data. */
export function metricKey(name: MetricName, validation: boolean): string {
  return validation ? `val${name[0]!.toUpperCase()}${name.slice(1)}` : name;
}

/** A metric list checked against the model's output width: known names, no repeats, auc on a
 *  binary output (one column, or two whose second is class 1), topKAccuracy on two or more. */
export function resolveMetrics(path: string, list: unknown, outputs: number): Metric[] {
  const expected = `an array of ${METRIC_NAMES.join(", ")} or { name: "topKAccuracy", k }`;
  if (!Array.isArray(list)) throw new ArgumentError(path, expected, list);
  const seen = new Set<MetricName>();
  return list.map((m: unknown, i) => {
    const at = `${path}[${i}]`;
    let metric: Metric;
    if (typeof m === "string" && METRIC_NAMES.includes(m as MetricName)) {
      metric = m === "topKAccuracy" ? { name: "topKAccuracy", k: DEFAULT_K } : (m as Metric);
    } else if (m !== null && typeof m === "object" && (m as { name?: unknown }).name === "topKAccuracy") {
      rejectUnknownKeys(m, ["name", "k"], at);
      const { k = DEFAULT_K } = m as { k?: unknown };
      if (!Number.isInteger(k) || (k as number) < 1) throw new ArgumentError(`${at}.k`, "an integer >= 1", k);
      metric = { name: "topKAccuracy", k: k as number };
    } else {
      throw new ArgumentError(at, expected, m);
    }
    const name = metricName(metric);
    if (seen.has(name)) throw new ArgumentError(at, `each metric once (${name} is listed twice)`, name);
    seen.add(name);
    if (name === "auc" && outputs > 2)
      throw new ArgumentError(at, "auc on a binary output (1 or 2 units)", `${outputs} units`);
    if (name === "topKAccuracy" && outputs < 2)
      throw new ArgumentError(at, "topKAccuracy on an output of 2 or more classes", `${outputs} unit`);
    return metric;
  });
}

/**
 * The metrics other than accuracy over many batches: `add` each batch's outputs and targets
 * (row-major, `outputs` wide), `results` at the end. Classes are argmax (first maximum) for
 * two or more columns; for one column a prediction is class 1 above `threshold` (0.5 for
 * probabilities, 0 for logits) and a target above 0.5.
 */
export class MetricTracker {
  readonly names: MetricName[];
  private readonly k: number;
  private readonly classes: number;
  private absSum = 0;
  private sqSum = 0;
  private elements = 0;
  private rows = 0;
  private topK = 0;
  // Per class: true positives, false positives, false negatives.
  private readonly tp: Float64Array;
  private readonly fp: Float64Array;
  private readonly fn: Float64Array;
  // AUC's scores and labels, grown as rows come.
  private scores = new Float32Array(0);
  private labels = new Uint8Array(0);

  constructor(
    metrics: readonly Metric[],
    private readonly outputs: number,
    private readonly threshold: number,
  ) {
    this.names = metrics.map(metricName).filter((n) => n !== "accuracy");
    const topK = metrics.find((m) => typeof m !== "string");
    this.k = topK && typeof topK !== "string" ? topK.k : DEFAULT_K;
    this.classes = outputs === 1 ? 2 : outputs;
    this.tp = new Float64Array(this.classes);
    this.fp = new Float64Array(this.classes);
    this.fn = new Float64Array(this.classes);
  }

  /** Whether there is anything to track (accuracy has its own kernel). */
  get active(): boolean {
    return this.names.length > 0;
  }

  reset(): void {
    this.absSum = this.sqSum = this.elements = this.rows = this.topK = 0;
    this.tp.fill(0);
    this.fp.fill(0);
    this.fn.fill(0);
  }

  /** Adds `rows` rows of outputs y and targets t. */
  add(y: Float32Array, t: Float32Array, rows: number): void {
    const cols = this.outputs,
      n = rows * cols;
    for (let i = 0; i < n; i++) {
      const d = y[i]! - t[i]!;
      this.absSum += Math.abs(d);
      this.sqSum += d * d;
    }
    this.elements += n;
    const auc = this.names.includes("auc");
    if (auc) this.reserve(this.rows + rows);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const predicted = cols === 1 ? (y[o]! > this.threshold ? 1 : 0) : argmax(y, o, cols);
      const actual = cols === 1 ? (t[o]! > 0.5 ? 1 : 0) : argmax(t, o, cols);
      if (predicted === actual) this.tp[actual]!++;
      else {
        this.fp[predicted]!++;
        this.fn[actual]!++;
      }
      if (cols > 1) {
        // Keras' in_top_k: classes tied with the true one's score count as in the top k.
        let above = 0;
        for (let j = 0; j < cols; j++) if (y[o + j]! > y[o + actual]!) above++;
        if (above < this.k) this.topK++;
      }
      if (auc) {
        this.scores[this.rows + r] = y[o + cols - 1]!; // one column: its value; two: class 1's
        this.labels[this.rows + r] = actual;
      }
    }
    this.rows += rows;
  }

  /** Every metric's value over the rows added since the last reset, keyed as in the logs;
   *  `running` (a progress bar mid-epoch) leaves out auc, which sorts every score so far. */
  results(validation = false, running = false): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of this.names)
      if (!(running && name === "auc")) out[metricKey(name, validation)] = this.value(name);
    return out;
  }

  private value(name: MetricName): number {
    switch (name) {
      case "meanAbsoluteError":
        return this.absSum / this.elements;
      case "meanSquaredError":
        return this.sqSum / this.elements;
      case "precision":
        return this.averaged((c) => ratio(this.tp[c]!, this.tp[c]! + this.fp[c]!));
      case "recall":
        return this.averaged((c) => ratio(this.tp[c]!, this.tp[c]! + this.fn[c]!));
      case "f1":
        return this.averaged((c) => ratio(2 * this.tp[c]!, 2 * this.tp[c]! + this.fp[c]! + this.fn[c]!));
      case "auc":
        return rocAuc(this.scores.subarray(0, this.rows), this.labels.subarray(0, this.rows));
      case "topKAccuracy":
        return this.topK / this.rows;
      default:
        return NaN;
    }
  }

  // Binary (one output column): class 1's value. Otherwise the macro average over the classes
  // that occur among the targets or the predictions (scikit-learn's labels for average="macro").
  private averaged(perClass: (c: number) => number): number {
    if (this.outputs === 1) return perClass(1);
    let sum = 0,
      count = 0;
    for (let c = 0; c < this.classes; c++) {
      if (this.tp[c]! + this.fp[c]! + this.fn[c]! === 0) continue;
      sum += perClass(c);
      count++;
    }
    return count ? sum / count : 0;
  }

  private reserve(rows: number): void {
    if (rows <= this.scores.length) return;
    const size = Math.max(rows, 2 * this.scores.length);
    const scores = new Float32Array(size),
      labels = new Uint8Array(size);
    scores.set(this.scores);
    labels.set(this.labels);
    this.scores = scores;
    this.labels = labels;
  }
}

/** a / b, 0 when b is 0 (scikit-learn's zero_division=0, Keras' divide_no_nan). */
const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

function argmax(x: Float32Array, start: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (x[start + j]! > x[start + best]!) best = j;
  return best;
}

/**
 * The exact area under the ROC curve (scikit-learn's roc_auc_score): the probability that a
 * random positive scores above a random negative, ties counting one half, which is the
 * trapezoid through the curve's points at each distinct score. NaN when only one class occurs.
 */
export function rocAuc(scores: Float32Array, labels: Uint8Array): number {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a]! - scores[b]!);
  let area = 0,
    negativesBelow = 0,
    positives = 0;
  for (let i = 0; i < n;) {
    let pos = 0,
      neg = 0;
    const s = scores[order[i]!]!;
    for (; i < n && scores[order[i]!] === s; i++) labels[order[i]!] ? pos++ : neg++;
    area += pos * negativesBelow + 0.5 * pos * neg;
    negativesBelow += neg;
    positives += pos;
  }
  return positives === 0 || negativesBelow === 0 ? NaN : area / (positives * negativesBelow);
}

/** Host arrays the metrics read a batch's outputs and targets back into. */
export interface MetricBuffers {
  y: Float32Array;
  t: Float32Array;
}

/** MetricBuffers for batches of up to `rows` rows of `outputs` columns. */
export function metricBuffers(rows: number, outputs: number): MetricBuffers {
  return { y: new Float32Array(rows * outputs), t: new Float32Array(rows * outputs) };
}
