// fit's classWeight and sampleWeight (Keras' class_weight and sample_weight): one weight per
// training row, which multiplies that row's loss and gradient. The batch loss stays
// sum_i w_i L_i / n over the batch's n rows (Keras' "sum_over_batch_size" reduction).
import type { Matrix } from "./data.js";
import { ArgumentError } from "./errors.js";

/** A weight per class: { 0: 1, 1: 5 } or [1, 5]. A class without one weighs 1. */
export type ClassWeight = Readonly<Record<number, number>> | readonly number[];

/** One finite weight >= 0 (a negative weight would make the model climb its loss). */
function weightAt(path: string, v: unknown): number {
  if (typeof v !== "number" || !(v >= 0 && v <= 3.4e38)) throw new ArgumentError(path, "a finite number >= 0", v);
  return v;
}

/** TensorFlow's round (half to even), which Keras applies to a one-column target to find its class. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : r;
}

/** Sample weights (the option at `path`) checked: `rows` finite numbers >= 0. */
export function sampleWeights(path: string, sampleWeight: unknown, rows: number): Float32Array {
  const given = sampleWeight as ArrayLike<unknown>;
  if (sampleWeight === null || typeof sampleWeight !== "object" || typeof given.length !== "number") {
    throw new ArgumentError(path, `an array of ${rows} numbers (one per row of x)`, sampleWeight);
  }
  if (given.length !== rows) throw new ArgumentError(path, `${rows} weights (one per row of x)`, `${given.length}`);
  const w = new Float32Array(rows);
  for (let i = 0; i < rows; i++) w[i] = weightAt(`${path}[${i}]`, given[i]);
  return w;
}

/**
 * The row weights of a fit's training targets `y` (as the loss sees them: class indices one-hot
 * already), or null when neither option is given. classWeight finds each row's class as Keras
 * does: the argmax of a row of two or more columns (the first maximum), else the one target
 * rounded. Both options at once are refused, as Keras 3 refuses them.
 */
export function rowWeights(classWeight: unknown, sampleWeight: unknown, y: Matrix): Float32Array | null {
  if (classWeight !== undefined && sampleWeight !== undefined) {
    throw new ArgumentError(
      "classWeight",
      "not both classWeight and sampleWeight (Keras refuses them together: fold the class weights into sampleWeight)",
      "both",
    );
  }
  if (sampleWeight !== undefined) return sampleWeights("sampleWeight", sampleWeight, y.rows);
  if (classWeight === undefined) return null;
  if (classWeight === null || typeof classWeight !== "object")
    throw new ArgumentError("classWeight", "{ class: weight, ... } or an array of weights", classWeight);
  const classes = y.cols === 1 ? Infinity : y.cols;
  const table = new Map<number, number>();
  for (const key of Object.keys(classWeight)) {
    const c = Number(key);
    if (!Number.isInteger(c) || c < 0 || c >= classes || String(c) !== key) {
      throw new ArgumentError(
        `classWeight.${key}`,
        y.cols === 1 ? "a class index >= 0" : `a class index in [0, ${classes})`,
        key,
      );
    }
    table.set(c, weightAt(`classWeight[${key}]`, (classWeight as Record<string, unknown>)[key]));
  }
  const w = new Float32Array(y.rows),
    t = y.data,
    cols = y.cols;
  for (let r = 0; r < y.rows; r++) {
    let c = 0;
    if (cols === 1) c = roundHalfEven(t[r]!);
    else for (let j = 1; j < cols; j++) if (t[r * cols + j]! > t[r * cols + c]!) c = j;
    w[r] = table.get(c) ?? 1;
  }
  return w;
}
