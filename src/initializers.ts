// Weight initializers: each a named formula with its fan mode and distribution, filling a
// dense kernel of shape [fanIn, fanOut] (row-major) from a seeded stream.
// Definitions follow Keras (keras.initializers) and PyTorch (torch.nn.init); where the two
// differ, the choice and the reason are written beside the initializer.
import type { Backend, RandomStream, Tensor } from "./backend/backend.js";
import { normalCdf } from "./normal.js";
import { checkCount, checkFinite } from "./backend/checks.js";
import { ArgumentError, checkOptions, rejectUnknownKeys } from "./errors.js";

/** The fan a variance-scaling initializer divides by: fanIn, fanOut or their average. */
export type FanMode = "fanIn" | "fanOut" | "fanAvg";
/** `truncatedNormal` is cut at 2 std and rescaled so the std after truncation is the target. */
export type Distribution = "uniform" | "normal" | "truncatedNormal";

/** Std of a standard normal truncated to [-2, 2]; dividing by it restores unit variance
 *  (the constant Keras' VarianceScaling uses: .87962566103423978). */
export const TRUNCATED_STD_AT_2 = 0.87962566103423978;

/** The first two moments and the support an initializer draws from, for checks and diagnostics. */
export interface Moments {
  mean: number;
  std: number;
  min: number;
  max: number;
}

/**
 * A named way to fill a parameter tensor. A dense kernel has fans (inputs, units); a 1-D
 * parameter such as a bias has fanIn = fanOut = its length, as Keras computes fans.
 */
export interface Initializer {
  readonly name: string;
  /** JSON-ready parameters; `fromConfig` rebuilds the initializer. */
  readonly config: Readonly<Record<string, unknown>> & { name: string };
  /** Expected mean, std and bounds of the entries for fans (fanIn, fanOut). */
  moments(fanIn: number, fanOut: number): Moments;
  /** Fills every entry of `out`, scaled for fans (fanIn, fanOut). */
  fill(backend: Backend, out: Tensor, fanIn: number, fanOut: number, rng: RandomStream): void;
}

/** The largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** The largest |z| the core's Box-Muller draws can give: sqrt(-2 ln 2^-24), its smallest
 *  uniform being 2^-24. A normal draw mean + z std stays within mean +- this many std. */
export const MAX_STANDARD_NORMAL = Math.sqrt(-2 * Math.log(2 ** -24));

const isFloat32 = (v: number): boolean => Math.abs(v) <= FLOAT32_MAX;
const finite = (name: string, v: unknown): number => {
  checkFinite(name, v as number);
  if (!isFloat32(v as number))
    throw new ArgumentError(name, `a number within float32's range (|x| <= ${FLOAT32_MAX})`, v);
  return v as number;
};
const positive = (name: string, v: unknown): number => {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new ArgumentError(name, "a finite number >= 0", v);
  return finite(name, v);
};

/**
 * Refuses, before anything is drawn, an initializer that cannot fill `length` entries for
 * fans (fanIn, fanOut) with finite float32 values: its entries (or, for an unbounded normal,
 * mean +- MAX_STANDARD_NORMAL std) would pass float32's largest value, or it needs a matrix
 * where a 1-D parameter was given. `argument` names the option in the error.
 */
export function checkInitializer(
  init: Initializer,
  fanIn: number,
  fanOut: number,
  length: number,
  argument: string,
): void {
  if (init == null || typeof init.moments !== "function") throw new ArgumentError(argument, "an initializer", init);
  checkFans(fanIn, fanOut);
  checkCount("length", length);
  if (init.name === "orthogonal" && length !== fanIn * fanOut) {
    throw new ArgumentError(
      argument,
      "an initializer for a 1-D parameter (orthogonal fills matrices only, not biases)",
      "orthogonal",
    );
  }
  const m = init.moments(fanIn, fanOut);
  const spread = MAX_STANDARD_NORMAL * m.std;
  const lo = Number.isFinite(m.min) ? m.min : m.mean - spread;
  const hi = Number.isFinite(m.max) ? m.max : m.mean + spread;
  // A uniform draw computes lo + u (hi - lo) in float32, a normal one mean + z std: the
  // width must be finite there too.
  if (!(isFloat32(lo) && isFloat32(hi) && isFloat32(hi - lo))) {
    throw new ArgumentError(
      argument,
      `an initializer whose values fit in float32 (|x| <= ${FLOAT32_MAX}) for fans (${fanIn}, ${fanOut})`,
      `${init.name} drawing from [${lo}, ${hi}]`,
    );
  }
}

