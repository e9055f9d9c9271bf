// Learning-rate schedules: the rate at optimizer step t (counted from 0) given the base rate.
// Plain arithmetic only, no Math.cos: an engine's last-bit differences must not change a
// training run (the cosine is a series whose terms every engine rounds alike).
import { ArgumentError, rejectUnknownKeys } from "./errors.js";

/** A learning-rate schedule by optimizer step: constant, step decay or cosine with warmup. */
export type ScheduleConfig =
  | { name: "constant" }
  | { name: "step"; every: number; factor: number }
  | { name: "cosine"; steps: number; min: number; warmup: number };

const count = (name: string, v: unknown, min: number): number => {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min)
    throw new ArgumentError(name, `an integer >= ${min}`, v);
  return v;
};

/** The learning rate as given, at every step (the default). */
export const constant = (): ScheduleConfig => ({ name: "constant" });

/** rate * factor^floor(t / every) (Keras ExponentialDecay with staircase, PyTorch StepLR). */
export function step(options: { every: number; factor?: number }): ScheduleConfig {
  const factor = options?.factor ?? 0.5;
  if (typeof factor !== "number" || !(factor > 0 && factor <= 1))
    throw new ArgumentError("factor", "a number in (0, 1]", factor);
  return { name: "step", every: count("every", options?.every, 1), factor };
}

/** Linear warmup over `warmup` steps, then half a cosine from rate down to `min` over `steps`
 *  steps, then `min` (Loshchilov & Hutter 2017, SGDR without restarts; Keras CosineDecay). */
export function cosine(options: { steps: number; min?: number; warmup?: number }): ScheduleConfig {
  const min = options?.min ?? 0;
  if (typeof min !== "number" || !(min >= 0) || !Number.isFinite(min))
    throw new ArgumentError("min", "a finite number >= 0", min);
  return {
    name: "cosine",
    steps: count("steps", options?.steps, 1),
    min,
    warmup: count("warmup", options?.warmup ?? 0, 0),
  };
}

/** @internal A schedule config checked, or an ArgumentError. */
export function validateSchedule(config: unknown): ScheduleConfig {
  const c = config as ScheduleConfig | undefined;
  if (c === undefined) return constant();
  if (c !== null && typeof c === "object")
    rejectUnknownKeys(c, ["name", "every", "factor", "steps", "min", "warmup"], "schedule");
  switch (c?.name) {
    case "constant":
      return constant();
    case "step":
      return step(c);
    case "cosine":
      return cosine(c);
    default:
      throw new ArgumentError(
        "schedule.name",
        '"constant", "step" or "cosine"',
        (c as { name?: unknown } | null)?.name,
      );
  }
}

/** @internal The learning rate at step t (from 0) for base rate `base`. */
export function rateAt(schedule: ScheduleConfig, base: number, t: number): number {
  switch (schedule.name) {
    case "constant":
      return base;
    case "step":
      return base * powInt(schedule.factor, Math.floor(t / schedule.every));
    case "cosine": {
      if (t < schedule.warmup) return (base * (t + 1)) / schedule.warmup;
      const u = Math.min(1, (t - schedule.warmup) / schedule.steps);
      return schedule.min + (base - schedule.min) * 0.5 * (1 + cosPi(u));
    }
  }
}

/** @internal x^n for an integer n >= 0 by repeated squaring: exact-rounding-free of Math.pow. */
export function powInt(x: number, n: number): number {
  let result = 1,
    b = x;
  for (let e = n; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result *= b;
    b *= b;
  }
  return result;
}

/** @internal cos(pi u) for u in [0, 1] as -sin(y), y = pi (u - 1/2) in [-pi/2, pi/2]: the Taylor
 *  series to y^23 (remainder below 1e-20). */
export function cosPi(u: number): number {
  const y = Math.PI * (u - 0.5),
    y2 = y * y;
  let term = y,
    sum = y;
  for (let k = 1; k <= 11; k++) {
    term *= -y2 / (2 * k * (2 * k + 1));
    sum += term;
  }
  return -sum;
}
