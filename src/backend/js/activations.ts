// Pure-JS twins of assembly/activations.ts, computed in float64 and rounded once on store:
// the accuracy reference for the SIMD polynomials. Same formulas, same conventions
// (derivative from z; f'(0) = 0 for ReLU; NaN in, NaN out).
import type { ElementwiseActivation } from "../../activations.js";

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const GELU_C = 0.7978845608028654; // sqrt(2 / pi)
const GELU_K = 0.044715;

const sigmoid = (z: number): number => {
  const t = Math.exp(-Math.abs(z));
  return z >= 0 ? 1 / (1 + t) : t / (1 + t);
};
// 1 where z > 0, `neg` where z <= 0, NaN for NaN.
const slope = (z: number, neg: number): number => (z > 0 ? 1 : z <= 0 ? neg : NaN);

export function forward(name: ElementwiseActivation, z: number, alpha: number): number {
  switch (name) {
    case "identity": return z;
    case "sigmoid": return sigmoid(z);
    case "tanh": return Math.tanh(z);
    case "relu": return z > 0 ? z : z <= 0 ? 0 : z;
    case "leakyRelu": return z > 0 ? z : alpha * z;
    case "elu": return z > 0 ? z : alpha * Math.expm1(z);
    case "selu": return SELU_SCALE * (z > 0 ? z : SELU_ALPHA * Math.expm1(z));
    case "softplus": return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    case "silu": return z * sigmoid(z);
    case "gelu": return z * sigmoid(2 * GELU_C * (z + GELU_K * z * z * z));
  }
}

export function derivative(name: ElementwiseActivation, z: number, alpha: number): number {
  switch (name) {
    case "identity": return z === z ? 1 : NaN;
    case "sigmoid": { const t = Math.exp(-Math.abs(z)); return t / ((1 + t) * (1 + t)); }
    case "tanh": { const t = Math.exp(-2 * Math.abs(z)); return (4 * t) / ((1 + t) * (1 + t)); }
    case "relu": return slope(z, 0);
    case "leakyRelu": return slope(z, alpha);
    case "elu": return slope(z, alpha * Math.exp(z));
    case "selu": return SELU_SCALE * slope(z, SELU_ALPHA * Math.exp(z));
    case "softplus": return sigmoid(z);
    case "silu": { const s = sigmoid(z); return s + z * s * sigmoid(-z); }
    case "gelu": {
      const u2 = 2 * GELU_C * (z + GELU_K * z * z * z);
      const s = sigmoid(u2);
      return s + z * s * sigmoid(-u2) * 2 * GELU_C * (1 + 3 * GELU_K * z * z);
    }
  }
}

export function activationForward(name: ElementwiseActivation, x: Float32Array, y: Float32Array, alpha: number): void {
  // One loop per kind keeps the switch out of the element loop (the cost a fair baseline avoids).
  const n = x.length;
  switch (name) {
    case "relu": for (let i = 0; i < n; i++) { const z = x[i]!; y[i] = z > 0 ? z : z <= 0 ? 0 : z; } return;
    case "leakyRelu": for (let i = 0; i < n; i++) { const z = x[i]!; y[i] = z > 0 ? z : alpha * z; } return;
    case "sigmoid": for (let i = 0; i < n; i++) y[i] = sigmoid(x[i]!); return;
    case "tanh": for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]!); return;
    default: for (let i = 0; i < n; i++) y[i] = forward(name, x[i]!, alpha);
  }
}

export function activationBackward(name: ElementwiseActivation, z: Float32Array, dy: Float32Array, dz: Float32Array, alpha: number): void {
  const n = z.length;
  switch (name) {
    case "relu": for (let i = 0; i < n; i++) dz[i] = dy[i]! * slope(z[i]!, 0); return;
    case "leakyRelu": for (let i = 0; i < n; i++) dz[i] = dy[i]! * slope(z[i]!, alpha); return;
    default: for (let i = 0; i < n; i++) dz[i] = dy[i]! * derivative(name, z[i]!, alpha);
  }
}
