// Lesson 5: tanh is zero-centred, but it saturates like the logistic function.
import { createModel } from "../model.js";
import * as init from "../initializers.js";
import type { Initializer } from "../initializers.js";
import { fmt, lesson, pct } from "./lesson.js";
import { histogramChart, standardNormalRows } from "./data.js";

export default lesson(
  "tanh",
  "tanh is zero-centred but saturates too",
  "tanh outputs average near 0 where logistic outputs average near 0.5, yet with large weights most tanh values sit at ±1, where its derivative vanishes.",
  async ({ backend, onProgress }) => {
    const rows = 512,
      x = standardNormalRows(rows, 100, 5);
    const y = Float32Array.from({ length: rows }, (_, i) => (x[i * 100]! > 0 ? 1 : 0));
    const probe = async (label: string, activation: "tanh" | "sigmoid", kernel: Initializer) => {
      const m = await createModel({
        inputs: 100,
        seed: 6,
        backend,
        loss: "binaryCrossEntropy",
        layers: [{ units: 64, activation, kernelInitializer: kernel }, { units: 64, activation }, { units: 1 }],
      });
      const d = m.diagnose({ data: x, shape: [rows, 100] }, y, { console: false, gradientRows: rows });
      m.dispose();
      return { label, d, first: d.layers[0]! };
    };
    const tanhSmall = await probe("tanh, Glorot", "tanh", init.glorotUniform());
    const logisticSmall = await probe("logistic, Glorot", "sigmoid", init.glorotUniform());
    onProgress(0.5);
    const tanhLarge = await probe("tanh, normal(std 1)", "tanh", init.normal({ std: 1 }));
    const collapse = tanhSmall.first.kernelGradientNorm! / tanhLarge.first.kernelGradientNorm!;
    const holds =
      Math.abs(tanhSmall.first.activationStats.mean) < 0.05 &&
      logisticSmall.first.activationStats.mean > 0.4 &&
      tanhLarge.first.saturated! > 0.5 &&
      tanhSmall.first.saturated! < 0.05;
    return {
      holds,
      verdict:
        `mean output: tanh ${fmt(tanhSmall.first.activationStats.mean)}, logistic ${fmt(logisticSmall.first.activationStats.mean)}; ` +
        `with std-1 weights ${pct(tanhLarge.first.saturated!)} of tanh values saturate (${pct(tanhSmall.first.saturated!)} with Glorot), first-layer gradient ${fmt(collapse)}x smaller`,
      figures: [
        {
          label: "layer-1 mean output, tanh / logistic (Glorot)",
          value: `${fmt(tanhSmall.first.activationStats.mean)} / ${fmt(logisticSmall.first.activationStats.mean)}`,
        },
        {
          label: "tanh saturated (f' < 1% of peak), std-1 / Glorot",
          value: `${pct(tanhLarge.first.saturated!)} / ${pct(tanhSmall.first.saturated!)}`,
        },
        {
          label: "layer-1 kernel gradient norm, std-1 / Glorot",
          value: `${fmt(tanhLarge.first.kernelGradientNorm!)} / ${fmt(tanhSmall.first.kernelGradientNorm!)}`,
        },
      ],
      charts: [
        histogramChart(
          "activation-histograms",
          "tanh and logistic activations by layer",
          [tanhSmall, tanhLarge, logisticSmall].map(({ label, d }) => ({ label, layers: d.layers.slice(0, 2) })),
          "activation",
        ),
      ],
    };
  },
);
