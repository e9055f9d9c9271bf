// Whole-network gradients against float64 central differences: for every hidden activation
// and every loss (with each output activation it pairs with), the model's float32 backward
// pass must match the derivative of a float64 forward pass of the same weights.
import { describe, expect, it } from "vitest";
import { ACTIVATIONS, type ActivationName, type ElementwiseActivation } from "../src/activations.js";
import { activationParameter } from "../src/activations.js";
import { createModel, type LossConfig, type Model } from "../src/index.js";
import { forward64, randomArray, seeded } from "./helpers.js";
import type { DenseLayer } from "../src/layers.js";

interface Pairing {
  loss: Partial<LossConfig> & { name: LossConfig["name"] };
  output: ActivationName | "same";
  outputs: number;
  regularized?: boolean;
}
// Keras' L1L2 on every kernel and bias of the regularized pairing.
const KERNEL_PENALTY = { l1: 0.01, l2: 0.02 },
  BIAS_PENALTY = { l1: 0.03, l2: 0.05 };
const PAIRINGS: Pairing[] = [
  { loss: { name: "meanSquaredError" }, output: "identity", outputs: 2 },
  { loss: { name: "meanSquaredError" }, output: "same", outputs: 2 }, // dL/da through the output activation
  { loss: { name: "meanSquaredError" }, output: "softmax", outputs: 3 }, // through the softmax Jacobian
  { loss: { name: "binaryCrossEntropy" }, output: "sigmoid", outputs: 2 },
  { loss: { name: "binaryCrossEntropy", fromLogits: true }, output: "identity", outputs: 1 },
  { loss: { name: "softmaxCrossEntropy" }, output: "softmax", outputs: 3 },
  { loss: { name: "softmaxCrossEntropy", fromLogits: true }, output: "identity", outputs: 4 },
  { loss: { name: "softmaxCrossEntropy" }, output: "logSoftmax", outputs: 3 }, // NLL of log-softmax, fused
  { loss: { name: "meanSquaredError" }, output: "logSoftmax", outputs: 3 }, // through the log-softmax Jacobian
  { loss: { name: "meanAbsoluteError" }, output: "identity", outputs: 2 },
  { loss: { name: "huber", delta: 0.3 }, output: "same", outputs: 3 }, // both sides of delta, through the activation
  { loss: { name: "logCosh" }, output: "identity", outputs: 2 },
  { loss: { name: "categoricalHinge" }, output: "identity", outputs: 3 },
  { loss: { name: "categoricalHinge" }, output: "softmax", outputs: 3 },
  { loss: { name: "meanSquaredError" }, output: "identity", outputs: 2, regularized: true },
];

/** The loss of one prediction p against its target t, for the elementwise losses. */
function elementLoss(loss: Pairing["loss"], p: number, t: number): number {
  const d = p - t;
  switch (loss.name) {
    case "meanSquaredError":
      return d * d;
    case "meanAbsoluteError":
      return Math.abs(d);
    case "huber":
      return Math.abs(d) <= loss.delta! ? (d * d) / 2 : loss.delta! * Math.abs(d) - loss.delta! ** 2 / 2;
    case "logCosh":
      return Math.log(Math.cosh(d));
    default:
      throw new Error(loss.name);
  }
}

/** The loss of the model's net in float64, for weights w (per layer kernel and bias). */
function loss64(
  model: Model,
  w: { kernel: Float64Array; bias: Float64Array }[],
  x: Float32Array,
  t: Float32Array,
  rows: number,
): number {
  const layers = forward64(model, x, rows, w),
    { z, a } = layers[layers.length - 1]!;
  const cols = model.outputs,
    target = (r: number, j: number): number => t[r * cols + j]!;
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    if (model.loss.name === "softmaxCrossEntropy") {
      const m = Math.max(...z[r]!),
        lse = m + Math.log(z[r]!.reduce((s, v) => s + Math.exp(v - m), 0));
      sum += z[r]!.reduce((s, v, j) => s + target(r, j) * (lse - v), 0) / rows;
    } else if (model.loss.name === "categoricalHinge") {
      // Keras' categorical_hinge
      const pos = a[r]!.reduce((s, v, j) => s + target(r, j) * v, 0);
      const neg = Math.max(...a[r]!.map((v, j) => (1 - target(r, j)) * v));
      sum += Math.max(neg - pos + 1, 0) / rows;
    } else {
      for (let j = 0; j < cols; j++) {
        const tj = target(r, j);
        if (model.loss.name === "binaryCrossEntropy") {
          const v = z[r]![j]!;
          sum += Math.max(v, 0) - v * tj + Math.log1p(Math.exp(-Math.abs(v)));
        } // BCE from the logits
        else sum += elementLoss(model.loss as Pairing["loss"], a[r]![j]!, tj);
      }
    }
  }
  let penalty = 0;
  (model.layers as readonly DenseLayer[]).forEach((l, i) => {
    for (const [r, v] of [
      [l.kernelRegularizer, w[i]!.kernel],
      [l.biasRegularizer, w[i]!.bias],
    ] as const) {
      if (r) penalty += v.reduce((s, x) => s + r.l1 * Math.abs(x) + r.l2 * x * x, 0);
    }
  });
  return (
    penalty +
    (model.loss.name === "softmaxCrossEntropy" || model.loss.name === "categoricalHinge" ? sum : sum / (rows * cols))
  );
}

