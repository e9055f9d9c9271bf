// RMSprop (Hinton's lecture 6e) with PyTorch's formula, without momentum.
import { RMSPROP_EPS, RMSPROP_RHO } from "../kernelCodes/updateParams.js";
import { inRange, optimizerFactory, type OptimizerDescriptor } from "./descriptor.js";

/** RMSprop's own options. */
export interface RmspropOptions {
  rho: number;
  epsilon: number;
}

/** RMSprop: learning rate 0.001 and rho 0.9 as Keras; one mean-of-squares vector. */
export const RMSPROP: OptimizerDescriptor<"rmsprop", RmspropOptions> = {
  name: "rmsprop",
  kernel: "rmsprop",
  defaults: { learningRate: 0.001, weightDecay: 0 },
  keys: ["rho", "epsilon"],
  own: (o) => ({
    rho: inRange("rho", o.rho ?? 0.9, 0, 1),
    epsilon: inRange("epsilon", o.epsilon ?? 1e-8, 0, 1, true),
  }),
  state: () => [{ name: "second moment", nonNegative: true }],
  writeParams(c, _t, _lr, block) {
    block[RMSPROP_RHO] = c.rho;
    block[RMSPROP_EPS] = c.epsilon;
  },
};

/** RMSprop with PyTorch's formula; learning rate 0.001 and rho 0.9 as Keras. */
export const rmsprop = optimizerFactory(RMSPROP);
