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
const softplus = (z: number): number => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
// 1 where z > 0, `neg` where z <= 0, NaN for NaN.
const slope = (z: number, neg: number): number => (z > 0 ? 1 : z <= 0 ? neg : NaN);

/** An activation's pure-JS twin: f(z) and f'(z) in float64. */
interface Twin {
  forward(z: number, alpha: number): number;
  derivative(z: number, alpha: number): number;
  /** Whole-array loops of its own, for the cheapest activations: the shared loop's call
   *  through a function value costs them up to 1.8x (it sees every activation's twin). */
  forwardLoop?(x: Float32Array, y: Float32Array, alpha: number): void;
  backwardLoop?(z: Float32Array, dy: Float32Array, dz: Float32Array, alpha: number): void;
}

// Keyed by every elementwise activation: one missing is a compile error.
const TWINS: Record<ElementwiseActivation, Twin> = {
  identity: { forward: (z) => z, derivative: (z) => (z === z ? 1 : NaN) },
  sigmoid: {
    forward: sigmoid,
    derivative: (z) => {
      const t = Math.exp(-Math.abs(z));
      return t / ((1 + t) * (1 + t));
    },
    forwardLoop: (x, y) => {
      for (let i = 0; i < x.length; i++) y[i] = sigmoid(x[i]!);
    },
  },
  tanh: {
    forward: Math.tanh,
    derivative: (z) => {
      const t = Math.exp(-2 * Math.abs(z));
      return (4 * t) / ((1 + t) * (1 + t));
    },
    forwardLoop: (x, y) => {
      for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]!);
    },
  },
  relu: {
    forward: (z) => (z > 0 ? z : z <= 0 ? 0 : z),
    derivative: (z) => slope(z, 0),
    forwardLoop: (x, y) => {
      for (let i = 0; i < x.length; i++) {
        const z = x[i]!;
        y[i] = z > 0 ? z : z <= 0 ? 0 : z;
      }
    },
    backwardLoop: (z, dy, dz) => {
      for (let i = 0; i < z.length; i++) dz[i] = dy[i]! * slope(z[i]!, 0);
    },
  },
  leakyRelu: {
    forward: (z, alpha) => (z > 0 ? z : alpha * z),
    derivative: (z, alpha) => slope(z, alpha),
    forwardLoop: (x, y, alpha) => {
      for (let i = 0; i < x.length; i++) {
        const z = x[i]!;
        y[i] = z > 0 ? z : alpha * z;
      }
    },
    backwardLoop: (z, dy, dz, alpha) => {
      for (let i = 0; i < z.length; i++) dz[i] = dy[i]! * slope(z[i]!, alpha);
    },
  },
  elu: {
    forward: (z, alpha) => (z > 0 ? z : alpha * Math.expm1(z)),
    derivative: (z, alpha) => slope(z, alpha * Math.exp(z)),
  },
  selu: {
    forward: (z) => SELU_SCALE * (z > 0 ? z : SELU_ALPHA * Math.expm1(z)),
    derivative: (z) => SELU_SCALE * slope(z, SELU_ALPHA * Math.exp(z)),
  },
  softplus: { forward: softplus, derivative: sigmoid },
  silu: {
    forward: (z) => z * sigmoid(z),
    derivative: (z) => {
      const s = sigmoid(z);
      return s + z * s * sigmoid(-z);
    },
  },
  gelu: {
    forward: (z) => z * sigmoid(2 * GELU_C * (z + GELU_K * z * z * z)),
    derivative: (z) => {
      const u2 = 2 * GELU_C * (z + GELU_K * z * z * z);
      const s = sigmoid(u2);
      return s + z * s * sigmoid(-u2) * 2 * GELU_C * (1 + 3 * GELU_K * z * z);
    },
  },
  // Mish (Misra 2019; PyTorch nn.Mish): z tanh(softplus(z)); its derivative
  // tanh(sp) + z sech^2(sp) sigmoid(z), as d softplus / dz = sigmoid.
  mish: {
    forward: (z) => z * Math.tanh(softplus(z)),
    derivative: (z) => {
      const th = Math.tanh(softplus(z));
      return th + z * (1 - th * th) * sigmoid(z);
    },
  },
};

/** f(z) of one activation in float64. */
export function forward(name: ElementwiseActivation, z: number, alpha: number): number {
  return TWINS[name].forward(z, alpha);
}

/** f'(z) of one activation in float64. */
export function derivative(name: ElementwiseActivation, z: number, alpha: number): number {
  return TWINS[name].derivative(z, alpha);
}

/** y = f(x) elementwise, each value rounded once to float32; y may alias x. */
export function activationForward(name: ElementwiseActivation, x: Float32Array, y: Float32Array, alpha: number): void {
  const twin = TWINS[name];
  if (twin.forwardLoop) return twin.forwardLoop(x, y, alpha);
  const f = twin.forward;
  for (let i = 0; i < x.length; i++) y[i] = f(x[i]!, alpha);
}

/** dz = dy * f'(z) elementwise; dz may alias dy. */
export function activationBackward(
  name: ElementwiseActivation,
  z: Float32Array,
  dy: Float32Array,
  dz: Float32Array,
  alpha: number,
): void {
  const twin = TWINS[name];
  if (twin.backwardLoop) return twin.backwardLoop(z, dy, dz, alpha);
  const d = twin.derivative;
  for (let i = 0; i < z.length; i++) dz[i] = dy[i]! * d(z[i]!, alpha);
}
