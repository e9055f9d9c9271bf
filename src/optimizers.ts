// Optimizers: JSON-ready configurations (what users write and what a saved model stores) and
// the runner that holds a model's optimizer state and applies one update per step. The
// update formulas live in the kernels (assembly/optimizers.ts); defaults follow PyTorch
// except where noted.
import type { AdamStep, Backend, RmspropStep, SgdStep, Tensor } from "./backend/backend.js";
import type { Network } from "./network.js";
import { ArgumentError, rejectUnknownKeys } from "./errors.js";
import { deepFreeze } from "./immutable.js";
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
/** An optimizer with every option explicit (what a model saves); sgd(), adam(), adamw() and rmsprop() make one. */
export type OptimizerConfig =
  | ({ name: "sgd"; momentum: number; nesterov: boolean } & Common)
  | ({ name: "adam" | "adamw"; beta1: number; beta2: number; epsilon: number } & Common)
  | ({ name: "rmsprop"; rho: number; epsilon: number } & Common);
/** The optimizers a model may train with. */
export type OptimizerName = OptimizerConfig["name"];
/** Every optimizer name. */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ["sgd", "adam", "adamw", "rmsprop"];

type Options<T> = Partial<Omit<T, "name" | "schedule">> & { schedule?: ScheduleConfig };

const inRange = (name: string, v: unknown, lo: number, hi: number, loOpen = false): number => {
  if (typeof v !== "number" || !(loOpen ? v > lo : v >= lo) || !(v < hi)) {
    throw new ArgumentError(name, `a number in ${loOpen ? "(" : "["}${lo}, ${hi})`, v);
  }
  return v;
};
const COMMON_KEYS = ["learningRate", "weightDecay", "clipNorm", "schedule"];

function common(o: Record<string, unknown>, lr: number, decay: number, keys: readonly string[]): Common {
  if (o == null || typeof o !== "object") throw new ArgumentError("optimizer options", "an object", o);
  rejectUnknownKeys(o, [...COMMON_KEYS, ...keys], "optimizer");
  const learningRate = inRange("learningRate", o.learningRate ?? lr, 0, 1e3, true);
  const schedule = validateSchedule(o.schedule);
  if (schedule.name === "cosine" && schedule.min > learningRate) throw new ArgumentError("schedule.min", `at most the learning rate (${learningRate})`, schedule.min);
  return {
    learningRate, schedule,
    weightDecay: inRange("weightDecay", o.weightDecay ?? decay, 0, 1e3),
    clipNorm: inRange("clipNorm", o.clipNorm ?? 0, 0, Infinity),
  };
}

type Sgd = Extract<OptimizerConfig, { name: "sgd" }>;
type Adam = Extract<OptimizerConfig, { name: "adam" | "adamw" }>;
type Rmsprop = Extract<OptimizerConfig, { name: "rmsprop" }>;

/** SGD, optionally with momentum and Nesterov momentum. Learning rate 0.01 (Keras). */
export function sgd(options: Options<Sgd> = {}): OptimizerConfig {
  if (options == null || typeof options !== "object") throw new ArgumentError("optimizer options", "an object", options);
  const nesterov = options.nesterov ?? false;
  if (typeof nesterov !== "boolean") throw new ArgumentError("nesterov", "true or false", nesterov);
  const momentum = inRange("momentum", options.momentum ?? 0, 0, 1);
  if (nesterov && momentum === 0) throw new ArgumentError("momentum", "a number in (0, 1) with nesterov", momentum);
  return { name: "sgd", ...common(options, 0.01, 0, ["momentum", "nesterov"]), momentum, nesterov };
}

