// The activation functions simdnet knows: one spec row each, which every other place reads
// (the kernel code, the initialization gain, the default kernel initializer, the diagnostics'
// histogram range and saturation bound, the parameter and its check). Adding an activation is
// a row here, a code in src/kernelCodes/activationCodes.ts, its kernels and its JS twin; the
// `satisfies` clauses here and in the consumers make a forgotten place a compile error.
import * as codes from "./kernelCodes/activationCodes.js";
import { ArgumentError } from "./errors.js";

/** The parameter an activation takes (leaky ReLU's slope, ELU's alpha). */
export interface ActivationParameter {
  /** What it is, for messages. */
  readonly name: string;
  /** Its value when a layer gives none. */
  readonly default: number;
}

/** Everything simdnet needs to know about one activation. */
export interface ActivationSpec {
  /** Its code in the wasm core (src/kernelCodes/activationCodes.ts), or null for the row-wise
   *  activations (softmax, logSoftmax), which have kernels of their own and sit on the output
   *  layer only. */
  readonly code: number | null;
  /** The gain that keeps activation variance steady through a layer, given the parameter. */
  readonly gain: (parameter: number) => number;
  /** The config of the kernel initializer a layer gets when it names none, given the parameter
   *  (a config, not an initializer: the backend's types name activations, so this file
   *  imports nothing that imports the backend). */
  readonly kernelInitializer: (parameter: number) => DefaultInitializer;
  /** Where its values live: the range of its histogram in the diagnostics. */
  readonly range: readonly [number, number];
  /** The |z| beyond which its derivative is below `fraction` of its peak, for activations that
   *  saturate (logistic, tanh); null for the others. */
  readonly saturationBound: ((fraction: number) => number) | null;
  /** Its parameter, or null if it takes none. */
  readonly parameter: ActivationParameter | null;
}

/** The initializers the rows name as defaults (He et al. 2015 for the ReLU family, LeCun for
 *  SELU, Glorot & Bengio 2010 for the rest), as configs that initializers.fromConfig reads. */
export interface DefaultInitializer {
  readonly name: "heNormal" | "glorotUniform" | "lecunNormal";
  readonly slope?: number;
}

/** Leaky ReLU's slope for z < 0 when none is given: 0.01, as in the article and Keras. */
export const DEFAULT_LEAKY_SLOPE = 0.01;
/** ELU's alpha when none is given (Clevert et al. 2015). */
export const DEFAULT_ELU_ALPHA = 1.0;

// Gains follow PyTorch's torch.nn.init.calculate_gain. For ELU, softplus, SiLU, GELU and Mish
// PyTorch defines none; they get the ReLU gain and He initialization, the closest documented
// case (each is ReLU-like for large |z|).
const one = (): number => 1;
const reluGain = (): number => Math.SQRT2;
const he = (): DefaultInitializer => ({ name: "heNormal" });
const glorot = (): DefaultInitializer => ({ name: "glorotUniform" });
const SYMMETRIC: readonly [number, number] = [-6, 6];
// |z| where s(1-s) or 1 - tanh^2 falls to `fraction` of its peak: with r = sqrt(1 - fraction),
// 4 s (1 - s) = fraction at z = log((1 + r) / (1 - r)), 1 - tanh^2 = fraction at atanh(r).
const root = (fraction: number): number => Math.sqrt(1 - fraction);

type RowInput = Omit<ActivationSpec, "code" | "parameter" | "saturationBound"> &
  Partial<Pick<ActivationSpec, "parameter" | "saturationBound">>;
// A row with the optional fields filled in; the code keeps its literal type, from which
// ElementwiseActivation is derived.
const plain = <C extends number | null>(spec: RowInput & { code: C }): ActivationSpec & { readonly code: C } => ({
  saturationBound: null,
  parameter: null,
  ...spec,
});