// Every initializer's fill first refuses settings that would draw non-finite values, on
// every backend and whoever calls it.
function checked(init: Initializer): Initializer {
  const self: Initializer = {
    ...init,
    fill(backend, out, fanIn, fanOut, rng) {
      checkInitializer(self, fanIn, fanOut, out.length, `${self.name} initializer`);
      init.fill(backend, out, fanIn, fanOut, rng);
    },
  };
  return self;
}
const checkFans = (fanIn: number, fanOut: number): void => {
  checkCount("fanIn", fanIn);
  checkCount("fanOut", fanOut);
};

// A factory's options: an object of the keys that initializer takes (a misspelt key is refused).
const optionsOf = <T extends object>(name: string, o: T | undefined): Partial<T> =>
  checkOptions(name, o, OPTION_KEYS[name] ?? []);

/** Every entry = value. The article's "equal" initialization: it never breaks symmetry. */
export function constant(value = 0): Initializer {
  finite("value", value);
  return checked({
    name: "constant",
    config: { name: "constant", value },
    moments: () => ({ mean: value, std: 0, min: value, max: value }),
    fill(backend, out) {
      backend.fill(out, value);
    },
  });
}
/** Every entry 0: the usual bias; as a kernel it never breaks symmetry. */
export const zeros = (): Initializer => ({ ...constant(0), name: "zeros", config: { name: "zeros" } });
/** Every entry 1. */
export const ones = (): Initializer => ({ ...constant(1), name: "ones", config: { name: "ones" } });
/** A small positive constant (0.01 by default) for ReLU biases, so units start in the active
 *  region (CS231n's suggestion, which the article repeats; its benefit is not universal). */
export function smallPositive(value = 0.01): Initializer {
  if (typeof value !== "number" || !(value > 0 && value <= 1))
    throw new ArgumentError("value", "a number in (0, 1]", value);
  return { ...constant(value), name: "smallPositive", config: { name: "smallPositive", value } };
}

/** Uniform on [min, max). Defaults as Keras RandomUniform: [-0.05, 0.05). */
export function uniform(given?: { min?: number; max?: number }): Initializer {
  const options = optionsOf("uniform", given);
  const min = finite("min", options.min ?? -0.05);
  const max = finite("max", options.max ?? 0.05);
  if (max < min) throw new ArgumentError("max", `a number >= min (${min})`, max);
  return checked({
    name: "uniform",
    config: { name: "uniform", min, max },
    moments: () => ({ mean: (min + max) / 2, std: (max - min) / Math.sqrt(12), min, max }),
    fill(backend, out, _i, _o, rng) {
      backend.fillUniform(rng, out, min, max);
    },
  });
}

/** Normal(mean, std). Defaults as Keras RandomNormal: mean 0, std 0.05. */
export function normal(given?: { mean?: number; std?: number }): Initializer {
  const options = optionsOf("normal", given);
  const mean = finite("mean", options.mean ?? 0);
  const std = positive("std", options.std ?? 0.05);
  return checked({
    name: "normal",
    config: { name: "normal", mean, std },
    moments: () => ({ mean, std, min: -Infinity, max: Infinity }),
    fill(backend, out, _i, _o, rng) {
      backend.fillNormal(rng, out, mean, std);
    },
  });
}

