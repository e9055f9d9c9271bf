// Optimizers: JSON-ready configurations (what users write and what a saved model stores) and
// the runner that holds a model's optimizer state and applies one update per step. The
// update formulas live in the kernels (assembly/optimizers.ts); defaults follow PyTorch
// except where noted.
import type { AdamStep, Backend, RmspropStep, SgdStep, Tensor } from "./backend/backend.js";
import { ArgumentError } from "./errors.js";
import { powInt, rateAt, validateSchedule, type ScheduleConfig } from "./schedules.js";

interface Common {
  learningRate: number;
  /** L2 penalty on the kernels (biases are not decayed, as Keras' kernel_regularizer). */
  weightDecay: number;
  /** Clip gradients so their global L2 norm is at most this (0: no clipping), as
   *  torch.nn.utils.clip_grad_norm_. */
  clipNorm: number;
  schedule: ScheduleConfig;
}
export type OptimizerConfig =
  | ({ name: "sgd"; momentum: number; nesterov: boolean } & Common)
  | ({ name: "adam" | "adamw"; beta1: number; beta2: number; epsilon: number } & Common)
  | ({ name: "rmsprop"; rho: number; epsilon: number } & Common);
export type OptimizerName = OptimizerConfig["name"];
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ["sgd", "adam", "adamw", "rmsprop"];

type Options<T> = Partial<Omit<T, "name" | "schedule">> & { schedule?: ScheduleConfig };

const inRange = (name: string, v: unknown, lo: number, hi: number, loOpen = false): number => {
  if (typeof v !== "number" || !(loOpen ? v > lo : v >= lo) || !(v < hi)) {
    throw new ArgumentError(name, `a number in ${loOpen ? "(" : "["}${lo}, ${hi})`, v);
  }
  return v;
};
const common = (o: Record<string, unknown>, lr: number, decay: number): Common => ({
  learningRate: inRange("learningRate", o.learningRate ?? lr, 0, 1e3, true),
  weightDecay: inRange("weightDecay", o.weightDecay ?? decay, 0, 1e3),
  clipNorm: inRange("clipNorm", o.clipNorm ?? 0, 0, Infinity),
  schedule: validateSchedule(o.schedule),
});

type Sgd = Extract<OptimizerConfig, { name: "sgd" }>;
type Adam = Extract<OptimizerConfig, { name: "adam" | "adamw" }>;
type Rmsprop = Extract<OptimizerConfig, { name: "rmsprop" }>;

/** SGD, optionally with momentum and Nesterov momentum. Learning rate 0.01 (Keras). */
export function sgd(options: Options<Sgd> = {}): OptimizerConfig {
  const nesterov = options.nesterov ?? false;
  if (typeof nesterov !== "boolean") throw new ArgumentError("nesterov", "true or false", nesterov);
  const momentum = inRange("momentum", options.momentum ?? 0, 0, 1);
  if (nesterov && momentum === 0) throw new ArgumentError("momentum", "a number in (0, 1) with nesterov", momentum);
  return { name: "sgd", ...common(options, 0.01, 0), momentum, nesterov };
}

function adamLike(name: "adam" | "adamw", options: Options<Adam>, decay: number): OptimizerConfig {
  return {
    name, ...common(options, 0.001, decay),
    beta1: inRange("beta1", options.beta1 ?? 0.9, 0, 1),
    beta2: inRange("beta2", options.beta2 ?? 0.999, 0, 1),
    epsilon: inRange("epsilon", options.epsilon ?? 1e-8, 0, 1, true),
  };
}
/** Adam; weightDecay adds an L2 term to the gradient. */
export const adam = (options: Options<Adam> = {}): OptimizerConfig => adamLike("adam", options, 0);
/** AdamW: weightDecay (default 0.01, PyTorch) shrinks the kernels directly, decoupled from the gradient. */
export const adamw = (options: Options<Adam> = {}): OptimizerConfig => adamLike("adamw", options, 0.01);

/** RMSprop with PyTorch's formula; learning rate 0.001 and rho 0.9 as Keras. */
export function rmsprop(options: Options<Rmsprop> = {}): OptimizerConfig {
  return {
    name: "rmsprop", ...common(options, 0.001, 0),
    rho: inRange("rho", options.rho ?? 0.9, 0, 1),
    epsilon: inRange("epsilon", options.epsilon ?? 1e-8, 0, 1, true),
  };
}

