// Adam (Kingma & Ba 2015) as torch.optim.Adam, and AdamW (Loshchilov & Hutter 2019): one
// kernel, the decay either added to the gradient or shrinking the weights directly.
import {
  ADAM_BETA1,
  ADAM_BETA2,
  ADAM_DECOUPLED,
  ADAM_EPS,
  ADAM_INV_ROOT_BC2,
  ADAM_STEP_SIZE,
} from "../kernelCodes/updateParams.js";
import { powInt } from "../schedules.js";
import { inRange, optimizerFactory, type OptimizerDescriptor } from "./descriptor.js";

/** Adam's and AdamW's own options. */
export interface AdamOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
}

function adamLike<Name extends "adam" | "adamw">(
  name: Name,
  weightDecay: number,
): OptimizerDescriptor<Name, AdamOptions> {
  return {
    name,
    kernel: "adam",
    defaults: { learningRate: 0.001, weightDecay },
    keys: ["beta1", "beta2", "epsilon"],
    own: (o) => ({
      beta1: inRange("beta1", o.beta1 ?? 0.9, 0, 1),
      beta2: inRange("beta2", o.beta2 ?? 0.999, 0, 1),
      epsilon: inRange("epsilon", o.epsilon ?? 1e-8, 0, 1, true),
    }),
    state: () => [{ name: "first moment" }, { name: "second moment", nonNegative: true }],
    writeParams(c, t, lr, block) {
      block[ADAM_BETA1] = c.beta1;
      block[ADAM_BETA2] = c.beta2;
      block[ADAM_EPS] = c.epsilon;
      block[ADAM_DECOUPLED] = name === "adamw" ? 1 : 0;
      // The bias corrections of step t, in float64 before the block rounds them.
      block[ADAM_STEP_SIZE] = lr / (1 - powInt(c.beta1, t));
      block[ADAM_INV_ROOT_BC2] = 1 / Math.sqrt(1 - powInt(c.beta2, t));
    },
  };
}

/** Adam: weightDecay adds an L2 term to the gradient. Learning rate 0.001. */
export const ADAM = adamLike("adam", 0);
/** AdamW: weightDecay (default 0.01, PyTorch) shrinks the kernels directly. */
export const ADAMW = adamLike("adamw", 0.01);

/** Adam; weightDecay adds an L2 term to the gradient. */
export const adam = optimizerFactory(ADAM);
/** AdamW: weightDecay (default 0.01, PyTorch) shrinks the kernels directly, decoupled from the gradient. */
export const adamw = optimizerFactory(ADAMW);
