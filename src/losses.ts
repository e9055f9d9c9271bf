// Loss functions as the model sees them: which kernel computes the loss, whether its gradient
// comes out with respect to the last layer's pre-activation (fused with the output activation,
// as Keras does for sigmoid + binary cross-entropy and softmax + categorical cross-entropy),
// and how predictions are scored for accuracy.
import type { ActivationName } from "./activations.js";
import type { Backend, Tensor } from "./backend/backend.js";
import { toTargets, type Matrix, type TargetInput } from "./data.js";
import { ArgumentError, rejectUnknownKeys } from "./errors.js";

/** The losses a model may train with (formulas and their Keras sources: docs/training.md). */
export type LossName =
  | "meanSquaredError"
  | "binaryCrossEntropy"
  | "softmaxCrossEntropy"
  | "meanAbsoluteError"
  | "huber"
  | "logCosh"
  | "categoricalHinge";
/** Every loss name. */
export const LOSS_NAMES: readonly LossName[] = [
  "meanSquaredError",
  "binaryCrossEntropy",
  "softmaxCrossEntropy",
  "meanAbsoluteError",
  "huber",
  "logCosh",
  "categoricalHinge",
];
/** Losses of a prediction against a target value, elementwise: the output is the prediction as it is. */
const REGRESSION_LOSSES: readonly LossName[] = ["meanSquaredError", "meanAbsoluteError", "huber", "logCosh"];

/** A loss with its options (what a model saves). */
export interface LossConfig {
  name: LossName;
  /** The output layer's values are logits (identity activation): the loss applies the
   *  sigmoid or softmax itself. */
  fromLogits: boolean;
  /** Probability clipping for binary cross-entropy from probabilities (Keras: 1e-7). */
  epsilon: number;
  /** Huber only (and only there): where the loss turns from quadratic to linear. Default 1 (Keras). */
  delta?: number;
}

/** The last layer's buffers for a batch: pre-activations z, activations a (a === z for
 *  identity), targets t, gradient out d, and scratch probabilities for softmax from logits. */
export interface OutputBuffers {
  z: Tensor;
  a: Tensor;
  t: Tensor;
  d: Tensor;
  probs: Tensor | null;
}

export function lossFromConfig(config: LossName | Partial<LossConfig>): LossConfig {
  const c = typeof config === "string" ? { name: config } : config;
  if (c == null || typeof c !== "object" || !LOSS_NAMES.includes(c.name as LossName)) {
    throw new ArgumentError("loss", `one of ${LOSS_NAMES.join(", ")}`, typeof config === "object" ? c?.name : config);
  }
  const name = c.name as LossName;
  rejectUnknownKeys(
    c,
    name === "huber" ? ["name", "fromLogits", "epsilon", "delta"] : ["name", "fromLogits", "epsilon"],
    "loss",
  );
  const fromLogits = c.fromLogits ?? false;
  if (typeof fromLogits !== "boolean") throw new ArgumentError("loss.fromLogits", "true or false", fromLogits);
  const epsilon = c.epsilon ?? 1e-7;
  if (typeof epsilon !== "number" || !(epsilon > 0 && epsilon < 0.5))
    throw new ArgumentError("loss.epsilon", "a number in (0, 0.5)", epsilon);
  if (fromLogits && name !== "binaryCrossEntropy" && name !== "softmaxCrossEntropy") {
    throw new ArgumentError("loss.fromLogits", `false for ${name} (only the cross-entropies take logits)`, true);
  }
  if (name !== "huber") return { name, fromLogits, epsilon };
  const delta = c.delta ?? 1;
  // Beyond float32's range every error would be "inside" and Huber would be MSE / 2.
  if (typeof delta !== "number" || !(delta > 0 && delta <= 3.4e38))
    throw new ArgumentError("loss.delta", "a finite number > 0", delta);
  return { name, fromLogits, epsilon, delta };
}

/** The output activation a loss implies when the last layer names none. */
export function defaultOutputActivation(loss: LossConfig): ActivationName {
  // Hinge losses score raw margins (Keras' examples use a linear output).
  if (loss.fromLogits || REGRESSION_LOSSES.includes(loss.name) || loss.name === "categoricalHinge") return "identity";
  return loss.name === "softmaxCrossEntropy" ? "softmax" : "sigmoid";
}

/** A loss bound to the model's output activation and width. */
export class Loss {
  /** True when compute() writes dL/dz of the last layer; false: dL/da, to go through the activation. */
  readonly fused: boolean;
  /** For one output column: the value of a above which the prediction is class 1. */
  readonly threshold: number;
  /** Targets may be class indices (one per row) that are one-hot encoded. */
  readonly classIndices: boolean;
  // Binary cross-entropy from the logits z: given as logits, or behind a sigmoid output,
  // which stays exact where the sigmoid saturates.
  private readonly sigmoidLogits: boolean;

