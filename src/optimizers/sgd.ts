// SGD, optionally with momentum and Nesterov momentum (Sutskever et al. 2013, as torch.optim.SGD).
import { ArgumentError } from "../errors.js";
import { SGD_MOMENTUM, SGD_NESTEROV } from "../kernelCodes/updateParams.js";
import { inRange, optimizerFactory, type OptimizerDescriptor } from "./descriptor.js";

/** SGD's own options. */
export interface SgdOptions {
  /** Momentum in [0, 1) (0: plain SGD, no state). */
  momentum: number;
  nesterov: boolean;
}

/** SGD: learning rate 0.01 (Keras); one velocity vector when momentum > 0. */
export const SGD: OptimizerDescriptor<"sgd", SgdOptions> = {
  name: "sgd",
  kernel: "sgd",
  defaults: { learningRate: 0.01, weightDecay: 0 },
  keys: ["momentum", "nesterov"],
  own(o) {
    const nesterov = o.nesterov ?? false;
    if (typeof nesterov !== "boolean") throw new ArgumentError("nesterov", "true or false", nesterov);
    const momentum = inRange("momentum", o.momentum ?? 0, 0, 1);
    if (nesterov && momentum === 0) throw new ArgumentError("momentum", "a number in (0, 1) with nesterov", momentum);
    return { momentum, nesterov };
  },
  state: (c) => (c.momentum > 0 ? [{ name: "velocity" }] : []),
  writeParams(c, _t, _lr, block) {
    block[SGD_MOMENTUM] = c.momentum;
    block[SGD_NESTEROV] = c.nesterov ? 1 : 0;
  },
};

/** SGD, optionally with momentum and Nesterov momentum. Learning rate 0.01 (Keras). */
export const sgd = optimizerFactory(SGD);
