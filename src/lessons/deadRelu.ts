// Lesson 6: dead ReLUs. A unit whose pre-activation is negative on every input gets no
// gradient and never changes again; a too-high learning rate kills many units; leaky ReLU
// keeps a gradient flowing, and a small positive bias is the other remedy the article offers.
import * as datasets from "../datasets.js";
import { createModel } from "../model.js";
import { adam, sgd } from "../optimizers.js";
import { fmt, lesson, pct, type Chart } from "./lesson.js";

export default lesson(
  "deadRelu",
  "Dead ReLUs stay dead",
  "A ReLU unit pushed to a large negative bias gets exactly zero gradient and never changes again, while a leaky unit keeps learning; a too-high learning rate kills a large fraction of ReLUs.",
  async ({ backend, onProgress }) => {
    const moons = datasets.twoMoons({ samples: 800, noise: 0.15, seed: 7 });
    // 1. One unit with bias -10 from the start (no optimizer history to carry it).
    const stuck = async (activation: "relu" | "leakyRelu") => {
      const m = await createModel({
        inputs: 2,
        seed: 9,
        backend,
        loss: "binaryCrossEntropy",
        optimizer: adam({ learningRate: 0.01 }),
        layers: [{ units: 16, activation }, { units: 1 }],
      });
      const w = m.getWeights();
      w[0]!.bias[0] = -10;
      m.setWeights(w);
      const unit = (k: Float32Array, b: Float32Array) => [k[0]!, k[16]!, b[0]!];
      const before = unit(w[0]!.kernel, w[0]!.bias);
      await m.fit(moons.x, moons.labels, { epochs: 40, batchSize: 32 });
      const a = m.getWeights()[0]!;
      const after = unit(a.kernel, a.bias);
      const moved = Math.hypot(...after.map((v, i) => v - before[i]!));
      m.dispose();
      return { moved, unchanged: after.every((v, i) => Object.is(v, before[i])), bias: after[2]! };
    };
    const reluUnit = await stuck("relu");
    const leakyUnit = await stuck("leakyRelu");
    onProgress(0.3);

    // 2. The same net trained with a sane and a too-high learning rate; dead units per epoch.
    const curves: Record<string, number | string>[] = [];
    const deadAfter = async (label: string, learningRate: number, bias: "zeros" | "smallPositive") => {
      const m = await createModel({
        inputs: 2,
        seed: 8,
        backend,
        normalize: "standardize",
        loss: "binaryCrossEntropy",
        optimizer: sgd({ learningRate, momentum: 0.9 }),
        layers: [{ units: 64, biasInitializer: bias }, { units: 64, biasInitializer: bias }, { units: 1 }],
      });
      const h = await m.fit(moons.x, moons.labels, {
        epochs: 30,
        batchSize: 32,
        diagnostics: { console: false, sample: 800 },
      });
      for (const d of h.diagnostics)
        curves.push({ run: label, epoch: d.epoch + 1, dead: (d.layers[0]!.dead! + d.layers[1]!.dead!) / 2 });
      const last = h.diagnostics[h.diagnostics.length - 1]!;
      m.dispose();
      return {
        dead: (last.layers[0]!.dead! + last.layers[1]!.dead!) / 2,
        accuracy: h.accuracy[h.accuracy.length - 1]!,
      };
    };
    const calm = await deadAfter("lr 0.01", 0.01, "zeros");
    onProgress(0.55);
    const hot = await deadAfter("lr 0.5", 0.5, "zeros");
    onProgress(0.8);
    const hotPositive = await deadAfter("lr 0.5, bias 0.01", 0.5, "smallPositive");
    const holds =
      reluUnit.unchanged &&
      !leakyUnit.unchanged &&
      leakyUnit.moved > 1e-3 &&
      hot.dead > 0.3 &&
      hot.dead > 3 * calm.dead;
    const chart: Chart = {
      name: "dead-fraction",
      title: "Dead ReLU units (share of both hidden layers) by epoch",
      kind: "line",
      x: { field: "epoch", title: "epoch" },
      y: { field: "dead", title: "share of units dead on every sample" },
      series: "run",
      data: curves,
    };
    return {
      holds,
      verdict:
        `the ReLU unit with bias -10 ${reluUnit.unchanged ? "never changed (bit for bit)" : "changed"} in 40 epochs, the leaky one moved ${fmt(leakyUnit.moved)}; ` +
        `dead units after 30 epochs: ${pct(hot.dead)} at lr 0.5 vs ${pct(calm.dead)} at lr 0.01 (${pct(hotPositive.dead)} with bias 0.01)`,
      figures: [
        {
          label: "ReLU unit with bias -10: weights and bias after 40 epochs",
          value: reluUnit.unchanged ? "unchanged" : `moved ${fmt(reluUnit.moved)}`,
        },
        { label: "leaky ReLU unit with bias -10: change of weights and bias", value: fmt(leakyUnit.moved) },
        { label: "dead units, lr 0.01 / lr 0.5", value: `${pct(calm.dead)} / ${pct(hot.dead)}` },
        { label: "dead units, lr 0.5 with small positive bias (0.01)", value: pct(hotPositive.dead) },
        { label: "training accuracy, lr 0.01 / lr 0.5", value: `${pct(calm.accuracy)} / ${pct(hot.accuracy)}` },
      ],
      charts: [chart],
    };
  },
);
