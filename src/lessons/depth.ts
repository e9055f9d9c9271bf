// Lesson 9: the initializer must match the activation to keep the activations' spread
// through depth: Xavier/Glorot for tanh and logistic (Glorot & Bengio 2010), He for ReLU and
// leaky ReLU (He et al. 2015). The wrong pairing shrinks or explodes it layer after layer.
import type { ActivationName } from "../activations.js";
import * as init from "../initializers.js";
import type { Initializer } from "../initializers.js";
import { createModel } from "../model.js";
import { fmt, lesson } from "./lesson.js";
import { standardNormalRows } from "./data.js";

const DEPTH = 10,
  WIDTH = 256,
  ROWS = 512;

/** A pairing's std ratio (last layer over first) counts as steady within [1/4, 4]. */
const STEADY = 4;

const PAIRINGS: {
  activation: ActivationName;
  init: string;
  make: () => Initializer;
  expect: "steady" | "shrinks" | "explodes";
}[] = [
  { activation: "tanh", init: "glorotUniform", make: init.glorotUniform, expect: "steady" },
  { activation: "sigmoid", init: "glorotUniform", make: init.glorotUniform, expect: "steady" },
  { activation: "relu", init: "heNormal", make: init.heNormal, expect: "steady" },
  { activation: "leakyRelu", init: "heNormal", make: () => init.heNormal({ slope: 0.01 }), expect: "steady" },
  { activation: "relu", init: "glorotUniform", make: init.glorotUniform, expect: "shrinks" },
  { activation: "tanh", init: "normal(0.01)", make: () => init.normal({ std: 0.01 }), expect: "shrinks" },
  { activation: "relu", init: "normal(0.2)", make: () => init.normal({ std: 0.2 }), expect: "explodes" },
];

export default lesson(
  "depth",
  "Match the initializer to the activation",
  "Through 10 layers of 256 units, Xavier keeps the spread of tanh and logistic activations steady and He keeps that of ReLU and leaky ReLU; the wrong pairing shrinks or explodes it.",
  async ({ backend, onProgress }) => {
    const x = { data: standardNormalRows(ROWS, WIDTH, 15), shape: [ROWS, WIDTH] as [number, number] };
    const rows: Record<string, number | string>[] = [];
    const results = [];
    for (const [k, p] of PAIRINGS.entries()) {
      const m = await createModel({
        inputs: WIDTH,
        seed: 16,
        backend,
        layers: Array.from({ length: DEPTH }, () => ({
          units: WIDTH,
          activation: p.activation,
          kernelInitializer: p.make(),
        })),
      });
      const std = m.diagnose(x, undefined, { console: false }).layers.map((l) => l.activationStats.std);
      m.dispose();
      const label = `${p.activation} + ${p.init}`;
      std.forEach((s, i) => rows.push({ pairing: label, layer: i + 1, std: s }));
      const ratio = std[DEPTH - 1]! / std[0]!;
      const seen = ratio > STEADY ? "explodes" : ratio < 1 / STEADY ? "shrinks" : "steady";
      results.push({ label, ratio, seen, expected: p.expect, first: std[0]!, last: std[DEPTH - 1]! });
      onProgress((k + 1) / PAIRINGS.length);
    }
    const holds = results.every((r) => r.seen === r.expected);
    return {
      holds,
      verdict: results.map((r) => `${r.label} ${r.seen} (x${fmt(r.ratio)})`).join("; "),
      figures: results.map((r) => ({
        label: `${r.label}: std layer 1 -> 10 (expected ${r.expected})`,
        value: `${fmt(r.first)} -> ${fmt(r.last)}, ${r.seen}`,
      })),
      charts: [
        {
          name: "std-by-depth",
          title: "Std of activations through 10 layers of 256 units",
          kind: "line",
          x: { field: "layer", title: "layer" },
          y: { field: "std", title: "std of activations", log: true },
          series: "pairing",
          data: rows,
        },
      ],
    };
  },
);