const HIDDEN = Object.keys(ACTIVATIONS) as ElementwiseActivation[];

describe.each(["wasm", "js"] as const)("whole-network gradients against float64 differences (%s)", (backend) => {
  for (const hidden of HIDDEN) {
    it(`${hidden} hidden layers with every loss`, async () => {
      for (const p of PAIRINGS) {
        const output = p.output === "same" ? hidden : p.output;
        const penalties = p.regularized ? { kernelRegularizer: KERNEL_PENALTY, biasRegularizer: BIAS_PENALTY } : {};
        const model = await createModel({
          inputs: 3,
          seed: 7,
          backend,
          loss: p.loss,
          layers: [
            { units: 5, activation: hidden, biasInitializer: { name: "uniform", min: -0.5, max: 0.5 }, ...penalties },
            { units: 4, activation: hidden, biasInitializer: { name: "uniform", min: -0.5, max: 0.5 }, ...penalties },
            { units: p.outputs, activation: output, ...penalties },
          ],
        });
        const rows = 6,
          x = randomArray(rows * 3, 11, -2, 2),
          next = seeded(12);
        const t = new Float32Array(rows * p.outputs);
        for (let r = 0; r < rows; r++) {
          if (p.loss.name === "softmaxCrossEntropy" || p.loss.name === "categoricalHinge")
            t[r * p.outputs + Math.floor(next() * p.outputs)] = 1;
          else
            for (let j = 0; j < p.outputs; j++)
              t[r * p.outputs + j] = p.loss.name === "binaryCrossEntropy" ? Math.round(next()) : next() * 2 - 1;
        }
        const { loss, layers } = model.gradients({ data: x, shape: [rows, 3] }, { data: t, shape: [rows, p.outputs] });
        const w = model
          .getWeights()
          .map((l) => ({ kernel: Float64Array.from(l.kernel), bias: Float64Array.from(l.bias) }));
        expect(loss).toBeCloseTo(loss64(model, w, x, t, rows), 5);
        const analytic: number[] = [],
          numeric: number[] = [];
        const h = 1e-5;
        w.forEach((lw, i) => {
          for (const [part, grads] of [
            ["kernel", layers[i]!.kernel],
            ["bias", layers[i]!.bias],
          ] as const) {
            const v = lw[part];
            for (let k = 0; k < v.length; k++) {
              const keep = v[k]!;
              v[k] = keep + h;
              const up = loss64(model, w, x, t, rows);
              v[k] = keep - h;
              const down = loss64(model, w, x, t, rows);
              v[k] = keep;
              numeric.push((up - down) / (2 * h));
              analytic.push(grads[k]!);
            }
          }
        });
        const scale = Math.max(...numeric.map(Math.abs));
        expect(scale, `${hidden} ${JSON.stringify(p)}: gradients vanish`).toBeGreaterThan(1e-4);
        const worst = Math.max(...numeric.map((n, i) => Math.abs(n - analytic[i]!) / (scale * 1e-3 + Math.abs(n))));
        expect(worst, `${hidden} with ${JSON.stringify(p.loss)} and ${output} output`).toBeLessThan(2e-3);
        model.dispose();
      }
    });
  }
});

it("activationParameter gives leaky ReLU and ELU their defaults in the model", async () => {
  const model = await createModel({
    inputs: 1,
    seed: 1,
    layers: [
      { units: 1, activation: "leakyRelu" },
      { units: 1, activation: "elu" },
    ],
    backend: "js",
  });
  expect((model.layers as readonly DenseLayer[]).map((l) => l.alpha)).toEqual([
    activationParameter("leakyRelu"),
    activationParameter("elu"),
  ]);
});