const FACTORIES: Record<OptimizerName, (o: Record<string, unknown>) => OptimizerConfig> = { sgd, adam, adamw, rmsprop };

/** A name with defaults, or a configuration (re)validated. */
export function optimizerFromConfig(config: OptimizerName | { name: OptimizerName }): OptimizerConfig {
  const name = typeof config === "string" ? config : config?.name;
  if (typeof name !== "string" || !Object.hasOwn(FACTORIES, name)) {
    throw new ArgumentError("optimizer", `one of ${OPTIMIZER_NAMES.join(", ")} or a configuration from them`, config);
  }
  const { name: _n, ...options } = typeof config === "string" ? { name } : config;
  return FACTORIES[name](options);
}

/** How many state vectors (each as long as the parameters) the optimizer keeps. */
const stateVectors = (c: OptimizerConfig): number =>
  c.name === "sgd" ? (c.momentum > 0 ? 1 : 0) : c.name === "rmsprop" ? 1 : 2;

/** A model's optimizer: state tensors laid out like the parameters ([kernels | biases]), the
 *  step count, and preallocated kernel scalars so a step allocates nothing. */
export class OptimizerRunner {
  /** Optimizer steps taken (drives the bias correction and the schedule). */
  step = 0;
  readonly state: Tensor[];
  private readonly scalars: SgdStep & AdamStep & RmspropStep;
  // Per state vector: its kernel part and its bias part.
  private readonly parts: [Tensor, Tensor][];

  constructor(private readonly backend: Backend, readonly config: OptimizerConfig, kernelCount: number, paramCount: number) {
    this.state = [];
    this.parts = [];
    for (let i = 0; i < stateVectors(config); i++) {
      const t = backend.alloc(paramCount);
      backend.fill(t, 0);
      this.state.push(t);
      this.parts.push([backend.slice(t, 0, kernelCount), backend.slice(t, kernelCount, paramCount - kernelCount)]);
    }
    const c = config as Partial<Omit<Sgd, "name"> & Omit<Adam, "name"> & Omit<Rmsprop, "name">>;
    this.scalars = {
      lr: 0, decay: 0, gradScale: 1, momentum: c.momentum ?? 0, nesterov: c.nesterov ?? false,
      beta1: c.beta1 ?? 0, beta2: c.beta2 ?? 0, eps: c.epsilon ?? 0, decoupled: config.name === "adamw",
      stepSize: 0, invRootBc2: 1, rho: c.rho ?? 0,
    };
  }

  /** The learning rate the next step will use. */
  get learningRate(): number { return rateAt(this.config.schedule, this.config.learningRate, this.step); }

  /** The factor clipping applies to gradients whose global norm is `norm` (1: none). */
  clipFactor(norm: number): number {
    const max = this.config.clipNorm;
    return max > 0 && norm > max ? max / (norm + 1e-6) : 1;
  }

  /** One update of kernels and biases from their gradients, scaled by gradScale. */
  apply(kernels: Tensor, biases: Tensor, kernelGrads: Tensor, biasGrads: Tensor, gradScale: number): void {
    const s = this.scalars, c = this.config;
    s.lr = this.learningRate;
    s.gradScale = gradScale;
    this.step++;
    if (c.name === "adam" || c.name === "adamw") {
      s.stepSize = s.lr / (1 - powInt(c.beta1, this.step));
      s.invRootBc2 = 1 / Math.sqrt(1 - powInt(c.beta2, this.step));
    }
    this.update(kernels, kernelGrads, 0, c.weightDecay);
    if (biases.length > 0) this.update(biases, biasGrads, 1, 0);
  }

  private update(w: Tensor, g: Tensor, part: 0 | 1, decay: number): void {
    const s = this.scalars, b = this.backend, p = this.parts;
    s.decay = decay;
    switch (this.config.name) {
      case "sgd": return b.sgdStep(w, g, p.length > 0 ? p[0]![part] : g, s);
      case "adam":
      case "adamw": return b.adamStep(w, g, p[0]![part], p[1]![part], s);
      case "rmsprop": return b.rmspropStep(w, g, p[0]![part], s);
    }
  }

  dispose(): void {
    for (const t of this.state) this.backend.free(t);
  }
}
