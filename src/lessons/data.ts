// Inputs and chart shapes the lessons share.
import * as xoshiro from "../backend/js/random.js";
import { edgeFoldedCounts, type LayerDiagnostics } from "../diagnostics.js";
import type { Chart } from "./lesson.js";

/** rows x cols standard normal values (already standardized inputs, as the article advises). */
export function standardNormalRows(rows: number, cols: number, seed: number): Float32Array {
  const out = new Float32Array(rows * cols);
  xoshiro.fillNormal(xoshiro.seedState(seed, 77), out, 0, 1);
  return out;
}

/** rows x cols uniform values in [0, 1) (the article's "standardized values between 0 and 1"). */
export function uniformRows(rows: number, cols: number, seed: number): Float32Array {
  const out = new Float32Array(rows * cols);
  xoshiro.fillUniform(xoshiro.seedState(seed, 78), out, 0, 1, Math.fround(1 - 2 ** -24));
  return out;
}

/** Histograms of each layer's activations (or pre-activations), one series per setup. */
export function histogramChart(
  name: string,
  title: string,
  setups: { label: string; layers: LayerDiagnostics[] }[],
  of: "activation" | "preActivation",
): Chart {
  const data: Record<string, number | string>[] = [];
  for (const { label, layers } of setups) {
    for (const l of layers) {
      const h = (of === "activation" ? l.activationStats : l.preActivation).histogram;
      const width = (h.hi - h.lo) / h.counts.length,
        total = h.counts.reduce((s, c) => s + c, 0) + h.below + h.above;
      edgeFoldedCounts(h).forEach((c, k) =>
        data.push({
          setup: label,
          layer: `layer ${l.layer}`,
          from: h.lo + k * width,
          to: h.lo + (k + 1) * width,
          share: c / total,
        }),
      );
    }
  }
  return {
    name,
    title,
    kind: "bar",
    x: { field: "from", title: of === "activation" ? "activation" : "pre-activation" },
    x2: "to",
    y: { field: "share", title: "share of values" },
    series: "setup",
    facet: "layer",
    row: "setup",
    data,
  };
}