function adamLike(name: "adam" | "adamw", options: Options<Adam>, decay: number): OptimizerConfig {
  return {
    name, ...common(options, 0.001, decay, ["beta1", "beta2", "epsilon"]),
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
    name: "rmsprop", ...common(options, 0.001, 0, ["rho", "epsilon"]),
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
  return deepFreeze(FACTORIES[name](options));
}

/** How many state vectors (each as long as the parameters) the optimizer keeps. */
export const stateVectors = (c: OptimizerConfig): number =>
  c.name === "sgd" ? (c.momentum > 0 ? 1 : 0) : c.name === "rmsprop" ? 1 : 2;

/** A model's optimizer: state vectors laid out like the parameters ([kernels | biases]), the
 *  step count, and preallocated kernel scalars so a step allocates nothing. Like the
 *  parameters (network.ts), every state vector exists twice: `stage` writes the new weights
 *  and state into the other copies, `commit` switches to them, so a failed update changes
 *  nothing and a staged update can be measured and dropped (the diagnostics do). */
export class OptimizerRunner {
  /** Optimizer steps taken (drives the bias correction and the schedule). */
  step = 0;
  private readonly storage: Tensor[] = [];
  // sides[s][vector]: the whole vector, its kernel part and its bias part.
  private readonly sides: [Tensor, Tensor, Tensor][][] = [[], []];
  private current = 0;
  private readonly scalars: SgdStep & AdamStep & RmspropStep;
  private readonly outputs = { w: null as unknown as Tensor, state: [] as Tensor[] };

  constructor(private readonly backend: Backend, readonly config: OptimizerConfig, kernelCount: number, paramCount: number) {
    for (let i = 0; i < stateVectors(config); i++) {
      let t: Tensor;
      try {
        t = backend.alloc(2 * paramCount);
      } catch (e) {
        this.dispose(); // out of memory: nothing of this optimizer stays allocated
        throw e;
      }
      backend.fill(t, 0);
      this.storage.push(t);
      for (const side of [0, 1]) {
        const whole = backend.slice(t, side * paramCount, paramCount);
        this.sides[side]!.push([whole, backend.slice(whole, 0, kernelCount), backend.slice(whole, kernelCount, paramCount - kernelCount)]);
      }
    }
    const c = config as Partial<Omit<Sgd, "name"> & Omit<Adam, "name"> & Omit<Rmsprop, "name">>;
    this.scalars = {
      lr: 0, decay: 0, gradScale: 1, momentum: c.momentum ?? 0, nesterov: c.nesterov ?? false,
      beta1: c.beta1 ?? 0, beta2: c.beta2 ?? 0, eps: c.epsilon ?? 0, decoupled: config.name === "adamw",
      stepSize: 0, invRootBc2: 1, rho: c.rho ?? 0,
    };
  }

  /** The live state vectors (for save and load). */
  get state(): Tensor[] { return this.sides[this.current]!.map((v) => v[0]); }

  /** The learning rate the next step will use. */
  get learningRate(): number { return rateAt(this.config.schedule, this.config.learningRate, this.step); }

  /** The factor clipping applies to gradients whose global norm is `norm` (1: none). */
  clipFactor(norm: number): number {
    const max = this.config.clipNorm;
    return max > 0 && norm > max ? max / (norm + 1e-6) : 1;
  }

  /** Writes the next step's weights and state, from the live ones and the gradients scaled by
   *  gradScale, into the other copies; nothing live changes until commit. */
  stage(net: Network, gradScale: number): void {
    const s = this.scalars, c = this.config;
    s.lr = this.learningRate;
    s.gradScale = gradScale;
    if (c.name === "adam" || c.name === "adamw") {
      s.stepSize = s.lr / (1 - powInt(c.beta1, this.step + 1));
      s.invRootBc2 = 1 / Math.sqrt(1 - powInt(c.beta2, this.step + 1));
    }
    const live = net.live, staged = net.staged;
    this.update(live.allKernels, net.allKernelGrads, staged.allKernels, 1, c.weightDecay);
    if (live.allBiases.length > 0) this.update(live.allBiases, net.allBiasGrads, staged.allBiases, 2, 0);
  }

  /** Makes the staged weights and state live and counts the step. */
  commit(net: Network): void {
    net.commit();
    this.current = 1 - this.current;
    this.step++;
  }

  private update(w: Tensor, g: Tensor, wOut: Tensor, part: 1 | 2, decay: number): void {
    const s = this.scalars, b = this.backend, live = this.sides[this.current]!, staged = this.sides[1 - this.current]!;
    const out = this.outputs;
    out.w = wOut;
    out.state.length = live.length;
    for (let k = 0; k < live.length; k++) out.state[k] = staged[k]![part];
    s.decay = decay;
    switch (this.config.name) {
      case "sgd": return b.sgdStep(w, g, live.length > 0 ? live[0]![part] : g, s, out);
      case "adam":
      case "adamw": return b.adamStep(w, g, live[0]![part], live[1]![part], s, out);
      case "rmsprop": return b.rmspropStep(w, g, live[0]![part], s, out);
    }
  }

  dispose(): void {
    for (const t of this.storage) this.backend.free(t);
  }
}
