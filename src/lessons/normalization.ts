// Lesson 8: unnormalized inputs (and large weights) blow up pre-activations; normalizing the
// inputs brings them back to the range where tanh and logistic have a gradient.
import * as datasets from "../datasets.js";
import { createModel } from "../model.js";
import { sgd } from "../optimizers.js";
import { fmt, lesson, pct } from "./lesson.js";

export default lesson(
  "normalization",
  "Normalize the inputs",
  "Inputs on a scale of hundreds blow up the pre-activations of a Glorot-initialized tanh net and saturate it, and it trains badly; the same data standardized trains well.",
  async ({ backend, onProgress }) => {
    const moons = datasets.twoMoons({ samples: 600, noise: 0.1, seed: 13 });
    // The same points in units a sensor might report: offset and scaled by hundreds.
    const raw = moons.x.data.map((v, i) => (i % 2 === 0 ? 300 * v + 1000 : 200 * v - 500));
    const x = { data: raw, shape: moons.x.shape };
    const curves: Record<string, number | string>[] = [];
    const run = async (label: string, normalize: "standardize" | "none") => {
      const m = await createModel({
        inputs: 2,
        seed: 14,
        backend,
        normalize,
        loss: "binaryCrossEntropy",
        optimizer: sgd({ learningRate: 0.05, momentum: 0.9 }),
        layers: [{ units: 16, activation: "tanh" }, { units: 16, activation: "tanh" }, { units: 1 }],
      });
      // Raw inputs on purpose: the lesson shows what fit's warning is about.
      const h = await m.fit(x, moons.labels, { epochs: 60, batchSize: 32, onNonFinite: "skip", warnings: false });
      h.loss.forEach((loss, epoch) => curves.push({ inputs: label, epoch: epoch + 1, loss }));
      const d = m.diagnose(x, moons.labels, { console: false });
      m.dispose();
      return {
        accuracy: h.accuracy[h.accuracy.length - 1]!,
        zStd: d.layers[0]!.preActivation.std,
        saturated: d.layers[0]!.saturated!,
        warned: d.warnings.some((w) => w.kind === "unnormalizedInputs"),
      };
    };
    const rawRun = await run("raw (scale ~100s)", "none");
    onProgress(0.5);
    const standardized = await run("standardized", "standardize");
    const holds =
      rawRun.zStd > 30 * standardized.zStd &&
      rawRun.saturated > 0.8 &&
      standardized.accuracy >= 0.95 &&
      standardized.accuracy > rawRun.accuracy + 0.05 &&
      rawRun.warned &&
      !standardized.warned;
    return {
      holds,
      verdict:
        `layer-1 pre-activation std ${fmt(rawRun.zStd)} raw vs ${fmt(standardized.zStd)} standardized (${pct(rawRun.saturated)} vs ${pct(standardized.saturated)} saturated); ` +
        `training accuracy ${pct(rawRun.accuracy)} vs ${pct(standardized.accuracy)}`,
      figures: [
        {
          label: "layer-1 pre-activation std, raw / standardized",
          value: `${fmt(rawRun.zStd)} / ${fmt(standardized.zStd)}`,
        },
        {
          label: "layer-1 tanh values saturated, raw / standardized",
          value: `${pct(rawRun.saturated)} / ${pct(standardized.saturated)}`,
        },
        {
          label: "training accuracy after 60 epochs, raw / standardized",
          value: `${pct(rawRun.accuracy)} / ${pct(standardized.accuracy)}`,
        },
        {
          label: "diagnostics warned about unnormalized inputs, raw / standardized",
          value: `${rawRun.warned} / ${standardized.warned}`,
        },
      ],
      charts: [
        {
          name: "loss",
          title: "Two moons: loss by epoch, raw vs standardized inputs",
          kind: "line",
          x: { field: "epoch", title: "epoch" },
          y: { field: "loss", title: "binary cross-entropy", log: true },
          series: "inputs",
          data: curves,
        },
      ],
    };
  },
);
