// Weight regularizers (Keras' keras.regularizers.L1L2): a dense layer's kernel or bias adds
// l1 * sum|w| + l2 * sum w^2 to the loss the model minimizes and reports, and its gradient
// l1 * sign(w) + 2 * l2 * w to the weights' gradient. See docs/training.md for how this
// relates to the optimizers' weightDecay.
import { ArgumentError, rejectUnknownKeys } from "./errors.js";

/** An L1/L2 penalty, Keras' L1L2: either coefficient may be 0 (Keras' L1 and L2 are the two halves). */
export interface Regularizer {
  /** Coefficient of sum |w|. Default 0. */
  l1: number;
  /** Coefficient of sum w^2. Default 0. */
  l2: number;
}

/** A regularizer option checked and completed, or null when absent. Both coefficients must be
 *  finite and non-negative (a negative one would reward growing weights without bound). */
export function resolveRegularizer(path: string, option: unknown): Regularizer | null {
  if (option === undefined) return null;
  if (option === null || typeof option !== "object" || Array.isArray(option))
    throw new ArgumentError(path, "{ l1, l2 }", option);
  rejectUnknownKeys(option as Record<string, unknown>, ["l1", "l2"], path);
  const o = option as Partial<Regularizer>;
  const coefficient = (key: "l1" | "l2"): number => {
    const v = o[key] ?? 0;
    if (typeof v !== "number" || !(v >= 0 && v <= 3.4e38))
      throw new ArgumentError(`${path}.${key}`, "a finite number >= 0", v);
    return v;
  };
  return { l1: coefficient("l1"), l2: coefficient("l2") };
}
