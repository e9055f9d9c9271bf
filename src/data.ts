// What users hand to fit, predict and evaluate, turned into row-major float32 matrices, with
// every problem reported by argument name before anything reaches the model.
import { ArgumentError } from "./errors.js";
import { MAX_ONE_HOT_VALUES, MAX_UNITS } from "./limits.js";

/** A row-major float32 matrix. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

type NumericArray = ArrayLike<number> &
  (
    | number[]
    | Float32Array
    | Float64Array
    | Int8Array
    | Uint8Array
    | Uint8ClampedArray
    | Int16Array
    | Uint16Array
    | Int32Array
    | Uint32Array
  );

/**
 * Accepted inputs: `number[][]` (one array per row); `{ data, shape: [rows, cols] }` with data
 * any numeric typed array or number[]; or a flat typed array / number[] whose width is known
 * (the model's input size).
 */
export type MatrixInput =
  ArrayLike<ArrayLike<number>> | { data: ArrayLike<number>; shape: readonly [number, number] } | ArrayLike<number>;

/** Targets: like MatrixInput, or one class index per row for a softmax output. */
export type TargetInput = MatrixInput;

const isNumericArray = (v: unknown): v is NumericArray =>
  Array.isArray(v) ||
  (ArrayBuffer.isView(v) &&
    !(v instanceof DataView) &&
    !(v instanceof BigInt64Array) &&
    !(v instanceof BigUint64Array));

/** Copies values into float32, refusing any that are not finite there (NaN, infinities,
 *  magnitudes beyond float32's range). `Float32Array` input is used as it is after the check. */
export function toFloat32(name: string, values: ArrayLike<number>, cols: number): Float32Array {
  const out = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    if (v - v !== 0) {
      // NaN or +-infinity
      const row = Math.floor(i / cols),
        col = i % cols;
      throw new ArgumentError(`${name}[${row}][${col}]`, "a finite float32 number", (values as ArrayLike<unknown>)[i]);
    }
  }
  return out;
}

/** A matrix from any accepted input; `cols`, when known, is the width it must have. */
export function toMatrix(name: string, input: MatrixInput, cols?: number): Matrix {
  if (input == null || typeof input !== "object")
    throw new ArgumentError(name, "a matrix (number[][], { data, shape } or a typed array)", input);
  if ("shape" in input && "data" in input) {
    const { data, shape } = input;
    if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((s) => Number.isInteger(s) && s >= 1)) {
      throw new ArgumentError(`${name}.shape`, "[rows, cols] with positive integers", shape);
    }
    const [r, c] = shape as [number, number];
    if (!isNumericArray(data)) throw new ArgumentError(`${name}.data`, "a typed array or number[]", data);
    if (data.length !== r * c)
      throw new ArgumentError(`${name}.data`, `${r * c} values (shape ${r} x ${c})`, `${data.length} values`);
    if (Array.isArray(data)) checkNumbers(`${name}.data`, data);
    checkWidth(name, c, cols);
    return { data: toFloat32(name, data, c), rows: r, cols: c };
  }
  const first = (input as ArrayLike<unknown>)[0];
  if (Array.isArray(input) && input.length > 0 && (Array.isArray(first) || ArrayBuffer.isView(first))) {
    const rowsIn = input as ArrayLike<ArrayLike<number>>;
    const c = rowsIn[0]!.length;
    if (c < 1) throw new ArgumentError(`${name}[0]`, "a row of at least one value", "an empty row");
    checkWidth(name, c, cols);
    const out = new Float32Array(rowsIn.length * c);
    for (let r = 0; r < rowsIn.length; r++) {
      const row = rowsIn[r];
      if (!isNumericArray(row)) throw new ArgumentError(`${name}[${r}]`, "an array of numbers", row);
      if (row.length !== c)
        throw new ArgumentError(
          `${name}[${r}]`,
          `${c} values like row 0 (rows must not be ragged)`,
          `${row.length} values`,
        );
      for (let j = 0; j < c; j++) {
        const v = row[j];
        if (typeof v !== "number") throw new ArgumentError(`${name}[${r}][${j}]`, "a number", v);
        out[r * c + j] = v;
      }
    }
    return { data: toFloat32(name, out, c), rows: rowsIn.length, cols: c };
  }
  if (isNumericArray(input)) {
    if (cols === undefined)
      throw new ArgumentError(name, "a matrix with a known width: number[][] or { data, shape }", input);
    if (input.length === 0 || input.length % cols !== 0) {
      throw new ArgumentError(
        name,
        `a flat array of rows of ${cols} values (a positive multiple of ${cols})`,
        `${input.length} values`,
      );
    }
    if (Array.isArray(input)) checkNumbers(name, input);
    return { data: toFloat32(name, input, cols), rows: input.length / cols, cols };
  }
  throw new ArgumentError(name, "a matrix (number[][], { data, shape } or a typed array)", input);
}

/** Every element of a plain array is a number: null, "3" or true would convert silently. */
function checkNumbers(name: string, values: readonly unknown[]): void {
  for (let i = 0; i < values.length; i++)
    if (typeof values[i] !== "number") throw new ArgumentError(`${name}[${i}]`, "a number", values[i]);
}

function checkWidth(name: string, given: number, cols: number | undefined): void {
  if (cols !== undefined && given !== cols)
    throw new ArgumentError(name, `rows of ${cols} values (the model's width)`, `rows of ${given}`);
}

/** Targets for `rows` samples and `cols` outputs. A flat array of `rows` values for a
 *  multi-output model is read as class indices when `classIndices` is allowed. */
export function toTargets(name: string, input: TargetInput, rows: number, cols: number, classIndices: boolean): Matrix {
  if (cols > 1 && classIndices && isNumericArray(input) && !Array.isArray(input[0]) && !ArrayBuffer.isView(input[0])) {
    if (input.length === rows) return oneHot(input, cols, name);
    if (input.length !== rows * cols)
      throw new ArgumentError(
        name,
        `${rows} class indices or ${rows} rows of ${cols} values`,
        `${input.length} values`,
      );
  }
  const m = toMatrix(name, input, cols);
  if (m.rows !== rows) throw new ArgumentError(name, `${rows} rows, one per input row`, `${m.rows} rows`);
  return m;
}

/** One row per label with a 1 in the label's column: labels must be integers in [0, classes). */
export function oneHot(labels: ArrayLike<number>, classes?: number, name = "labels"): Matrix {
  if (!isNumericArray(labels) || labels.length === 0)
    throw new ArgumentError(name, "a non-empty array of class indices", labels);
  let k = classes;
  if (k === undefined) {
    k = 0;
    for (let i = 0; i < labels.length; i++) k = Math.max(k, Number(labels[i]) + 1);
  }
  if (!Number.isInteger(k) || k < 1 || k > MAX_UNITS)
    throw new ArgumentError("classes", "an integer in [1, 2^20]", classes);
  if (labels.length * k > MAX_ONE_HOT_VALUES) {
    throw new ArgumentError(
      "labels",
      `at most 2^28 values in all (labels x classes, 1 GiB of float32)`,
      `${labels.length} labels x ${k} classes`,
    );
  }
  const data = new Float32Array(labels.length * k);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= k)
      throw new ArgumentError(`${name}[${i}]`, `a class index, an integer in [0, ${k})`, c);
    data[i * k + c] = 1;
  }
  return { data, rows: labels.length, cols: k };
}

/** Rows [start, start + count) as a matrix sharing storage. */
export function sliceRows(m: Matrix, start: number, count: number): Matrix {
  return { data: m.data.subarray(start * m.cols, (start + count) * m.cols), rows: count, cols: m.cols };
}
