// What an optimizer is, in one place: a descriptor per optimizer (sgd.ts, adam.ts, rmsprop.ts,
// lion.ts), from which registry.ts derives the names, the config type and the factories, the
// runner its state and per-step scalars, and the serializer its checks on load.
import type { UpdateKernel } from "../backend/backend.js";
import { ArgumentError, rejectUnknownKeys } from "../errors.js";
import { validateSchedule, type ScheduleConfig } from "../schedules.js";

/** The options every optimizer has. */
export interface CommonOptions {
  learningRate: number;
  /** Weight decay on the kernels (biases are not decayed, as Keras' kernel_regularizer):
   *  added to the gradient (L2) or, for AdamW and Lion, shrinking the weights directly. */
  weightDecay: number;
  /** Clip gradients so their global L2 norm is at most this (0: no clipping), as
   *  torch.nn.utils.clip_grad_norm_. */
  clipNorm: number;
  schedule: ScheduleConfig;
}

/** One state vector an optimizer keeps per parameter. */
export interface StateVector {
  /** What it holds, for messages ("velocity", "second moment"). */
  readonly name: string;
  /** Never negative (a mean of squares): a saved one with a negative value is refused on load. */
  readonly nonNegative?: boolean;
}

/**
 * An optimizer: its own options (beyond CommonOptions) and their validation, the update kernel
 * it runs, the state vectors it keeps and the scalars it passes to the kernel each step.
 */
export interface OptimizerDescriptor<Name extends string = string, Own extends object = object> {
  readonly name: Name;
  /** The backend update kernel (Backend.optimizerStep). */
  readonly kernel: UpdateKernel;
  /** Defaults of the common options that differ between optimizers. */
  readonly defaults: { readonly learningRate: number; readonly weightDecay: number };
  /** The own option keys, in the order a config lists them. */
  readonly keys: readonly (keyof Own & string)[];
  /** The own options with their defaults, validated: an ArgumentError names a bad one. */
  own(options: Partial<Record<keyof Own, unknown>>): Own;
  /** The state vectors a model with this config keeps, in the kernel's order. */
  state(config: Own): readonly StateVector[];
  /** Writes the kernel's own slots of the parameter block (src/kernelCodes/updateParams.ts) for step t
   *  (1 for the first) at learning rate lr; the runner writes the common slots. */
  writeParams(config: Own, t: number, lr: number, block: Float32Array): void;
}

/** An optimizer's options as users write them: every one optional. */
export type OptimizerOptions<Own> = Partial<Own & Omit<CommonOptions, "schedule">> & { schedule?: ScheduleConfig };

/** A number in [lo, hi) (or (lo, hi) when loOpen), else an ArgumentError naming it. */
export function inRange(name: string, v: unknown, lo: number, hi: number, loOpen = false): number {
  if (typeof v !== "number" || !(loOpen ? v > lo : v >= lo) || !(v < hi)) {
    throw new ArgumentError(name, `a number in ${loOpen ? "(" : "["}${lo}, ${hi})`, v);
  }
  return v;
}

const COMMON_KEYS = ["learningRate", "weightDecay", "clipNorm", "schedule"];

/** The factory of an optimizer: options checked (no unknown key, every value in range) into a
 *  config with every option explicit, the common ones first. */
export function optimizerFactory<Name extends string, Own extends object>(d: OptimizerDescriptor<Name, Own>) {
  return (options: OptimizerOptions<Own> = {}): { name: Name } & CommonOptions & Own => {
    if (options == null || typeof options !== "object")
      throw new ArgumentError("optimizer options", "an object", options);
    const o = options as Record<string, unknown>;
    rejectUnknownKeys(o, [...COMMON_KEYS, ...d.keys], "optimizer");
    const learningRate = inRange("learningRate", o.learningRate ?? d.defaults.learningRate, 0, 1e3, true);
    const schedule = validateSchedule(o.schedule);
    if (schedule.name === "cosine" && schedule.min > learningRate) {
      throw new ArgumentError("schedule.min", `at most the learning rate (${learningRate})`, schedule.min);
    }
    return {
      name: d.name,
      learningRate,
      schedule,
      weightDecay: inRange("weightDecay", o.weightDecay ?? d.defaults.weightDecay, 0, 1e3),
      clipNorm: inRange("clipNorm", o.clipNorm ?? 0, 0, Infinity),
      ...d.own(o as Partial<Record<keyof Own, unknown>>),
    };
  };
}
