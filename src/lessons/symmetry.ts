// Lesson 7: the symmetry problem. Equal initial weights give every unit of a layer the same
// output and the same gradient, so they stay copies of each other however long they train.
import * as datasets from "../datasets.js";
import * as init from "../initializers.js";
import type { Initializer } from "../initializers.js";
import { createModel } from "../model.js";
import { sgd } from "../optimizers.js";
import { lesson, pct } from "./lesson.js";

export default lesson(
  "symmetry",
  "Equal initial weights never break symmetry",
  "With every weight initialized to the same value (zero included), all units of a layer compute the same thing and get the same update, epoch after epoch; random initialization breaks the symmetry.",
  async ({ backend, onProgress }) => {
    const data = datasets.circles({ samples: 400, noise: 0.05, seed: 11 });
    const curves: Record<string, number | string>[] = [];
    const run = async (label: string, kernel: Initializer) => {
      const m = await createModel({
        inputs: 2,
        seed: 12,
        backend,
        loss: "binaryCrossEntropy",
        optimizer: sgd({ learningRate: 0.2, momentum: 0.9 }),
        layers: [
          { units: 8, activation: "tanh", kernelInitializer: kernel },
          { units: 8, activation: "tanh", kernelInitializer: kernel },
          { units: 1, kernelInitializer: kernel },
        ],
      });
      const h = await m.fit(data.x, data.labels, {
        epochs: 60,
        batchSize: 20,
        diagnostics: { console: false, every: 5, sample: 400 },
      });
      // Distinct units per hidden layer: units minus those that copy another.
      const distinct = (d: (typeof h.diagnostics)[number], layer: number): number => {
        const l = d.layers[layer]!;
        return l.units - l.identicalUnits.reduce((s, g) => s + g.length - 1, 0);
      };
      for (const d of h.diagnostics)
        curves.push({ init: label, epoch: d.epoch + 1, distinct: distinct(d, 0) + distinct(d, 1) });
      const last = h.diagnostics[h.diagnostics.length - 1]!;
      m.dispose();
      return { distinct: [distinct(last, 0), distinct(last, 1)], accuracy: h.accuracy[h.accuracy.length - 1]! };
    };
    const constant = await run("constant 0.5", init.constant(0.5));
    const zeros = await run("zeros", init.zeros());
    onProgress(0.6);
    const random = await run("glorotUniform", init.glorotUniform());
    const holds =
      constant.distinct.every((d) => d === 1) &&
      zeros.distinct.every((d) => d === 1) &&
      random.distinct.every((d) => d === 8);
    return {
      holds,
      verdict:
        `after 60 epochs, distinct units per hidden layer (of 8): constant init ${constant.distinct.join(" and ")}, zeros ${zeros.distinct.join(" and ")}, ` +
        `Glorot ${random.distinct.join(" and ")}; accuracy ${pct(constant.accuracy)} / ${pct(zeros.accuracy)} / ${pct(random.accuracy)}`,
      figures: [
        { label: "distinct hidden units, constant 0.5 init", value: constant.distinct.join(" + ") },
        { label: "distinct hidden units, zeros init", value: zeros.distinct.join(" + ") },
        { label: "distinct hidden units, glorotUniform init", value: random.distinct.join(" + ") },
        {
          label: "training accuracy on circles: constant / zeros / Glorot",
          value: `${pct(constant.accuracy)} / ${pct(zeros.accuracy)} / ${pct(random.accuracy)}`,
        },
      ],
      charts: [
        {
          name: "distinct-units",
          title: "Distinct hidden units (of 16) during training: equal inits stay at one per layer",
          kind: "line",
          x: { field: "epoch", title: "epoch" },
          y: { field: "distinct", title: "distinct units" },
          series: "init",
          data: curves,
        },
      ],
    };
  },
);
