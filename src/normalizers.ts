// Input normalization fitted on the training data and stored with the model, so predict sees
// inputs on the same scale as fit did. Unnormalized inputs and large weights blow up
// pre-activations (the article's point 8); both kinds are per-column affine maps x' = (x - shift) * scale.
import type { Backend, Tensor } from "./backend/backend.js";
import { sliceRows, type Matrix } from "./data.js";
import { ArgumentError } from "./errors.js";

/** standardize: (x - mean) / std per column; minMax: (x - min) / (max - min) per column. */
export type NormalizerKind = "standardize" | "minMax";

/** A fitted normalizer as JSON: y = (x - shift) * scale per column. */
export interface NormalizerConfig {
  kind: NormalizerKind;
  shift: number[];
  scale: number[];
}

/** A per-column input normalizer fitted on training rows and applied to every later input. */
export class Normalizer {
  private constructor(
    readonly kind: NormalizerKind,
    readonly shift: Float32Array,
    readonly scale: Float32Array,
  ) {}

  /** Standardize: mean 0, std 1 per column (population std, as scikit-learn's StandardScaler).
   *  MinMax: [0, 1] per column. A constant column is only shifted. */
  static fit(kind: NormalizerKind, x: Matrix): Normalizer {
    if (kind !== "standardize" && kind !== "minMax")
      throw new ArgumentError("normalize", '"standardize" or "minMax"', kind);
    if (
      x == null ||
      !(x.data instanceof Float32Array) ||
      !Number.isInteger(x.rows) ||
      !Number.isInteger(x.cols) ||
      x.rows < 1 ||
      x.cols < 1 ||
      x.data.length !== x.rows * x.cols
    ) {
      throw new ArgumentError("x", "a matrix { data: Float32Array, rows, cols } of at least one row (see toMatrix)", x);
    }
    const { data, rows, cols } = x;
    const shift = new Float64Array(cols),
      spread = new Float64Array(cols);
    if (kind === "standardize") {
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) shift[j] = shift[j]! + data[i * cols + j]!;
      for (let j = 0; j < cols; j++) shift[j] = shift[j]! / rows;
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) spread[j] = spread[j]! + (data[i * cols + j]! - shift[j]!) ** 2;
      for (let j = 0; j < cols; j++) spread[j] = Math.sqrt(spread[j]! / rows);
    } else if (kind === "minMax") {
      const hi = new Float64Array(cols).fill(-Infinity);
      shift.fill(Infinity);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const v = data[i * cols + j]!;
          if (v < shift[j]!) shift[j] = v;
          if (v > hi[j]!) hi[j] = v;
        }
      }
      for (let j = 0; j < cols; j++) spread[j] = hi[j]! - shift[j]!;
    } else {
      throw new ArgumentError("normalize", '"standardize", "minMax" or "none"', kind);
    }
    // The scale is stored in float32: a spread too small for its reciprocal to fit is constant.
    const scale = spread.map((s) => (s > 0 && Number.isFinite(Math.fround(1 / s)) ? 1 / s : 1));
    return new Normalizer(kind, Float32Array.from(shift), Float32Array.from(scale));
  }

  /** The normalizer a {@link Normalizer.toConfig} describes, for `cols` columns; a bad config throws ArgumentError. */
  static fromConfig(config: NormalizerConfig, cols: number): Normalizer {
    if (config == null || (config.kind !== "standardize" && config.kind !== "minMax")) {
      throw new ArgumentError("normalizer.kind", '"standardize" or "minMax"', config?.kind);
    }
    const vector = (name: string, v: unknown): Float32Array => {
      if (!Array.isArray(v) || v.length !== cols || !v.every((x) => typeof x === "number" && Number.isFinite(x))) {
        throw new ArgumentError(`normalizer.${name}`, `${cols} finite numbers`, v);
      }
      return Float32Array.from(v);
    };
    return new Normalizer(config.kind, vector("shift", config.shift), vector("scale", config.scale));
  }

  /** A plain JSON-ready description (kind, shift, scale), as a saved model stores it. */
  toConfig(): NormalizerConfig {
    return { kind: this.kind, shift: Array.from(this.shift), scale: Array.from(this.scale) };
  }

  /** Rows [start, start + count) of x, normalized, into out (from its start). */
  applyRows(x: Matrix, start: number, count: number, out: Float32Array): void {
    const { data, cols } = x;
    const shift = this.shift,
      scale = this.scale;
    for (let i = 0, o = start * cols; i < count * cols; i += cols, o += cols) {
      for (let j = 0; j < cols; j++) out[i + j] = (data[o + j]! - shift[j]!) * scale[j]!;
    }
  }
}

/** Writes rows [start, start + count) of x into `dst` from its start, normalized on the way
 *  in chunks of `scratch` (so no full normalized copy of x is ever made). */
export function writeRows(
  backend: Backend,
  dst: Tensor,
  x: Matrix,
  start: number,
  count: number,
  normalizer: Normalizer | null,
  scratch?: Float32Array,
): void {
  if (!normalizer) {
    backend.write(dst, start === 0 && count === x.rows ? x.data : sliceRows(x, start, count).data);
    return;
  }
  scratch ??= new Float32Array(normalizeChunk(x.cols));
  const chunkRows = Math.max(1, Math.min(count, Math.floor(scratch.length / x.cols)));
  for (let done = 0; done < count; done += chunkRows) {
    const n = Math.min(chunkRows, count - done);
    normalizer.applyRows(x, start + done, n, scratch);
    backend.write(dst, n * x.cols === scratch.length ? scratch : scratch.subarray(0, n * x.cols), done * x.cols);
  }
}

/** Floats of normalized rows written at a time: 64 Ki floats, or one row if wider. */
export function normalizeChunk(cols: number): number {
  return Math.max(1, Math.floor(65536 / cols)) * cols;
}
