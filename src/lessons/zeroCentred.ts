// Lesson 3: the logistic function is not zero-centred, so a unit fed by logistic outputs gets
// weight gradients of one sign per example: its updates point into one quadrant.
import { createModel } from "../model.js";
import { fmt, lesson, pct } from "./lesson.js";
import { standardNormalRows } from "./data.js";

export default lesson(
  "zeroCentred",
  "Logistic outputs are not zero-centred",
  "A unit fed by logistic outputs (all positive) gets incoming-weight gradients that all share one sign on each example; fed by tanh outputs, it does not.",
  async ({ backend, onProgress }) => {
    const examples = 64,
      x = standardNormalRows(examples, 10, 3);
    const y = Float32Array.from({ length: examples }, (_, i) => (x[i * 10]! > 0 ? 1 : 0));
    const measure = async (activation: "sigmoid" | "tanh") => {
      const m = await createModel({
        inputs: 10,
        seed: 4,
        backend,
        loss: "binaryCrossEntropy",
        layers: [{ units: 16, activation }, { units: 16, activation }, { units: 1 }],
      });
      let sameSign = 0,
        meanActivation = 0;
      for (let i = 0; i < examples; i++) {
        // One example at a time: the gradient of one step of plain SGD with batch size 1.
        const d = m.diagnose({ data: x.subarray(i * 10, (i + 1) * 10), shape: [1, 10] }, y.subarray(i, i + 1), {
          console: false,
        });
        sameSign += d.layers[1]!.sameSignGradients! / examples;
        meanActivation += d.layers[0]!.activationStats.mean / examples;
      }
      m.dispose();
      return { sameSign, meanActivation };
    };
    const logistic = await measure("sigmoid");
    onProgress(0.5);
    const tanh = await measure("tanh");
    const holds = logistic.sameSign > 0.99 && tanh.sameSign < 0.1;
    return {
      holds,
      verdict: `units fed by logistic outputs: ${pct(logistic.sameSign)} one-signed gradients per example (mean input ${fmt(logistic.meanActivation)}); fed by tanh: ${pct(tanh.sameSign)} (mean input ${fmt(tanh.meanActivation)})`,
      figures: [
        { label: "layer-2 units with one-signed weight gradients, logistic inputs", value: pct(logistic.sameSign) },
        { label: "layer-2 units with one-signed weight gradients, tanh inputs", value: pct(tanh.sameSign) },
        {
          label: "mean layer-1 output, logistic / tanh",
          value: `${fmt(logistic.meanActivation)} / ${fmt(tanh.meanActivation)}`,
        },
      ],
      charts: [
        {
          name: "one-signed-gradients",
          title: "Share of units whose incoming-weight gradients share one sign (per example)",
          kind: "bar",
          x: { field: "inputs", title: "the layer's inputs", type: "nominal" },
          y: { field: "share", title: "share of units" },
          data: [
            { inputs: "logistic outputs", share: logistic.sameSign },
            { inputs: "tanh outputs", share: tanh.sameSign },
          ],
        },
      ],
    };
  },
);
