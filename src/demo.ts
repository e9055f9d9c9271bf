// The demo behind `npx simdnet demo`: the article's central claim about initialization, measured
// on the core. A batch of standardized inputs goes through a deep stack of dense layers; the
// std of the activations per layer shows which initializer suits which activation
// (Glorot & Bengio 2010 for tanh/logistic, He et al. 2015 for ReLU).
import { activationParameter, gain, type ElementwiseActivation } from "./activations.js";
import type { Backend } from "./backend/backend.js";
import * as init from "./initializers.js";

export interface DepthProfile {
  activation: ElementwiseActivation;
  initializer: string;
  /** Std of the activations after each layer, first to last. */
  std: number[];
}

/** Std of activations through `depth` layers of `width` units for one pairing. */
export function depthProfile(backend: Backend, activation: ElementwiseActivation, initializer: init.Initializer,
  options: { depth?: number; width?: number; batch?: number; seed?: number } = {}): DepthProfile {
  const { depth = 10, width = 256, batch = 512, seed = 1 } = options;
  const alpha = activationParameter(activation);
  const inputRng = backend.random(seed, 0xffff);
  let x = backend.alloc(batch * width);
  let y = backend.alloc(batch * width);
  const w = backend.alloc(width * width);
  const std: number[] = [];
  try {
    backend.fillNormal(inputRng, x, 0, 1); // standardized inputs, as the article advises
    for (let layer = 0; layer < depth; layer++) {
      const rng = backend.random(seed, layer);
      initializer.fill(backend, w, width, width, rng);
      backend.freeRandom(rng);
      backend.sgemm(false, false, batch, width, width, 1, x, w, 0, y);
      backend.activation(activation, y, y, alpha);
      std.push(sampleStd(backend.read(y)));
      [x, y] = [y, x];
    }
  } finally {
    backend.free(x); backend.free(y); backend.free(w); backend.freeRandom(inputRng);
  }
  return { activation, initializer: initializer.name, std };
}

function sampleStd(v: Float32Array): number {
  let s = 0, s2 = 0;
  for (let i = 0; i < v.length; i++) { s += v[i]!; s2 += v[i]! * v[i]!; }
  const mean = s / v.length;
  return Math.sqrt(Math.max(s2 / v.length - mean * mean, 0));
}

/** [activation, label, initializer]: the article's good and bad pairings side by side. */
export const DEMO_PAIRINGS: [ElementwiseActivation, string, () => init.Initializer][] = [
  ["tanh", "glorotNormal", init.glorotNormal],
  // Glorot's variance times tanh's gain squared (5/3, as PyTorch's calculate_gain).
  ["tanh", "glorot x gain^2", () => init.varianceScaling({ scale: gain("tanh") ** 2, mode: "fanAvg" })],
  ["tanh", "normal(0.01)", () => init.normal({ std: 0.01 })],
  ["tanh", "normal(1)", () => init.normal({ std: 1 })],
  ["sigmoid", "glorotNormal", init.glorotNormal],
  ["relu", "heNormal", init.heNormal],
  ["relu", "glorotNormal", init.glorotNormal],
  ["relu", "normal(0.01)", () => init.normal({ std: 0.01 })],
  ["leakyRelu", "heNormal", () => init.heNormal({ slope: 0.01 })],
];
