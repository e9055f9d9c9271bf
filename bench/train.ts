// The training benchmark (`npm run bench:train`, also part of `npm run bench`): samples per
// second of whole training steps (forward, loss, backward, SGD update) on the same batches,
// simdnet against its pure-JS path, TF.js layers on its wasm and cpu backends, and brain.js
// where it can express the net. Writes bench/results/train.json and train.md.
//
//   npx tsx bench/train.ts [--quick] [--filter <substring>]
import os from "node:os";
import "@tensorflow/tfjs-backend-cpu";
import type { Backend } from "../src/backend/backend.js";
import { createWasmBackend } from "../src/backend/wasm.js";
import { oneHot } from "../src/data.js";
import { createModel, sgd } from "../src/index.js";
import { uniformData } from "./harness.js";
import * as peers from "./peers/training.js";
import * as tfjs from "./peers/tfjs.js";
import type { Row, TargetResult } from "./report.js";
import { finish, gitHead, loadCoreBytes, makeReport, parseArgs, runCases, runMain, type Case } from "./suite.js";

const NOTES = [
  "One call is one training step on one batch (forward, loss, backward, SGD update), cycling over 8 pre-made batches; rates are samples per second, medians over interleaved samples, one thread.",
  "simdnet and simdnet-js: model.trainOnBatch, which checks and copies the batch into the model's buffers like a user's loop; fit() moves the data in once per fit and is at least as fast.",
  "tfjs: tf.sequential of dense layers, compile({ optimizer: tf.train.sgd }), await model.trainOnBatch (it reads the loss back each step).",
  "brain.js 1.6.1 trains one sample at a time (no batches; momentum always on): its call is trainPatterns over the same 256 rows, after formatting them once (untimed).",
  "train-784-256-bn-128-10 and train-784-256-dropout-128-10: the 784-256-128-10 net with batch normalization (momentum 0.99, epsilon 1e-3) or dropout (rate 0.2) after each hidden dense layer, in both libraries; their goals compare them with tfjs-wasm and with simdnet-plain, the same net without the extra layers, measured interleaved in the same case.",
  "epoch-784-256-128-10: one fit() epoch of 8,192 rows at batch 64, plain and with per-epoch diagnostics (a sample of 10% of the rows for activation statistics, one batch for the gradient statistics), interleaved, median of the rounds.",
];

/** Samples/s of a one-epoch fit without and with per-epoch diagnostics, interleaved rounds. */
async function diagnosticsCost(backend: Backend, rounds: number): Promise<Row[]> {
  const rows = 8192,
    inputs = 784;
  const { x, y } = batches(inputs, 10, rows, 1, false);
  const model = await createModel({
    inputs,
    seed: 1,
    backend,
    loss: "softmaxCrossEntropy",
    optimizer: sgd({ learningRate: 0.01 }),
    layers: [{ units: 256 }, { units: 128 }, { units: 10 }],
  });
  const data = { data: x[0]!, shape: [rows, inputs] as [number, number] },
    labels = { data: y[0]!, shape: [rows, 10] as [number, number] };
  const epoch = async (diagnostics: boolean): Promise<number> => {
    const t0 = performance.now();
    await model.fit(data, labels, {
      epochs: 1,
      batchSize: 64,
      diagnostics: diagnostics && { sample: Math.ceil(rows / 10), console: false },
    });
    return performance.now() - t0;
  };
  await epoch(false);
  await epoch(true); // warm-up
  const plain: number[] = [],
    diagnosed: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2) {
      diagnosed.push(await epoch(true));
      plain.push(await epoch(false));
    } else {
      plain.push(await epoch(false));
      diagnosed.push(await epoch(true));
    }
  }
  model.dispose();
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  const row = (shape: string, ms: number): Row => ({
    case: "epoch-784-256-128-10",
    shape,
    unit: "samples/s",
    results: { simdnet: rows / (ms / 1000) },
    ratios: {},
  });
  const result = [row("plain", median(plain)), row("diagnostics", median(diagnosed))];
  console.log(
    `  epoch-784-256-128-10: plain ${result[0]!.results.simdnet!.toFixed(0)}, with diagnostics ${result[1]!.results.simdnet!.toFixed(0)} samples/s`,
  );
  return result;
}

function batches(
  inputs: number,
  outputs: number,
  batch: number,
  count: number,
  regression: boolean,
): { x: Float32Array[]; y: Float32Array[] } {
  const x: Float32Array[] = [],
    y: Float32Array[] = [];
  for (let b = 0; b < count; b++) {
    x.push(uniformData(batch * inputs, 0, 1, 1000 + b));
    if (regression) y.push(uniformData(batch * outputs, -0.8, 0.8, 2000 + b));
    else y.push(oneHot(Array.from(uniformData(batch, 0, outputs, 3000 + b), Math.floor), outputs).data);
  }
  return { x, y };
}

