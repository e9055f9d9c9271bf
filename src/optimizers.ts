// Optimizers: JSON-ready configurations (what users write and what a saved model stores) and
// the runner that holds a model's optimizer state and applies one update per step. Each
// optimizer is a descriptor in optimizers/<name>.ts; the update formulas live in the kernels
// (assembly/optimizers.ts, with JS twins in backend/js/optimizers.ts).
export { sgd } from "./optimizers/sgd.js";
export { adam, adamw } from "./optimizers/adam.js";
export { rmsprop } from "./optimizers/rmsprop.js";
export { lion } from "./optimizers/lion.js";
export type { CommonOptions, OptimizerDescriptor, OptimizerOptions, StateVector } from "./optimizers/descriptor.js";
export {
  OPTIMIZERS,
  OPTIMIZER_NAMES,
  descriptorOf,
  optimizerFromConfig,
  stateVectors,
  stateVectorsOf,
  type OptimizerConfig,
  type OptimizerName,
} from "./optimizers/registry.js";
export { OptimizerRunner } from "./optimizers/runner.js";
