// Seeded toy datasets for examples, tests, the lessons and the playground: XOR, two moons and
// concentric circles (scikit-learn's make_moons and make_circles), two spirals (the
// TensorFlow Playground's), gaussian blobs, the TensorFlow Playground's two regression sets
// (a plane and gaussian bumps), and a seeded train/test split.
// Noise uses Math.log/cos, so two engines may differ in the last bits of a sample.
import { Draws, shuffle } from "./random.js";
import { checkSeed } from "./backend/checks.js";
import { ArgumentError, checkOptions } from "./errors.js";
import { MAX_ROWS } from "./limits.js";

/** A labelled toy dataset: inputs, one class per row, and the number of classes. */
export interface Dataset {
  /** Row-major inputs with their shape (what fit, predict and evaluate accept). */
  x: { data: Float32Array; shape: [number, number] };
  /** One class per row (what fit accepts as targets for one sigmoid output or a softmax). */
  labels: Int32Array;
  classes: number;
}

const options = (name: string, samples: unknown, noise: unknown, seed: unknown): void => {
  if (!Number.isInteger(samples) || (samples as number) < 2 || (samples as number) > MAX_ROWS)
    throw new ArgumentError(`${name}.samples`, "an integer in [2, 2^24]", samples);
  if (typeof noise !== "number" || !(noise >= 0) || !Number.isFinite(noise))
    throw new ArgumentError(`${name}.noise`, "a finite number >= 0", noise);
  checkSeed(`${name}.seed`, seed);
};

function build(
  samples: number,
  point: (i: number, label: number) => [number, number],
  classOf: (i: number) => number,
): Dataset {
  const data = new Float32Array(samples * 2),
    labels = new Int32Array(samples);
  for (let i = 0; i < samples; i++) {
    const label = classOf(i);
    const [a, b] = point(i, label);
    data[2 * i] = a;
    data[2 * i + 1] = b;
    labels[i] = label;
  }
  return { x: { data, shape: [samples, 2] }, labels, classes: 2 };
}

/** The four corners of the unit square; class 1 where exactly one coordinate is 1. */
export function xor(): Dataset {
  return {
    x: { data: Float32Array.of(0, 0, 0, 1, 1, 0, 1, 1), shape: [4, 2] },
    labels: Int32Array.of(0, 1, 1, 0),
    classes: 2,
  };
}

/** Two interleaved half circles (make_moons): class 0 on (cos t, sin t), class 1 on
 *  (1 - cos t, 1/2 - sin t), t in [0, pi], plus Gaussian noise of std `noise`. */
export function twoMoons(o: { samples?: number; noise?: number; seed?: number } = {}): Dataset {
  const { samples = 200, noise = 0.1, seed = 0 } = checkOptions("twoMoons", o, ["samples", "noise", "seed"]);
  options("twoMoons", samples, noise, seed);
  const draw = new Draws(seed, 1),
    outer = Math.ceil(samples / 2);
  return build(
    samples,
    (i, label) => {
      const k = label === 0 ? i : i - outer,
        n = label === 0 ? outer : samples - outer;
      const t = Math.PI * (n > 1 ? k / (n - 1) : 0);
      const [a, b] = label === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
      return [a + noise * draw.normal(), b + noise * draw.normal()];
    },
    (i) => (i < outer ? 0 : 1),
  );
}

/** Two concentric circles (make_circles): class 0 of radius 1, class 1 of radius `factor`. */
export function circles(o: { samples?: number; noise?: number; factor?: number; seed?: number } = {}): Dataset {
  const {
    samples = 200,
    noise = 0.05,
    factor = 0.5,
    seed = 0,
  } = checkOptions("circles", o, ["samples", "noise", "factor", "seed"]);
  options("circles", samples, noise, seed);
  if (typeof factor !== "number" || !(factor > 0 && factor < 1))
    throw new ArgumentError("circles.factor", "a number in (0, 1)", factor);
  const draw = new Draws(seed, 2),
    outer = Math.ceil(samples / 2);
  return build(
    samples,
    (i, label) => {
      const k = label === 0 ? i : i - outer,
        n = label === 0 ? outer : samples - outer;
      const t = (2 * Math.PI * k) / n,
        r = label === 0 ? 1 : factor;
      return [r * Math.cos(t) + noise * draw.normal(), r * Math.sin(t) + noise * draw.normal()];
    },
    (i) => (i < outer ? 0 : 1),
  );
}

/** Two interleaved spirals of `turns` turns (as the TensorFlow Playground's), noise in std units of the radius. */
export function spiral(o: { samples?: number; noise?: number; turns?: number; seed?: number } = {}): Dataset {
  const {
    samples = 200,
    noise = 0.05,
    turns = 1.5,
    seed = 0,
  } = checkOptions("spiral", o, ["samples", "noise", "turns", "seed"]);
  options("spiral", samples, noise, seed);
  if (typeof turns !== "number" || !(turns > 0 && turns <= 10))
    throw new ArgumentError("spiral.turns", "a number in (0, 10]", turns);
  const draw = new Draws(seed, 4),
    half = Math.ceil(samples / 2);
  return build(
    samples,
    (i, label) => {
      const k = label === 0 ? i : i - half,
        n = label === 0 ? half : samples - half;
      const r = k / n,
        t = 2 * Math.PI * turns * r + label * Math.PI;
      return [r * Math.sin(t) + noise * draw.normal(), r * Math.cos(t) + noise * draw.normal()];
    },
    (i) => (i < half ? 0 : 1),
  );
}

