// The activation functions simdnet knows, their kernel codes (assembly/activations.ts uses
// the same numbers) and the initialization gain each one calls for.
import { ArgumentError } from "./errors.js";

/** Every elementwise activation by name, with its kernel code in the wasm core. */
export const ACTIVATIONS = {
  identity: 0,
  sigmoid: 1,
  tanh: 2,
  relu: 3,
  leakyRelu: 4,
  elu: 5,
  selu: 6,
  softplus: 7,
  silu: 8,
  gelu: 9,
} as const;

/** Elementwise activations; softmax and logSoftmax work on rows and have their own kernels. */
export type ElementwiseActivation = keyof typeof ACTIVATIONS;
/** An activation a layer may have: an elementwise one, or softmax or logSoftmax, which work
 *  on rows (output layer only). */
export type ActivationName = ElementwiseActivation | "softmax" | "logSoftmax";
/** The row-wise activations, each with its own kernels. */
export const ROW_ACTIVATIONS: readonly ActivationName[] = ["softmax", "logSoftmax"];

/** Leaky ReLU's slope for z < 0 when none is given: 0.01, as in the article and Keras. */
export const DEFAULT_LEAKY_SLOPE = 0.01;
/** ELU's alpha when none is given (Clevert et al. 2015). */
export const DEFAULT_ELU_ALPHA = 1.0;

export function activationCode(name: ElementwiseActivation): number {
  // hasOwn, not a lookup: "toString" or "__proto__" must not pass as a name.
  if (!Object.hasOwn(ACTIVATIONS, name)) {
    throw new ArgumentError("activation", `one of ${Object.keys(ACTIVATIONS).join(", ")}`, name);
  }
  return ACTIVATIONS[name];
}

/** The parameter an activation takes (leaky slope, ELU alpha), with its default. */
export function activationParameter(name: ActivationName, given?: number): number {
  if (name === "leakyRelu") return given ?? DEFAULT_LEAKY_SLOPE;
  if (name === "elu") return given ?? DEFAULT_ELU_ALPHA;
  return 0;
}

/**
 * The gain that keeps activation variance steady through a layer, as PyTorch's
 * torch.nn.init.calculate_gain: 1 for identity/sigmoid, 5/3 for tanh, sqrt(2) for ReLU,
 * sqrt(2 / (1 + slope^2)) for leaky ReLU (He et al. 2015), 3/4 for SELU.
 * For ELU, softplus, SiLU and GELU PyTorch defines none; we return the ReLU gain, the
 * closest of the documented cases, and say so here rather than guess silently.
 */
export function gain(activation: ActivationName, slope?: number): number {
  switch (activation) {
    case "identity":
    case "sigmoid":
    case "softmax":
    case "logSoftmax":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
    case "elu":
    case "softplus":
    case "silu":
    case "gelu":
      return Math.SQRT2;
    case "leakyRelu": {
      const a = slope ?? DEFAULT_LEAKY_SLOPE;
      if (!Number.isFinite(a)) throw new ArgumentError("slope", "a finite number", a);
      return Math.sqrt(2 / (1 + a * a));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new ArgumentError("activation", `one of ${Object.keys(ACTIVATIONS).join(", ")}, ${ROW_ACTIVATIONS.join(", ")}`, activation);
  }
}
