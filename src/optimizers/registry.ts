// Every optimizer, from its descriptor: the names, the config type, lookup by name. Adding an
// optimizer is adding its descriptor to OPTIMIZERS (and its kernel to the backends).
import { ArgumentError } from "../errors.js";
import { deepFreeze } from "../immutable.js";
import { ADAM, ADAMW } from "./adam.js";
import { optimizerFactory, type CommonOptions, type OptimizerDescriptor, type StateVector } from "./descriptor.js";
import { LION } from "./lion.js";
import { RMSPROP } from "./rmsprop.js";
import { SGD } from "./sgd.js";

/** Every optimizer's descriptor, in the order OPTIMIZER_NAMES lists them. */
export const OPTIMIZERS = [SGD, ADAM, ADAMW, RMSPROP, LION] as const;

type Descriptors = (typeof OPTIMIZERS)[number];
/** The optimizers a model may train with. */
export type OptimizerName = Descriptors["name"];
/** An optimizer with every option explicit (what a model saves); sgd(), adam(), adamw(),
 *  rmsprop() and lion() make one. */
export type OptimizerConfig = Descriptors extends infer D
  ? D extends OptimizerDescriptor<infer Name, infer Own>
    ? { name: Name } & CommonOptions & Own
    : never
  : never;

/** Every optimizer name. */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = OPTIMIZERS.map((d) => d.name);

/** The descriptor of a (validated) config. */
export function descriptorOf(config: { name: OptimizerName }): OptimizerDescriptor {
  return OPTIMIZERS.find((d) => d.name === config.name)! as OptimizerDescriptor;
}

/** A name with defaults, or a configuration (re)validated. */
export function optimizerFromConfig(config: OptimizerName | { name: OptimizerName }): OptimizerConfig {
  const name = typeof config === "string" ? config : config?.name;
  const d = OPTIMIZERS.find((o) => o.name === name);
  if (typeof name !== "string" || d === undefined) {
    throw new ArgumentError("optimizer", `one of ${OPTIMIZER_NAMES.join(", ")} or a configuration from them`, config);
  }
  const { name: _n, ...options } = typeof config === "string" ? { name } : config;
  return deepFreeze(optimizerFactory(d as OptimizerDescriptor)(options) as OptimizerConfig);
}

/** The state vectors (each as long as the parameters) a model with this config keeps. */
export const stateVectorsOf = (c: OptimizerConfig): readonly StateVector[] => descriptorOf(c).state(c);

/** How many state vectors the optimizer keeps. */
export const stateVectors = (c: OptimizerConfig): number => stateVectorsOf(c).length;