/**
 * Truncated normal, two conventions:
 * - `{ mean, std }`: cut at mean +- 2 std and rescaled so the entries' std is `std`
 *   (Keras VarianceScaling's convention, which the article's formulas assume).
 * - `{ mean, std, a, b }`: PyTorch's trunc_normal_(mean, std, a, b): Normal(mean, std)
 *   conditioned on a <= x <= b, absolute bounds, no rescaling.
 */
export function truncatedNormal(given?: { mean?: number; std?: number; a?: number; b?: number }): Initializer {
  const options = optionsOf("truncatedNormal", given);
  const mean = finite("mean", options.mean ?? 0);
  const std = positive("std", options.std ?? 0.05);
  if ((options.a === undefined) !== (options.b === undefined)) {
    throw new ArgumentError(
      options.a === undefined ? "a" : "b",
      "both bounds a and b, or neither",
      options.a ?? options.b,
    );
  }
  if (options.a === undefined) {
    const raw = std / TRUNCATED_STD_AT_2;
    return checked({
      name: "truncatedNormal",
      config: { name: "truncatedNormal", mean, std },
      moments: () => ({ mean, std, min: mean - 2 * raw, max: mean + 2 * raw }),
      fill(backend, out, _i, _o, rng) {
        backend.fillTruncatedNormal(rng, out, mean, raw, -2, 2);
      },
    });
  }
  const a = finite("a", options.a);
  const b = finite("b", options.b);
  if (b < a) throw new ArgumentError("b", `a number >= a (${a})`, b);
  if (std === 0 && !(a <= mean && mean <= b))
    throw new ArgumentError("mean", `a value in [a, b] = [${a}, ${b}] when std is 0`, mean);
  return checked({
    name: "truncatedNormal",
    config: { name: "truncatedNormal", mean, std, a, b },
    moments: () => truncatedMoments(mean, std, a, b),
    fill(backend, out, _i, _o, rng) {
      if (std === 0) backend.fill(out, mean);
      else backend.fillTruncatedNormal(rng, out, mean, std, (a - mean) / std, (b - mean) / std);
    },
  });
}

/**
 * Keras' VarianceScaling: entries with variance scale / n, n the fan of `mode`.
 * uniform: limit sqrt(3 scale / n); normal: std sqrt(scale / n); truncatedNormal: the same
 * std after truncation at 2 std. Every named fan-based initializer below is one of these.
 */
export function varianceScaling(given?: { scale?: number; mode?: FanMode; distribution?: Distribution }): Initializer {
  const options = optionsOf("varianceScaling", given);
  const scale = options.scale ?? 1;
  const mode = options.mode ?? "fanIn";
  const distribution = options.distribution ?? "truncatedNormal";
  return checked({
    ...scaled("varianceScaling", scale, mode, distribution),
    config: { name: "varianceScaling", scale, mode, distribution },
  });
}

// The variance-scaling family; the named initializers below are fixed members of it, and
// their config is their name alone.
function scaled(name: string, scale: number, mode: FanMode, distribution: Distribution): Initializer {
  if (typeof scale !== "number" || !Number.isFinite(scale) || scale <= 0)
    throw new ArgumentError("scale", "a finite number > 0", scale);
  if (mode !== "fanIn" && mode !== "fanOut" && mode !== "fanAvg")
    throw new ArgumentError("mode", '"fanIn", "fanOut" or "fanAvg"', mode);
  if (distribution !== "uniform" && distribution !== "normal" && distribution !== "truncatedNormal") {
    throw new ArgumentError("distribution", '"uniform", "normal" or "truncatedNormal"', distribution);
  }
  const std = (fanIn: number, fanOut: number): number => {
    checkFans(fanIn, fanOut);
    const n = mode === "fanIn" ? fanIn : mode === "fanOut" ? fanOut : (fanIn + fanOut) / 2;
    return Math.sqrt(scale / n);
  };
  return checked({
    name,
    config: { name },
    moments(fanIn, fanOut) {
      const s = std(fanIn, fanOut);
      if (distribution === "uniform") return { mean: 0, std: s, min: -Math.sqrt(3) * s, max: Math.sqrt(3) * s };
      if (distribution === "normal") return { mean: 0, std: s, min: -Infinity, max: Infinity };
      return { mean: 0, std: s, min: (-2 * s) / TRUNCATED_STD_AT_2, max: (2 * s) / TRUNCATED_STD_AT_2 };
    },
    fill(backend, out, fanIn, fanOut, rng) {
      const s = std(fanIn, fanOut);
      if (distribution === "uniform") backend.fillUniform(rng, out, -Math.sqrt(3) * s, Math.sqrt(3) * s);
      else if (distribution === "normal") backend.fillNormal(rng, out, 0, s);
      else backend.fillTruncatedNormal(rng, out, 0, s / TRUNCATED_STD_AT_2, -2, 2);
    },
  });
}

