// Lesson 11, beyond "Activation Functions and Initialization Methods" (which stops at
// initialization): batch normalization (Ioffe & Szegedy 2015) as the other answer to a bad
// start. The depth lesson's failing pairings, ReLU with tiny normal weights (the signal
// vanishes) and tanh with large ones (the units saturate), trained ten layers deep with and
// without a batch normalization between each dense layer's product and its nonlinearity.
import type { ActivationName } from "../activations.js";
import * as datasets from "../datasets.js";
import * as init from "../initializers.js";
import type { LayerOptions } from "../layers.js";
import { createModel } from "../model.js";
import { sgd } from "../optimizers.js";
import { fmt, lesson, pct } from "./lesson.js";

const DEPTH = 10,
  WIDTH = 32,
  EPOCHS = 30;
/** A run counts as trained at this test accuracy, as failed below FAILED. */
const TRAINED = 0.85,
  FAILED = 0.7;

const PAIRINGS: { activation: ActivationName; init: string; std: number }[] = [
  { activation: "relu", init: "normal(0.01)", std: 0.01 },
  { activation: "tanh", init: "normal(1)", std: 1 },
];

/** Ten hidden layers of the pairing, plain or with batch normalization before each activation
 *  (the dense layer then has no bias: beta takes its place, as Ioffe & Szegedy advise). */
function stack(activation: ActivationName, std: number, normalized: boolean): LayerOptions[] {
  const layers: LayerOptions[] = [];
  for (let i = 0; i < DEPTH; i++) {
    const kernelInitializer = init.normal({ std });
    if (normalized) {
      layers.push(
        { units: WIDTH, activation: "identity", useBias: false, kernelInitializer },
        { type: "batchNormalization" },
        { type: "activation", activation: activation as never },
      );
    } else {
      layers.push({ units: WIDTH, activation, kernelInitializer });
    }
  }
  layers.push({ units: 1, activation: "sigmoid" });
  return layers;
}

export default lesson(
  "normalizationLayers",
  "Normalization layers rescue a badly initialized deep net (beyond the article)",
  "Beyond the article: ten layers deep, ReLU with tiny weights and tanh with large ones do not learn the circles with SGD, and the same nets with batch normalization before each activation do.",
  async ({ backend, onProgress }) => {
    const { train, test } = datasets.trainTestSplit(
      datasets.circles({ samples: 400, noise: 0.08, seed: 21 }),
      0.25,
      22,
    );
    const curves: Record<string, number | string>[] = [],
      depth: Record<string, number | string>[] = [];
    const results = [];
    let done = 0;
    for (const p of PAIRINGS) {
      for (const normalized of [false, true]) {
        const label = `${p.activation} + ${p.init}${normalized ? " + batch norm" : ""}`;
        const m = await createModel({
          inputs: 2,
          seed: 23,
          backend,
          normalize: "standardize",
          loss: "binaryCrossEntropy",
          optimizer: sgd({ learningRate: 0.1, momentum: 0.9 }),
          layers: stack(p.activation, p.std, normalized),
        });
        // The activations' spread at the start, layer by layer (at each nonlinearity).
        const start = m
          .diagnose(train.x, undefined, { console: false })
          .layers.filter((l) => l.activation === p.activation);
        start.forEach((l, i) =>
          depth.push({ setup: label, layer: i + 1, std: Math.max(l.activationStats.std, 1e-12) }),
        );
        const h = await m.fit(train.x, train.labels, { epochs: EPOCHS, batchSize: 32, warnings: false });
        h.loss.forEach((loss, e) => curves.push({ setup: label, epoch: e + 1, loss }));
        const accuracy = m.evaluate(test.x, test.labels).accuracy!;
        m.dispose();
        results.push({
          label,
          normalized,
          pairing: p,
          accuracy,
          loss: h.loss[h.loss.length - 1]!,
          firstStd: start[0]!.activationStats.std,
          lastStd: start[start.length - 1]!.activationStats.std,
          saturated: start[start.length - 1]!.saturated,
        });
        onProgress(++done / (2 * PAIRINGS.length));
      }
    }
    const plain = results.filter((r) => !r.normalized),
      normalized = results.filter((r) => r.normalized);
    const holds = plain.every((r) => r.accuracy < FAILED) && normalized.every((r) => r.accuracy >= TRAINED);
    return {
      holds,
      verdict: PAIRINGS.map(
        (p, i) =>
          `${p.activation} + ${p.init}: test accuracy ${pct(plain[i]!.accuracy)} plain, ` +
          `${pct(normalized[i]!.accuracy)} with batch normalization`,
      ).join("; "),
      figures: results.flatMap((r) => [
        { label: `${r.label}: test accuracy after ${EPOCHS} epochs`, value: pct(r.accuracy) },
        { label: `${r.label}: final training loss`, value: fmt(r.loss) },
        {
          label: `${r.label}: activation std, layer 1 -> ${DEPTH} at the start`,
          value: `${fmt(r.firstStd)} -> ${fmt(r.lastStd)}`,
        },
        ...(r.saturated !== undefined
          ? [{ label: `${r.label}: layer ${DEPTH} saturated at the start`, value: pct(r.saturated) }]
          : []),
      ]),
      charts: [
        {
          name: "loss-by-epoch",
          title: `Training loss, ${DEPTH} layers of ${WIDTH}: with and without batch normalization`,
          kind: "line",
          x: { field: "epoch", title: "epoch" },
          y: { field: "loss", title: "training loss" },
          series: "setup",
          data: curves,
        },
        {
          name: "std-by-depth",
          title: "Std of activations at the start, layer by layer",
          kind: "line",
          x: { field: "layer", title: "layer" },
          y: { field: "std", title: "std of activations", log: true },
          series: "setup",
          data: depth,
        },
      ],
    };
  },
);
