// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms") as Keras 3's
// keras.optimizers.Lion and optax's lion: the update is the sign of an interpolation of the
// momentum and the gradient, so every weight moves by exactly lr (plus the decay).
import { LION_BETA1, LION_BETA2 } from "../kernelCodes/updateParams.js";
import { inRange, optimizerFactory, type OptimizerDescriptor } from "./descriptor.js";

/** Lion's own options. */
export interface LionOptions {
  /** Weight of the momentum in the interpolation whose sign is the update. */
  beta1: number;
  /** The momentum's decay. */
  beta2: number;
}

/** Lion: defaults as Keras 3 (learning rate 0.001, beta1 0.9, beta2 0.99, no weight decay);
 *  weightDecay is decoupled, as AdamW's. One momentum vector. */
export const LION: OptimizerDescriptor<"lion", LionOptions> = {
  name: "lion",
  kernel: "lion",
  defaults: { learningRate: 0.001, weightDecay: 0 },
  keys: ["beta1", "beta2"],
  own: (o) => ({
    beta1: inRange("beta1", o.beta1 ?? 0.9, 0, 1),
    beta2: inRange("beta2", o.beta2 ?? 0.99, 0, 1),
  }),
  state: () => [{ name: "momentum" }],
  writeParams(c, _t, _lr, block) {
    block[LION_BETA1] = c.beta1;
    block[LION_BETA2] = c.beta2;
  },
};

/** Lion (Chen et al. 2023): w -= lr (sign(beta1 m + (1 - beta1) g) + weightDecay w);
 *  m = beta2 m + (1 - beta2) g. Typically wants a learning rate 3-10x smaller than AdamW's. */
export const lion = optimizerFactory(LION);