/** Glorot uniform (Glorot & Bengio 2010, "Xavier"): variance 2 / (fanIn + fanOut), for tanh and logistic. */
export const glorotUniform = (): Initializer => scaled("glorotUniform", 1, "fanAvg", "uniform");
/** Glorot normal: variance 2 / (fanIn + fanOut), truncated at 2 std and rescaled (as Keras). */
export const glorotNormal = (): Initializer => scaled("glorotNormal", 1, "fanAvg", "truncatedNormal");
/** LeCun uniform (LeCun et al. 1998, "Efficient BackProp"): variance 1 / fanIn. */
export const lecunUniform = (): Initializer => scaled("lecunUniform", 1, "fanIn", "uniform");
/** LeCun normal: variance 1 / fanIn, truncated (as Keras); SELU's companion. */
export const lecunNormal = (): Initializer => scaled("lecunNormal", 1, "fanIn", "truncatedNormal");

/** He et al. 2015 ("Delving deep into rectifiers"): variance 2 / ((1 + slope^2) fanIn), for
 *  ReLU (slope 0) and leaky ReLU with its actual slope; PyTorch's kaiming_* with a = slope. */
function he(distribution: Distribution, name: "heUniform" | "heNormal", slope: number): Initializer {
  finite("slope", slope);
  const base = scaled(name, 2 / (1 + slope * slope), "fanIn", distribution);
  return { ...base, config: slope === 0 ? { name } : { name, slope } };
}
/** He uniform: U(-l, l) with l = sqrt(6 / ((1 + slope^2) fanIn)) (He et al. 2015), for ReLU and leaky ReLU. */
export const heUniform = (options?: { slope?: number }): Initializer =>
  he("uniform", "heUniform", optionsOf("heUniform", options).slope ?? 0);
/** He normal: variance 2 / ((1 + slope^2) fanIn), truncated as Keras and TF.js heNormal (PyTorch's
 *  kaiming_normal_ is varianceScaling({ scale: 2, distribution: "normal" })). */
export const heNormal = (options?: { slope?: number }): Initializer =>
  he("truncatedNormal", "heNormal", optionsOf("heNormal", options).slope ?? 0);

/**
 * A (semi-)orthogonal matrix times `gain` (Saxe et al. 2014): orthonormal rows when
 * fanIn < fanOut, orthonormal columns otherwise, from Gram-Schmidt on a Gaussian matrix
 * (the QR with positive diagonal that Keras and PyTorch use).
 */
export function orthogonal(given?: { gain?: number }): Initializer {
  const options = optionsOf("orthogonal", given);
  const g = finite("gain", options.gain ?? 1);
  return checked({
    name: "orthogonal",
    config: { name: "orthogonal", gain: g },
    moments: (fanIn, fanOut) => {
      checkFans(fanIn, fanOut);
      // Each unit row/column has squared norm 1 spread over max(fanIn, fanOut) entries.
      const s = Math.abs(g) / Math.sqrt(Math.max(fanIn, fanOut));
      return { mean: 0, std: s, min: -Math.abs(g), max: Math.abs(g) };
    },
    fill(backend, out, fanIn, fanOut, rng) {
      checkFans(fanIn, fanOut);
      const rows = Math.min(fanIn, fanOut);
      const cols = Math.max(fanIn, fanOut);
      // Rows orthonormal in place when fanIn <= fanOut (square included); otherwise columns, via a transpose.
      const work = fanIn <= fanOut ? out : backend.alloc(rows * cols);
      try {
        // Rank deficiency has probability 0 for Gaussian rows; retry rather than return a bad matrix.
        let ok = false;
        for (let attempt = 0; attempt < 4 && !ok; attempt++) {
          backend.fillNormal(rng, work, 0, 1);
          ok = backend.orthonormalizeRows(work, rows, cols);
        }
        if (!ok) throw new ArgumentError("shape", "a shape whose Gaussian rows are independent", [fanIn, fanOut]);
        if (work !== out) backend.transpose(work, out, rows, cols);
      } finally {
        if (work !== out) backend.free(work);
      }
      if (g !== 1) backend.scale(out, g);
    },
  });
}