function cases(wasm: Awaited<ReturnType<typeof createWasmBackend>>): Case[] {
  const big = (batch: number): Case => {
    const spec: peers.TrainSpec = {
      widths: [784, 256, 128, 10],
      hidden: "relu",
      output: "softmax",
      loss: "softmaxCrossEntropy",
      batch,
      learningRate: 0.01,
      ...batches(784, 10, batch, 8, false),
    };
    return {
      name: "train-784-256-128-10",
      shape: `batch${batch}`,
      unit: "samples/s",
      contenders: () => [
        peers.simdnet("simdnet", wasm, spec),
        peers.simdnet("simdnet-js", "js", spec),
        peers.tfjs("wasm", spec),
        peers.tfjs("cpu", spec),
      ],
    };
  };
  const tinySpec: peers.TrainSpec = {
    widths: [2, 16, 16, 1],
    hidden: "tanh",
    output: "tanh",
    loss: "meanSquaredError",
    batch: 32,
    learningRate: 0.01,
    ...batches(2, 1, 32, 8, true),
  };
  const tiny: Case = {
    name: "train-2-16-16-1",
    shape: "batch32",
    unit: "samples/s",
    contenders: () => [
      peers.simdnet("simdnet", wasm, tinySpec),
      peers.simdnet("simdnet-js", "js", tinySpec),
      peers.tfjs("wasm", tinySpec),
      peers.tfjs("cpu", tinySpec),
      peers.brain(tinySpec),
    ],
  };
  const withLayer = (extra: "batchNormalization" | "dropout"): Case => {
    const spec: peers.TrainSpec = {
      widths: [784, 256, 128, 10],
      hidden: "relu",
      output: "softmax",
      loss: "softmaxCrossEntropy",
      batch: 64,
      learningRate: 0.01,
      extra,
      ...batches(784, 10, 64, 8, false),
    };
    return {
      name: `train-784-256-${extra === "dropout" ? "dropout" : "bn"}-128-10`,
      shape: "batch64",
      unit: "samples/s",
      // simdnet-plain: the same net without the extra layers, interleaved with it.
      contenders: () => [
        peers.simdnet("simdnet", wasm, spec),
        peers.simdnet("simdnet-plain", wasm, { ...spec, extra: undefined }),
        peers.tfjs("wasm", spec),
      ],
    };
  };
  return [big(64), big(256), tiny, withLayer("batchNormalization"), withLayer("dropout")];
}

function targets(rows: Row[]): TargetResult[] {
  const get = (shape: string, impl: keyof Row["results"], name?: string): number | undefined =>
    rows.find(
      (r) =>
        r.shape === shape &&
        (name === undefined ? !r.case.includes("-bn-") && !r.case.includes("-dropout-") : r.case === name),
    )?.results[impl];
  const ratio = (goal: string, num: number | undefined, den: number | undefined, threshold: number): TargetResult => {
    if (num === undefined || den === undefined || !(den > 0)) return { goal, threshold, pass: null };
    return { goal, ratio: num / den, threshold, pass: num / den >= threshold };
  };
  return [
    ...["batch64", "batch256"].flatMap((s) => [
      ratio(`train-784-256-128-10 ${s}: simdnet / tfjs-wasm`, get(s, "simdnet"), get(s, "tfjs-wasm"), 5),
      ratio(`train-784-256-128-10 ${s}: simdnet / simdnet-js`, get(s, "simdnet"), get(s, "simdnet-js"), 10),
    ]),
    ratio("train-2-16-16-1 batch32: simdnet / brain.js", get("batch32", "simdnet"), get("batch32", "brain.js"), 5),
    ratio("train-2-16-16-1 batch32: simdnet / tfjs-wasm", get("batch32", "simdnet"), get("batch32", "tfjs-wasm"), 25),
    // The extra layers: against TF.js with the same layers, and at most 15% slower than the plain net.
    ...["train-784-256-bn-128-10", "train-784-256-dropout-128-10"].flatMap((name) => [
      ratio(
        `${name} batch64: simdnet / tfjs-wasm`,
        get("batch64", "simdnet", name),
        get("batch64", "tfjs-wasm", name),
        5,
      ),
      ratio(
        `${name} batch64: simdnet / simdnet-plain (cost <= 15%)`,
        get("batch64", "simdnet", name),
        get("batch64", "simdnet-plain", name),
        0.85,
      ),
    ]),
    // Diagnostics cost at most 10% of an epoch: the diagnosed epoch's rate is >= 1 / 1.1 of the plain one.
    ratio(
      "epoch-784-256-128-10: with diagnostics / plain (cost <= 10%)",
      get("diagnostics", "simdnet"),
      get("plain", "simdnet"),
      Number((1 / 1.1).toFixed(3)),
    ),
  ];
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const timing = options.quick
    ? { sampleMs: 40, samples: 3, warmupMs: 60 }
    : { sampleMs: 250, samples: 5, warmupMs: 400 };
  const tfInfo = await tfjs.initTfjs();
  const core = loadCoreBytes();
  const wasm = await createWasmBackend(core.bytes);
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown cpu";
  console.log(`simdnet training bench: node ${process.version}, ${cpu}, ${options.quick ? "quick" : "full"} run`);
  console.log(
    `simdnet core: build/simdnet.wasm sha256 ${core.sha256}, git ${gitHead() ?? "unknown"}; tfjs ${tfInfo.version} (${tfInfo.wasmBinary})`,
  );
  const started = performance.now();
  const selected = cases(wasm).filter(
    (c) => options.filter === undefined || `${c.name} ${c.shape}`.includes(options.filter),
  );
  const { rows, warnings } = await runCases(selected, timing, Infinity);
  if (options.filter === undefined || "epoch-784-256-128-10".includes(options.filter))
    rows.push(...(await diagnosticsCost(wasm, options.quick ? 3 : 9)));
  const report = makeReport(
    "train",
    rows,
    targets(rows),
    NOTES,
    { cpu, coreSha256: core.sha256, options, timing, started },
    { tfjs: tfInfo, brainjs: "1.6.1" },
  );
  finish(report, warnings, -1, options);
}

await runMain(main);