/** One row per activation. Elementwise ones first, in kernel-code order. */
export const ACTIVATION_SPECS = {
  identity: plain({ code: codes.IDENTITY, gain: one, kernelInitializer: glorot, range: SYMMETRIC }),
  sigmoid: plain({
    code: codes.SIGMOID,
    gain: one,
    kernelInitializer: glorot,
    range: [0, 1],
    saturationBound: (fraction) => {
      const r = root(fraction);
      return Math.log((1 + r) / (1 - r));
    },
  }),
  tanh: plain({
    code: codes.TANH,
    gain: () => 5 / 3,
    kernelInitializer: glorot,
    range: [-1, 1],
    saturationBound: (fraction) => Math.atanh(root(fraction)),
  }),
  relu: plain({ code: codes.RELU, gain: reluGain, kernelInitializer: he, range: [0, 6] }),
  // He et al. 2015: sqrt(2 / (1 + slope^2)).
  leakyRelu: plain({
    code: codes.LEAKY_RELU,
    gain: (slope) => Math.sqrt(2 / (1 + slope * slope)),
    kernelInitializer: (slope) => ({ name: "heNormal", slope }),
    range: SYMMETRIC,
    parameter: { name: "slope", default: DEFAULT_LEAKY_SLOPE },
  }),
  elu: plain({
    code: codes.ELU,
    gain: reluGain,
    kernelInitializer: he,
    range: SYMMETRIC,
    parameter: { name: "alpha", default: DEFAULT_ELU_ALPHA },
  }),
  // SELU's self-normalization needs LeCun normal (Klambauer et al. 2017); PyTorch's gain 3/4.
  selu: plain({
    code: codes.SELU,
    gain: () => 3 / 4,
    kernelInitializer: () => ({ name: "lecunNormal" }),
    range: SYMMETRIC,
  }),
  softplus: plain({ code: codes.SOFTPLUS, gain: reluGain, kernelInitializer: he, range: SYMMETRIC }),
  silu: plain({ code: codes.SILU, gain: reluGain, kernelInitializer: he, range: SYMMETRIC }),
  gelu: plain({ code: codes.GELU, gain: reluGain, kernelInitializer: he, range: SYMMETRIC }),
  // Mish (Misra 2019) is never below -0.31: the histogram spends its bins above -1.
  mish: plain({ code: codes.MISH, gain: reluGain, kernelInitializer: he, range: [-1, 6] }),
  softmax: plain({ code: null, gain: one, kernelInitializer: glorot, range: [0, 1] }),
  logSoftmax: plain({ code: null, gain: one, kernelInitializer: glorot, range: [-12, 0] }), // e^-12 is already 6e-6
} as const satisfies Record<string, ActivationSpec>;

/** An activation a layer may have: an elementwise one, or softmax or logSoftmax, which work
 *  on rows (output layer only). */
export type ActivationName = keyof typeof ACTIVATION_SPECS;
/** Elementwise activations: those with a kernel code. */
export type ElementwiseActivation = {
  [K in ActivationName]: (typeof ACTIVATION_SPECS)[K]["code"] extends number ? K : never;
}[ActivationName];

const NAMES = Object.keys(ACTIVATION_SPECS) as ActivationName[];

/** Every elementwise activation by name, with its kernel code in the wasm core. */
export const ACTIVATIONS = Object.freeze(
  Object.fromEntries(
    NAMES.flatMap((name) => {
      const code = ACTIVATION_SPECS[name].code;
      return code === null ? [] : [[name, code]];
    }),
  ),
) as { readonly [K in ElementwiseActivation]: (typeof ACTIVATION_SPECS)[K]["code"] };

/** The row-wise activations, each with its own kernels. */
export const ROW_ACTIVATIONS: readonly ActivationName[] = NAMES.filter((name) => ACTIVATION_SPECS[name].code === null);

const expectedNames = (): string => `one of ${Object.keys(ACTIVATIONS).join(", ")}, ${ROW_ACTIVATIONS.join(", ")}`;

/** The spec row of `name`; an ArgumentError naming `argument` if there is none. */
export function activationSpec(name: ActivationName, argument = "activation"): ActivationSpec {
  // hasOwn, not a lookup: "toString" or "__proto__" must not pass as a name.
  if (typeof name !== "string" || !Object.hasOwn(ACTIVATION_SPECS, name))
    throw new ArgumentError(argument, expectedNames(), name);
  return ACTIVATION_SPECS[name];
}

/** The kernel code of an elementwise activation; an ArgumentError for any other name. */
export function activationCode(name: ElementwiseActivation): number {
  if (!Object.hasOwn(ACTIVATIONS, name)) {
    throw new ArgumentError("activation", `one of ${Object.keys(ACTIVATIONS).join(", ")}`, name);
  }
  return ACTIVATIONS[name];
}

/** The value of an activation's parameter: the one given, else its default; 0 for an
 *  activation that takes none. A given value must be a finite number >= 0 (`argument` names it
 *  in the error). */
export function activationParameter(name: ActivationName, given?: number, argument = "alpha"): number {
  if (given !== undefined && (typeof given !== "number" || !Number.isFinite(given) || given < 0)) {
    throw new ArgumentError(argument, "a finite number >= 0", given);
  }
  const parameter = activationSpec(name).parameter;
  return parameter === null ? 0 : (given ?? parameter.default);
}

/**
 * The gain that keeps activation variance steady through a layer, as PyTorch's
 * torch.nn.init.calculate_gain: 1 for identity/sigmoid, 5/3 for tanh, sqrt(2) for ReLU,
 * sqrt(2 / (1 + slope^2)) for leaky ReLU (He et al. 2015), 3/4 for SELU.
 * For ELU, softplus, SiLU, GELU and Mish PyTorch defines none; they get the ReLU gain, the
 * closest of the documented cases.
 */
export function gain(activation: ActivationName, slope?: number): number {
  const spec = activationSpec(activation);
  if (spec.parameter === null) return spec.gain(0);
  const p = slope ?? spec.parameter.default;
  if (!Number.isFinite(p)) throw new ArgumentError("slope", "a finite number", p);
  return spec.gain(p);
}