  constructor(
    readonly config: LossConfig,
    readonly activation: ActivationName,
    readonly outputs: number,
  ) {
    const { name, fromLogits } = config;
    if (fromLogits && activation !== "identity") {
      throw new ArgumentError("loss.fromLogits", `an identity output activation (logits), not ${activation}`, true);
    }
    if (name === "softmaxCrossEntropy" && activation !== "softmax" && activation !== "logSoftmax" && !fromLogits) {
      throw new ArgumentError(
        "activation",
        "softmax or logSoftmax on the output layer for softmaxCrossEntropy (or identity with fromLogits)",
        activation,
      );
    }
    // Log-probabilities are no probabilities: binary cross-entropy would clip them to nonsense.
    if (name === "binaryCrossEntropy" && activation === "logSoftmax")
      throw new ArgumentError("activation", "an output other than logSoftmax for binaryCrossEntropy", activation);
    if ((activation === "softmax" || activation === "logSoftmax") && outputs < 2)
      throw new ArgumentError("units", `at least 2 units for a ${activation} output`, outputs);
    if (name === "categoricalHinge" && outputs < 2)
      throw new ArgumentError("units", "at least 2 units (one per class) for categoricalHinge", outputs);
    // Behind a log-softmax output, softmax cross-entropy is PyTorch's NLLLoss of log_softmax:
    // computed from the logits z like fromLogits, with the same fused gradient p - t.
    this.fused =
      activation === "identity" ||
      (name === "binaryCrossEntropy" && activation === "sigmoid") ||
      (name === "softmaxCrossEntropy" && (activation === "softmax" || activation === "logSoftmax"));
    this.threshold = fromLogits ? 0 : 0.5;
    this.classIndices = name === "softmaxCrossEntropy" || name === "categoricalHinge";
    this.sigmoidLogits = name === "binaryCrossEntropy" && (fromLogits || activation === "sigmoid");
  }

  /**
   * Targets for `rows` samples, checked against the loss's domain: binary cross-entropy
   * takes probabilities in [0, 1]; softmax cross-entropy takes class indices or rows of
   * non-negative weights (a row summing to s scales that sample's loss and gradient by s,
   * as in Keras; one-hot and soft labels sum to 1); categorical hinge takes class indices or
   * rows of values in [0, 1] (one-hot). Outside the domain the loss is unbounded below and
   * accuracy meaningless, so such targets are refused. The regression losses take any value.
   */
  targets(name: string, input: TargetInput, rows: number): Matrix {
    const t = toTargets(name, input, rows, this.outputs, this.classIndices);
    const name_ = this.config.name;
    if (REGRESSION_LOSSES.includes(name_)) return t;
    const [lo, hi, what] =
      name_ === "binaryCrossEntropy"
        ? [0, 1, "a probability in [0, 1]"]
        : name_ === "categoricalHinge"
          ? [0, 1, "a one-hot value in [0, 1]"]
          : [0, Infinity, "a non-negative class weight"];
    const d = t.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (!(v >= lo && v <= hi)) {
        const r = Math.floor(i / t.cols);
        throw new ArgumentError(`${name}[${r}][${i - r * t.cols}]`, `${what} for ${name_}`, v);
      }
    }
    return t;
  }

  /** Whether the model needs a scratch probability buffer (softmax computed inside the loss). */
  get needsProbs(): boolean {
    return this.config.name === "softmaxCrossEntropy" && (this.config.fromLogits || this.activation === "logSoftmax");
  }

  /** Mean loss over the batch; with `withGrad` the gradient (of the mean) is written to o.d.
   *  With `weights` (one per row) each row's loss counts w times and the sum is still divided
   *  by the batch's size, as Keras' "sum_over_batch_size" reduction does. */
  compute(backend: Backend, o: OutputBuffers, rows: number, withGrad: boolean, weights: Tensor | null = null): number {
    const cols = this.outputs,
      grad = withGrad ? o.d : null;
    const perElement = 1 / (rows * cols);
    switch (this.config.name) {
      case "meanSquaredError":
        return backend.meanSquaredError(o.a, o.t, grad, perElement, weights) * perElement;
      case "meanAbsoluteError":
        return backend.meanAbsoluteError(o.a, o.t, grad, perElement, weights) * perElement;
      case "huber":
        return backend.huber(o.a, o.t, grad, perElement, this.config.delta!, weights) * perElement;
      case "logCosh":
        return backend.logCosh(o.a, o.t, grad, perElement, weights) * perElement;
      case "categoricalHinge":
        return backend.categoricalHinge(o.a, o.t, grad, rows, cols, 1 / rows, weights) / rows;
      case "binaryCrossEntropy":
        return (
          (this.sigmoidLogits
            ? backend.sigmoidCrossEntropy(o.z, o.t, grad, perElement, weights)
            : backend.binaryCrossEntropy(o.a, o.t, grad, perElement, this.config.epsilon, weights)) * perElement
        );
      case "softmaxCrossEntropy": {
        const probs = o.probs ?? o.a;
        if (o.probs) backend.softmax(o.z, o.probs, rows, cols);
        return backend.softmaxCrossEntropy(o.z, o.t, probs, grad, rows, cols, 1 / rows, weights) / rows;
      }
    }
  }
}
