// The inference benchmark (`npm run bench:inference`, also part of `npm run bench`): rows per
// second predicted by a 784-128-10 ReLU net at 1, 16 and 256 rows per call and by a 2-16-16-1
// tanh net at one row: simdnet against ONNX Runtime Web (wasm, one thread), TF.js on its
// wasm backend and simdnet's pure-JS path, interleaved. Writes bench/results/inference.json
// and inference.md.
//
//   npx tsx bench/inference.ts [--quick] [--filter <substring>]
import os from "node:os";
import type { Model } from "../src/index.js";
import { createWasmBackend } from "../src/backend/wasm.js";
import { MATVEC_ROWS } from "../src/network.js";
import type { Contender } from "./harness.js";
import { uniformData } from "./harness.js";
import * as peers from "./peers/inference.js";
import * as tfjs from "./peers/tfjs.js";
import type { Row, TargetResult } from "./report.js";
import { finish, gitHead, loadCoreBytes, makeReport, parseArgs, runCases, runMain, type Case } from "./suite.js";

const notes = (ortFile: string): string[] => [
  "One call predicts `rows` rows into JS memory; rates are rows per second, medians over interleaved samples, one thread.",
  "simdnet and simdnet-js: model.predictInto(input, output), which checks the input and makes no arrays; predict returns the same numbers in a new array.",
  `simdnet runs up to ${MATVEC_ROWS} rows through matvec (the weights read where they lie), more through sgemm on kernels packed once per change of the weights; both are bit for bit the training forward pass.`,
  `ort-web: onnxruntime-web, wasm execution provider, one thread, await session.run with the input tensor made once; its model is ${ortFile}.`,
  "tfjs-wasm: tf.sequential of dense layers with simdnet's weights, model.predict then dataSync (the numbers must reach JS), inside tf.tidy.",
  `layer-784x128: the first layer alone by each inference kernel of the wasm core (matvec; sgemm-packed = sgemmPacked + addBias on weights packed beforehand), which sets MATVEC_ROWS (${MATVEC_ROWS}): the largest row count where matvec is faster.`,
];

interface Spec extends peers.InferenceSpec {
  name: string;
}

function spec(widths: number[], hidden: Spec["hidden"], output: Spec["output"], rows: number): Spec {
  return {
    name: `predict-${widths.join("-")}`,
    widths,
    hidden,
    output,
    rows,
    x: uniformData(rows * widths[0]!, -1, 1, 100 + rows),
  };
}

function targets(rows: Row[]): TargetResult[] {
  const get = (name: string, shape: string, impl: keyof Row["results"]): number | undefined =>
    rows.find((r) => r.case === name && r.shape === shape)?.results[impl];
  const vsOrt = (name: string, shape: string, threshold: number): TargetResult => {
    const goal = `${name} ${shape}: simdnet / ort-web`;
    const num = get(name, shape, "simdnet"),
      den = get(name, shape, "ort-web");
    if (num === undefined || den === undefined || !(den > 0)) return { goal, threshold, pass: null };
    return { goal, ratio: num / den, threshold, pass: num / den >= threshold };
  };
  return [
    ...["batch1", "batch16", "batch256"].map((s) => vsOrt("predict-784-128-10", s, 1.5)),
    vsOrt("predict-2-16-16-1", "batch1", 5),
  ];
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const timing = options.quick
    ? { sampleMs: 40, samples: 3, warmupMs: 60 }
    : { sampleMs: 250, samples: 7, warmupMs: 400 };
  const tfInfo = await tfjs.initTfjs();
  const ortInfo = peers.initOrt();
  const core = loadCoreBytes();
  const wasm = await createWasmBackend(core.bytes);
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown cpu";
  console.log(`simdnet inference bench: node ${process.version}, ${cpu}, ${options.quick ? "quick" : "full"} run`);
  console.log(
    `simdnet core: build/simdnet.wasm sha256 ${core.sha256}, git ${gitHead() ?? "unknown"}; onnxruntime-web ${ortInfo.version}; tfjs ${tfInfo.version}`,
  );

  const specs = [
    ...[1, 16, 256].map((rows) => spec([784, 128, 10], "relu", "identity", rows)),
    spec([2, 16, 16, 1], "tanh", "tanh", 1),
  ];
  const sources: Model[] = [];
  let ortFile = "none";
  const cases: Case[] = [];
  for (const s of specs) {
    const source = await peers.buildModel(s, wasm); // the weights every contender of the case computes with
    sources.push(source);
    const onnx = peers.onnxFor(source);
    ortFile = onnx.about;
    cases.push({
      name: s.name,
      shape: `batch${s.rows}`,
      unit: "rows/s",
      contenders: (): Contender[] => [
        peers.simdnet("simdnet", wasm, s),
        peers.ortWeb(s, onnx),
        peers.tfjsWasm(s, source),
        peers.simdnet("simdnet-js", "js", s),
      ],
    });
  }

  for (const rows of [1, 2, 3, 4, 8]) {
    cases.push({
      name: "layer-784x128",
      shape: `rows${rows}`,
      unit: "rows/s",
      contenders: () => [
        peers.layerKernel("matvec", wasm, rows, 784, 128),
        peers.layerKernel("sgemm-packed", wasm, rows, 784, 128),
      ],
    });
  }

  const started = performance.now();
  const selected = cases.filter((c) => options.filter === undefined || `${c.name} ${c.shape}`.includes(options.filter));
  const { rows, warnings, worstError } = await runCases(selected, timing, 1e-5);
  for (const m of sources) m.dispose();
  const report = makeReport(
    "inference",
    rows,
    targets(rows),
    notes(ortFile),
    { cpu, coreSha256: core.sha256, options, timing, started },
    { onnxruntimeWeb: ortInfo, tfjs: tfInfo },
  );
  finish(report, warnings, worstError, options);
}

await runMain(main);