/** Gaussian blobs around `classes` centres evenly spaced on the unit circle, std `noise`. */
export function blobs(o: { samples?: number; noise?: number; classes?: number; seed?: number } = {}): Dataset {
  const {
    samples = 200,
    noise = 0.3,
    classes = 2,
    seed = 0,
  } = checkOptions("blobs", o, ["samples", "noise", "classes", "seed"]);
  options("blobs", samples, noise, seed);
  if (!Number.isInteger(classes) || classes < 2 || classes > 16)
    throw new ArgumentError("blobs.classes", "an integer in [2, 16]", classes);
  const draw = new Draws(seed, 5);
  const data = build(
    samples,
    (_i, label) => {
      const a = (2 * Math.PI * label) / classes;
      return [Math.cos(a) + noise * draw.normal(), Math.sin(a) + noise * draw.normal()];
    },
    (i) => i % classes,
  );
  return { ...data, classes };
}

/** Points with a number to predict per row (regression): what fit takes for one linear output. */
export interface RegressionDataset {
  x: { data: Float32Array; shape: [number, number] };
  /** One target per row, in [-1, 1]. */
  y: Float32Array;
}

// Gaussian bumps on a 3 x 3 grid of centres, alternating in sign (the TensorFlow Playground's layout).
const BUMPS = [-1, 0, 1].flatMap((cy) => [-1, 0, 1].map((cx) => [cx, -cy, (cx + cy) % 2 === 0 ? 1 : -1] as const));

function regression(
  name: string,
  o: { samples?: number; noise?: number; seed?: number },
  stream: number,
  target: (a: number, b: number) => number,
): RegressionDataset {
  const { samples = 200, noise = 0, seed = 0 } = checkOptions(name, o, ["samples", "noise", "seed"]);
  options(name, samples, noise, seed);
  const draw = new Draws(seed, stream),
    data = new Float32Array(samples * 2),
    y = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    const a = 3 * draw.uniform() - 1.5,
      b = 3 * draw.uniform() - 1.5;
    data[2 * i] = a;
    data[2 * i + 1] = b;
    y[i] = Math.max(-1, Math.min(1, target(a, b) + (noise > 0 ? noise * draw.normal() : 0)));
  }
  return { x: { data, shape: [samples, 2] }, y };
}

/** Points uniform on [-1.5, 1.5]^2 whose target is the plane (x1 + x2) / 3, plus gaussian
 *  noise of std `noise`, clipped to [-1, 1]. */
export function plane(o: { samples?: number; noise?: number; seed?: number } = {}): RegressionDataset {
  return regression("plane", o, 6, (a, b) => (a + b) / 3);
}

/** Points uniform on [-1.5, 1.5]^2 whose target is a sum of nine gaussian bumps (std 0.3) of
 *  alternating sign centred on {-1, 0, 1}^2, plus gaussian noise of std `noise`, clipped to [-1, 1]. */
export function gaussianBumps(o: { samples?: number; noise?: number; seed?: number } = {}): RegressionDataset {
  return regression("gaussianBumps", o, 7, (a, b) =>
    BUMPS.reduce((sum, [cx, cy, sign]) => sum + sign * Math.exp(-((a - cx) ** 2 + (b - cy) ** 2) / (2 * 0.3 ** 2)), 0),
  );
}

/** A seeded shuffle of the rows, cut into train and test parts (the test part `testFraction` of them). */
export function trainTestSplit(d: Dataset, testFraction = 0.2, seed = 0): { train: Dataset; test: Dataset } {
  if (typeof testFraction !== "number" || !(testFraction > 0 && testFraction < 1))
    throw new ArgumentError("testFraction", "a number in (0, 1)", testFraction);
  checkSeed("seed", seed);
  if (d == null || !d.x || !Array.isArray(d.x.shape) || !(d.labels instanceof Int32Array))
    throw new ArgumentError("d", "a dataset { x, labels, classes }", d);
  const [rows, cols] = d.x.shape,
    order = Array.from({ length: rows }, (_, i) => i);
  shuffle(order, seed, 3);
  const testRows = Math.max(1, Math.min(rows - 1, Math.round(rows * testFraction)));
  const part = (ids: number[]): Dataset => {
    const data = new Float32Array(ids.length * cols);
    ids.forEach((r, i) => data.set(d.x.data.subarray(r * cols, (r + 1) * cols), i * cols));
    return {
      x: { data, shape: [ids.length, cols] },
      labels: Int32Array.from(ids, (r) => d.labels[r]!),
      classes: d.classes,
    };
  };
  return { train: part(order.slice(testRows)), test: part(order.slice(0, testRows)) };
}
