// Messages between the page and the training worker.
import type { Setup } from "./config.js";

export type ToWorker =
  | { type: "setup"; setup: Setup }
  | { type: "run" }
  | { type: "pause" }
  | { type: "step" };

export interface LayerView {
  layer: number;
  units: number;
  activation: string;
  mean: number;
  std: number;
  /** Activation histogram: counts per bin over [lo, hi], edges folded in. */
  histogram: { lo: number; hi: number; counts: number[] };
  dead?: number;
  saturated?: number;
  gradientNorm?: number;
  /** Units that copy another unit (identical incoming weights). */
  identical: number;
}

export interface Snapshot {
  type: "snapshot";
  epoch: number;
  running: boolean;
  trainLoss: number;
  testLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** Probability of class 1 on a gridSize x gridSize grid over `extent`, row 0 at the top. */
  grid: Float32Array;
  gridSize: number;
  extent: { x0: number; x1: number; y0: number; y1: number };
  layers: LayerView[];
  warnings: string[];
}

export interface Ready {
  type: "ready";
  /** The data, for drawing: coordinates and labels, train then test. */
  points: { x: Float32Array; labels: Int32Array; trainCount: number };
  core: string;
  parameters: number;
}

export type FromWorker = Snapshot | Ready | { type: "error"; message: string };
