// Lesson 10: the pairings side by side on one task. A deep net (8 hidden layers) learns two
// moons with each activation/initializer pairing; which reaches 97% first, and which not at all.
import type { ActivationName } from "../activations.js";
import * as datasets from "../datasets.js";
import * as init from "../initializers.js";
import type { Initializer } from "../initializers.js";
import { createModel } from "../model.js";
import { sgd } from "../optimizers.js";
import { fmt, lesson, pct } from "./lesson.js";

const HIDDEN = 8,
  WIDTH = 32,
  EPOCHS = 60,
  TARGET = 0.97;

const PAIRINGS: { activation: ActivationName; init: string; make: () => Initializer; recommended: boolean }[] = [
  { activation: "relu", init: "heNormal", make: init.heNormal, recommended: true },
  { activation: "leakyRelu", init: "heNormal", make: () => init.heNormal({ slope: 0.01 }), recommended: true },
  { activation: "tanh", init: "glorotUniform", make: init.glorotUniform, recommended: true },
  { activation: "sigmoid", init: "glorotUniform", make: init.glorotUniform, recommended: false },
  { activation: "relu", init: "normal(0.01)", make: () => init.normal({ std: 0.01 }), recommended: false },
  { activation: "tanh", init: "normal(1)", make: () => init.normal({ std: 1 }), recommended: false },
];

export default lesson(
  "summary",
  "Which pairing trains a deep net fastest",
  `On one task (two moons, ${HIDDEN} hidden layers of ${WIDTH}, SGD with momentum), the article's pairings (ReLU or leaky ReLU with He, tanh with Xavier) reach ${TARGET * 100}% first; logistic and badly scaled initializations are slower or never get there.`,
  async ({ backend, onProgress }) => {
    const data = datasets.twoMoons({ samples: 600, noise: 0.1, seed: 17 });
    const curves: Record<string, number | string>[] = [];
    const results = [];
    for (const [k, p] of PAIRINGS.entries()) {
      const label = `${p.activation} + ${p.init}`;
      const m = await createModel({
        inputs: 2,
        seed: 18,
        backend,
        normalize: "standardize",
        loss: "binaryCrossEntropy",
        optimizer: sgd({ learningRate: 0.02, momentum: 0.9 }),
        layers: [
          ...Array.from({ length: HIDDEN }, () => ({
            units: WIDTH,
            activation: p.activation,
            kernelInitializer: p.make(),
          })),
          { units: 1 },
        ],
      });
      const h = await m.fit(data.x, data.labels, { epochs: EPOCHS, batchSize: 32, onNonFinite: "skip" });
      m.dispose();
      h.loss.forEach((loss, epoch) => curves.push({ pairing: label, epoch: epoch + 1, loss }));
      const reached = h.accuracy.findIndex((a) => a >= TARGET);
      results.push({
        label,
        recommended: p.recommended,
        epochs: reached < 0 ? Infinity : reached + 1,
        accuracy: h.accuracy[h.accuracy.length - 1]!,
        loss: h.loss[h.loss.length - 1]!,
      });
      onProgress((k + 1) / PAIRINGS.length);
    }
    const ranked = [...results].sort((a, b) => a.epochs - b.epochs || a.loss - b.loss);
    const bestOther = Math.min(...results.filter((r) => !r.recommended).map((r) => r.epochs));
    const holds = ranked[0]!.recommended && results.filter((r) => r.recommended).every((r) => r.epochs < bestOther);
    const when = (e: number): string => (Number.isFinite(e) ? `epoch ${e}` : `not in ${EPOCHS} epochs`);
    return {
      holds,
      verdict: `first to ${pct(TARGET)}: ${ranked.map((r) => `${r.label} (${when(r.epochs)})`).join(", ")}`,
      figures: ranked.map((r) => ({
        label: `${r.label}: reached ${pct(TARGET)}`,
        value: `${when(r.epochs)}; final accuracy ${pct(r.accuracy)}, loss ${fmt(r.loss)}`,
      })),
      charts: [
        {
          name: "loss",
          title: `Two moons, ${HIDDEN} hidden layers: loss by epoch per pairing`,
          kind: "line",
          x: { field: "epoch", title: "epoch" },
          y: { field: "loss", title: "binary cross-entropy", log: true },
          series: "pairing",
          data: curves,
        },
      ],
    };
  },
);