/** Mean and std of Normal(mean, std) truncated to [a, b]. */
function truncatedMoments(mean: number, std: number, a: number, b: number): Moments {
  if (std === 0) return { mean, std: 0, min: a, max: b };
  const al = (a - mean) / std,
    be = (b - mean) / std;
  const pdf = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  const z = normalCdf(be) - normalCdf(al);
  const m = (pdf(al) - pdf(be)) / z;
  const v = 1 + (al * pdf(al) - be * pdf(be)) / z - m * m;
  return { mean: mean + std * m, std: std * Math.sqrt(Math.max(v, 0)), min: a, max: b };
}

/** The name of every built-in initializer, as `kernelInitializer` and `biasInitializer` take it. */
export type InitializerName =
  | "zeros"
  | "ones"
  | "constant"
  | "smallPositive"
  | "uniform"
  | "normal"
  | "truncatedNormal"
  | "varianceScaling"
  | "glorotUniform"
  | "glorotNormal"
  | "lecunUniform"
  | "lecunNormal"
  | "heUniform"
  | "heNormal"
  | "orthogonal";

type Factory = (options?: Record<string, unknown>) => Initializer;
const FACTORIES: Record<InitializerName, Factory> = {
  zeros: () => zeros(),
  ones: () => ones(),
  constant: (o) => constant(o?.value as number),
  smallPositive: (o) => smallPositive(o?.value as number | undefined),
  uniform: (o) => uniform(o),
  normal: (o) => normal(o),
  truncatedNormal: (o) => truncatedNormal(o),
  varianceScaling: (o) => varianceScaling(o),
  glorotUniform: () => glorotUniform(),
  glorotNormal: () => glorotNormal(),
  lecunUniform: () => lecunUniform(),
  lecunNormal: () => lecunNormal(),
  heUniform: (o) => heUniform(o),
  heNormal: (o) => heNormal(o),
  orthogonal: (o) => orthogonal(o),
};

/** Every built-in initializer's name. */
export const INITIALIZER_NAMES = Object.keys(FACTORIES) as InitializerName[];

/** The options each initializer takes (a config with any other key is refused). */
const OPTION_KEYS: Record<string, readonly string[]> = {
  constant: ["value"],
  smallPositive: ["value"],
  uniform: ["min", "max"],
  normal: ["mean", "std"],
  truncatedNormal: ["mean", "std", "a", "b"],
  varianceScaling: ["scale", "mode", "distribution"],
  heUniform: ["slope"],
  heNormal: ["slope"],
  orthogonal: ["gain"],
};

/** Rebuilds an initializer from its `config` (or from a bare name). */
export function fromConfig(config: string | { name: string; [k: string]: unknown }): Initializer {
  const name = typeof config === "string" ? config : config?.name;
  if (typeof name !== "string" || !Object.hasOwn(FACTORIES, name)) {
    throw new ArgumentError("initializer", `one of ${INITIALIZER_NAMES.join(", ")}`, name);
  }
  const { name: _n, ...options } = typeof config === "string" ? { name } : config;
  rejectUnknownKeys(options, OPTION_KEYS[name] ?? [], "initializer");
  return FACTORIES[name as InitializerName](options);
}
