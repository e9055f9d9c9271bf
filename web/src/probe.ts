// What the network view and the layer panels show per unit: every layer's pre-activations and
// outputs on a set of input rows, computed in float64 from the model's weights (getWeights)
// and its fitted normalizer. The model runs on the wasm core and exposes only its output, so
// the hidden units are recomputed here; the worker checks that this forward pass agrees with
// model.predict on the output.
import {
  saturationBound,
  type ActivationName,
  type DenseLayer,
  type Model,
  type LayerWeights,
} from "../../src/index.js";

/** Pre-activations and outputs of one layer: rows x units, row-major. */
export interface LayerValues {
  z: Float64Array;
  a: Float64Array;
  units: number;
}

const activate = (name: string, alpha: number, z: number): number => {
  switch (name) {
    case "sigmoid":
      return 1 / (1 + Math.exp(-z));
    case "tanh":
      return Math.tanh(z);
    case "relu":
      return z > 0 ? z : 0;
    case "leakyRelu":
      return z > 0 ? z : alpha * z;
    case "elu":
      return z > 0 ? z : alpha * Math.expm1(z); // Keras/PyTorch ELU
    case "identity":
      return z;
    default:
      throw new Error(`the playground does not draw ${name} units`);
  }
};

/** Every layer's values on `rows` input rows of width 2 (raw inputs: the model's normalizer is applied here). */
export function forwardAll(model: Model, weights: LayerWeights[], x: Float32Array, rows: number): LayerValues[] {
  const n = model.normalizer;
  let input = Float64Array.from(x, (v, i) => (n ? (v - n.shift[i % 2]!) * n.scale[i % 2]! : v));
  let width = model.inputs;
  // The playground builds dense layers only.
  return (model.layers as readonly DenseLayer[]).map((layer, l) => {
    const { kernel, bias } = weights[l]!,
      units = layer.units;
    const z = new Float64Array(rows * units),
      a = new Float64Array(rows * units);
    for (let r = 0; r < rows; r++) {
      for (let u = 0; u < units; u++) {
        let sum = bias[u]!;
        for (let k = 0; k < width; k++) sum += input[r * width + k]! * kernel[k * units + u]!;
        z[r * units + u] = sum;
        a[r * units + u] = activate(layer.activation, layer.alpha, sum);
      }
    }
    input = a;
    width = units;
    return { z, a, units };
  });
}

/** Per unit: dead (ReLU: pre-activation <= 0 on every row) and the share of rows where a
 *  logistic or tanh unit is saturated (the diagnostics' bound: derivative below 1% of its peak). */
export function unitStates(activation: string, v: LayerValues, rows: number): { dead: boolean; saturated: number }[] {
  const bound = saturationBound(activation as ActivationName, 0.01);
  return Array.from({ length: v.units }, (_, u) => {
    let positive = 0,
      saturated = 0;
    for (let r = 0; r < rows; r++) {
      const z = v.z[r * v.units + u]!;
      if (z > 0) positive++;
      if (bound !== null && Math.abs(z) > bound) saturated++;
    }
    return { dead: activation === "relu" && positive === 0, saturated: saturated / rows };
  });
}

/** A histogram whose range adapts to the values: [min, max] widened to a round step, so a
 *  layer whose values shrink to 1e-9 still shows its shape (with its scale on the axis). */
export function adaptiveHistogram(values: Float64Array, bins: number): { lo: number; hi: number; counts: number[] } {
  let lo = Infinity,
    hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { lo: 0, hi: 1, counts: new Array<number>(bins).fill(0) };
  if (hi - lo < 1e-30 * Math.max(1, Math.abs(lo))) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const step = 10 ** Math.floor(Math.log10((hi - lo) / 2));
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const counts = new Array<number>(bins).fill(0),
    width = (hi - lo) / bins;
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]!++;
  return { lo, hi, counts };
}
