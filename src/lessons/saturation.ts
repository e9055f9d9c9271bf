// Lesson 2: large initial weights on many inputs saturate logistic units, and the gradient
// reaching the first layer collapses.
import { createModel } from "../model.js";
import * as init from "../initializers.js";
import type { Initializer } from "../initializers.js";
import { fmt, lesson, pct } from "./lesson.js";
import { histogramChart, uniformRows } from "./data.js";

export default lesson(
  "saturation",
  "Logistic units saturate under large weights",
  "With 100 inputs in [0, 1], large initial weights push pre-activations far from 0: the logistic units saturate and the gradient reaching the first layer collapses by orders of magnitude.",
  async ({ backend, onProgress }) => {
    const rows = 512,
      x = uniformRows(rows, 100, 1);
    const y = Float32Array.from({ length: rows }, (_, i) => (x[i * 100]! > x[i * 100 + 1]! ? 1 : 0));
    const probe = async (label: string, kernel: Initializer) => {
      const m = await createModel({
        inputs: 100,
        seed: 2,
        backend,
        loss: "binaryCrossEntropy",
        // Only the first layer's weights differ: what follows is the same Glorot stack.
        layers: [
          { units: 64, activation: "sigmoid", kernelInitializer: kernel },
          { units: 64, activation: "sigmoid" },
          { units: 64, activation: "sigmoid" },
          { units: 1 },
        ],
      });
      const d = m.diagnose({ data: x, shape: [rows, 100] }, y, { console: false, gradientRows: rows });
      m.dispose();
      return { label, d, first: d.layers[0]! };
    };
    // The article's case: every weight large (here in [0.5, 1.5)) on 100 inputs in [0, 1].
    const large = await probe("uniform [0.5, 1.5)", init.uniform({ min: 0.5, max: 1.5 }));
    onProgress(0.35);
    // Large but of random sign: fewer units saturate on every input, yet most values do.
    const random = await probe("normal(std 3)", init.normal({ std: 3 }));
    onProgress(0.7);
    const small = await probe("glorotUniform", init.glorotUniform());
    const collapse = small.first.kernelGradientNorm! / large.first.kernelGradientNorm!;
    const randomCollapse = small.first.kernelGradientNorm! / random.first.kernelGradientNorm!;
    const holds =
      large.first.saturated! > 0.99 &&
      random.first.saturated! > 0.5 &&
      small.first.saturated! < 0.05 &&
      collapse >= 100 &&
      randomCollapse > 1;
    return {
      holds,
      verdict:
        `layer 1 saturated: ${pct(large.first.saturated!)} with large weights, ${pct(random.first.saturated!)} with std-3 weights, ` +
        `${pct(small.first.saturated!)} with Glorot; the first layer's gradient shrinks ${fmt(collapse)}x (${fmt(randomCollapse)}x)`,
      figures: [
        ...[large, random, small].map((r) => ({
          label: `${r.label}: layer-1 pre-activation mean / std`,
          value: `${fmt(r.first.preActivation.mean)} / ${fmt(r.first.preActivation.std)}`,
        })),
        ...[large, random, small].map((r) => ({
          label: `${r.label}: saturated (f' < 1% of peak)`,
          value: pct(r.first.saturated!),
        })),
        ...[large, random, small].map((r) => ({
          label: `${r.label}: layer-1 kernel gradient norm`,
          value: fmt(r.first.kernelGradientNorm!),
        })),
      ],
      charts: [
        histogramChart(
          "activation-histograms",
          "Logistic activations by layer: large vs Glorot initial weights",
          [large, random, small].map(({ label, d }) => ({ label, layers: d.layers.slice(0, 3) })),
          "activation",
        ),
      ],
    };
  },
);
