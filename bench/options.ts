// What fit's training options cost: one fit() epoch of 8,192 rows of a 784-256-128-10 net at
// batch 64 on the SIMD core, plain and with each option, in interleaved rounds (each round
// runs every variant once, in a rotating order); prints the median samples/s of each and its
// ratio to the plain fit measured in the same run.
//
//   npx tsx bench/options.ts [--rounds N]
import { oneHot } from "../src/data.js";
import { createModel, sgd, type FitOptions, type ModelOptions } from "../src/index.js";
import { uniformData } from "./harness.js";

const rows = 8192,
  inputs = 784,
  classes = 10;
const rounds = process.argv.includes("--rounds") ? Number(process.argv[process.argv.indexOf("--rounds") + 1]) : 7;
const x = { data: uniformData(rows * inputs, 0, 1, 1), shape: [rows, inputs] as [number, number] };
const labels = oneHot(Array.from(uniformData(rows, 0, classes, 2), Math.floor), classes);
const y = { data: labels.data, shape: [rows, classes] as [number, number] };

interface Variant {
  name: string;
  model?: Partial<ModelOptions>;
  fit?: FitOptions;
}
const penalty = { kernelRegularizer: { l1: 1e-5, l2: 1e-4 } };
const VARIANTS: Variant[] = [
  { name: "plain" },
  { name: "sampleWeight", fit: { sampleWeight: Array.from(uniformData(rows, 0.5, 2, 3)) } },
  { name: "classWeight", fit: { classWeight: { 0: 2, 3: 0.5 } } },
  {
    name: "l1l2 on every kernel",
    model: {
      layers: [
        { units: 256, ...penalty },
        { units: 128, ...penalty },
        { units: classes, ...penalty },
      ],
    },
  },
  {
    name: "metrics precision, recall, f1, topK",
    fit: { metrics: ["accuracy", "precision", "recall", "f1", "topKAccuracy"] },
  },
  { name: "loss categoricalHinge", model: { loss: "categoricalHinge" } },
];

const models = await Promise.all(
  VARIANTS.map((v) =>
    createModel({
      inputs,
      seed: 1,
      backend: "wasm",
      loss: "softmaxCrossEntropy",
      optimizer: sgd({ learningRate: 0.01 }),
      layers: [{ units: 256 }, { units: 128 }, { units: classes }],
      ...v.model,
    }),
  ),
);
const epoch = async (i: number): Promise<number> => {
  const t0 = performance.now();
  await models[i]!.fit(x, y, { epochs: 1, batchSize: 64, ...VARIANTS[i]!.fit });
  return performance.now() - t0;
};
for (let i = 0; i < VARIANTS.length; i++) await epoch(i); // warm-up
const times: number[][] = VARIANTS.map(() => []);
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < VARIANTS.length; k++) {
    const i = (r + k) % VARIANTS.length;
    times[i]!.push(await epoch(i));
  }
}
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const rate = times.map((t) => rows / (median(t) / 1000));
console.log(`fit epoch, 784-256-128-10, ${rows} rows, batch 64, wasm core, median of ${rounds} interleaved rounds`);
VARIANTS.forEach((v, i) =>
  console.log(
    `  ${v.name.padEnd(38)} ${rate[i]!.toFixed(0).padStart(7)} samples/s  ${(rate[i]! / rate[0]!).toFixed(3)} x plain`,
  ),
);
for (const m of models) m.dispose();
