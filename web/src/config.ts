// A playground setup: everything a visitor can choose, with its defaults, and its encoding in
// the URL (so a setup can be shared as a link).
import type { ActivationName } from "../../src/index.js";

export type ClassificationData = "circles" | "xor" | "moons" | "spiral" | "blobs";
/** The TensorFlow Playground's two regression sets: a tilted plane and a sum of gaussian bumps. */
export type RegressionData = "plane" | "gaussians";
export type DatasetName = ClassificationData | RegressionData;
export type KernelInit =
  | "heNormal"
  | "heUniform"
  | "glorotUniform"
  | "glorotNormal"
  | "lecunNormal"
  | "zeros"
  | "constant"
  | "normalLarge"
  | "normalSmall";
export type BiasInit = "zeros" | "smallPositive" | "negative";
export type OptimizerChoice = "sgd" | "momentum" | "adam" | "rmsprop";

export interface LayerSetup {
  units: number;
  activation: ActivationName;
  /** Leaky ReLU's slope. */
  alpha: number;
  kernel: KernelInit;
  bias: BiasInit;
}

export interface Setup {
  dataset: DatasetName;
  noise: number;
  samples: number;
  /** Share of the points held out for the test loss. */
  testFraction: number;
  layers: LayerSetup[];
  learningRate: number;
  optimizer: OptimizerChoice;
  batchSize: number;
  normalize: boolean;
  /** The inputs' scale: 1 as generated, larger to show what unnormalized inputs do. */
  inputScale: number;
  seed: number;
}

export const ACTIVATION_CHOICES: ActivationName[] = ["relu", "leakyRelu", "tanh", "sigmoid", "elu", "identity"];
export const KERNEL_CHOICES: KernelInit[] = [
  "heNormal",
  "heUniform",
  "glorotUniform",
  "glorotNormal",
  "lecunNormal",
  "normalSmall",
  "normalLarge",
  "constant",
  "zeros",
];
/** The named initializers' parameters: the large and small normals' std, the constant, the negative bias. */
export const KERNEL_STD = { normalLarge: 16, normalSmall: 0.01 } as const;
export const CONSTANT_KERNEL = 0.5,
  NEGATIVE_BIAS = -3;
export const BIAS_CHOICES: BiasInit[] = ["zeros", "smallPositive", "negative"];
export const DATASETS: DatasetName[] = ["circles", "xor", "moons", "spiral", "blobs", "plane", "gaussians"];
export const DATASET_LABELS: Record<DatasetName, string> = {
  circles: "circles",
  xor: "XOR",
  moons: "two moons",
  spiral: "spiral",
  blobs: "gaussian blobs",
  plane: "plane (regression)",
  gaussians: "gaussian bumps (regression)",
};
/** Regression sets train one linear output on the mean squared error; the others a logistic
 *  output on the binary cross-entropy. */
export const isRegression = (d: DatasetName): d is RegressionData => d === "plane" || d === "gaussians";

/** Training speeds, in epochs per second (Infinity: as fast as the core goes). The default is
 *  slow enough to watch a boundary form. */
export const SPEEDS = [1, 2, 5, 10, 30, 100, 300, Infinity] as const;
export const DEFAULT_SPEED = 5;
export const OPTIMIZERS: OptimizerChoice[] = ["adam", "sgd", "momentum", "rmsprop"];

export const DEFAULT_SETUP: Setup = {
  dataset: "circles",
  noise: 0.1,
  samples: 400,
  testFraction: 0.3,
  layers: [
    { units: 8, activation: "relu", alpha: 0.01, kernel: "heNormal", bias: "zeros" },
    { units: 8, activation: "relu", alpha: 0.01, kernel: "heNormal", bias: "zeros" },
  ],
  learningRate: 0.005,
  optimizer: "adam",
  batchSize: 16,
  normalize: true,
  inputScale: 1,
  seed: 1,
};

const clamp = (v: unknown, lo: number, hi: number, fallback: number): number =>
  typeof v === "number" && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
const oneOf = <T extends string>(v: unknown, choices: readonly T[], fallback: T): T =>
  choices.includes(v as T) ? (v as T) : fallback;

/** A setup from untrusted input (a URL): every field checked and clamped, defaults for the rest. */
export function sanitize(raw: unknown): Setup {
  const r = (raw && typeof raw === "object" ? raw : {}) as Partial<Setup>;
  const d = DEFAULT_SETUP;
  const layers = Array.isArray(r.layers) && r.layers.length > 0 ? r.layers.slice(0, 10) : d.layers;
  return {
    dataset: oneOf(r.dataset, DATASETS, d.dataset),
    noise: clamp(r.noise, 0, 0.5, d.noise),
    samples: Math.round(clamp(r.samples, 50, 2000, d.samples)),
    testFraction: clamp(r.testFraction, 0.1, 0.9, d.testFraction),
    layers: layers.map((l) => {
      const x = (l && typeof l === "object" ? l : {}) as Partial<LayerSetup>;
      return {
        units: Math.round(clamp(x.units, 1, 64, 8)),
        activation: oneOf(x.activation, ACTIVATION_CHOICES, "relu"),
        alpha: clamp(x.alpha, 0, 1, 0.01),
        kernel: oneOf(x.kernel, KERNEL_CHOICES, "heNormal"),
        bias: oneOf(x.bias, BIAS_CHOICES, "zeros"),
      };
    }),
    learningRate: clamp(r.learningRate, 1e-5, 10, d.learningRate),
    optimizer: oneOf(r.optimizer, OPTIMIZERS, d.optimizer),
    batchSize: Math.round(clamp(r.batchSize, 1, 256, d.batchSize)),
    normalize: typeof r.normalize === "boolean" ? r.normalize : d.normalize,
    inputScale: clamp(r.inputScale, 1, 1000, d.inputScale),
    seed: Math.round(clamp(r.seed, 0, 0xffffffff, d.seed)),
  };
}

/** The setup as a URL hash (base64url of its JSON). */
export function toHash(setup: Setup): string {
  const bytes = new TextEncoder().encode(JSON.stringify(setup));
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return `#${btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

export function fromHash(hash: string): Setup {
  try {
    const text = atob(hash.replace(/^#/, "").replace(/-/g, "+").replace(/_/g, "/"));
    return sanitize(JSON.parse(new TextDecoder().decode(Uint8Array.from(text, (c) => c.charCodeAt(0)))));
  } catch {
    return structuredClone(DEFAULT_SETUP);
  }
}
