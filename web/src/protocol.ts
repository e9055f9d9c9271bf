// Messages between the page and the training worker.
import type { Setup } from "./config.js";

export type ToWorker =
  /** A new setup; `run` numbers it, and every snapshot carries the number of the setup it
   *  belongs to, so the page drops snapshots still in flight from the previous one. */
  | { type: "setup"; setup: Setup; run: number }
  /** Train; with `until`, pause on reaching that epoch. */
  | { type: "run"; until?: number }
  | { type: "pause" }
  | { type: "step" }
  /** Epochs per second (Infinity: full speed). */
  | { type: "speed"; epochsPerSecond: number }
  /** The page has drawn the last snapshot: the worker sends the next one only after this, so
   *  at full speed snapshots never queue up on a busy page. */
  | { type: "drawn" }
  /** Run the library's lesson of this name. */
  | { type: "lesson"; name: string };

export interface UnitView {
  /** ReLU: the pre-activation is <= 0 on every training row. */
  dead: boolean;
  /** logistic/tanh: share of training rows where the unit is saturated. */
  saturated: number;
}

export interface LayerView {
  layer: number;
  units: number;
  activation: string;
  mean: number;
  std: number;
  /** Activation histogram over the training rows: counts per bin over [lo, hi] (a range fitted to the values). */
  histogram: { lo: number; hi: number; counts: number[] };
  dead?: number;
  saturated?: number;
  gradientNorm?: number;
  /** Units whose incoming weights and bias equal another unit's (the diagnostics' groups, summed). */
  identical: number;
  unitStates: UnitView[];
  /** Incoming weights, [inputs x units] row-major, for the network view's edges. */
  kernel: Float32Array;
}

export interface Snapshot {
  type: "snapshot";
  run: number;
  epoch: number;
  running: boolean;
  regression: boolean;
  trainLoss: number;
  testLoss: number;
  /** Train and test loss after each epoch since the previous snapshot (the loss chart's points). */
  losses: { epoch: number; train: number; test: number }[];
  /** Classification only. */
  trainAccuracy?: number;
  testAccuracy?: number;
  /** The output (probability of class 1, or the regression value) on a gridSize x gridSize
   *  grid over `extent`, row 0 at the top. */
  grid: Float32Array;
  gridSize: number;
  /** Every hidden unit's output on a coarser unitGridSize^2 grid, layer after layer, unit after unit. */
  unitGrid: Float32Array;
  unitGridSize: number;
  extent: { x0: number; x1: number; y0: number; y1: number };
  /** Hidden layers, then the output layer (whose kernel the network view draws). */
  layers: LayerView[];
  warnings: string[];
  /** Largest |difference| between the page's float64 forward pass and model.predict on the grid. */
  forwardError: number;
}

export interface Ready {
  type: "ready";
  run: number;
  /** The data, for drawing: coordinates and targets (classes or values), train then test. */
  points: { x: Float32Array; y: Float32Array; trainCount: number };
  regression: boolean;
  core: string;
  /** Threads the core trains on, and why not more when it is one (or null). */
  threads: number;
  threadsReason: string | null;
  parameters: number;
}

export interface LessonReply {
  type: "lesson";
  name: string;
  title: string;
  holds: boolean;
  verdict: string;
}

export type FromWorker = Snapshot | Ready | LessonReply | { type: "error"; message: string };
