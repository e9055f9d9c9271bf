// The threads benchmark (`npm run bench:threads`, also part of `npm run bench`): the same
// calls on one core per thread count, interleaved in one process: simdnet-1t is the
// single-thread build (what threads: 1 runs), simdnet-2t and simdnet-<N>t the threads build
// with that many threads (N: this machine's cores). Writes bench/results/threads.json and .md.
//
//   npx tsx bench/threads.ts [--quick] [--filter <substring>]
import os from "node:os";
import type { Backend } from "../src/backend/backend.js";
import { createWasmBackend } from "../src/backend/wasm.js";
import { oneHot } from "../src/data.js";
import { uniformData } from "./harness.js";
import { sgemmInputs } from "./inputs.js";
import * as own from "./peers/simdnet.js";
import * as peers from "./peers/training.js";
import type { Row, TargetResult } from "./report.js";
import { finish, gitHead, loadCoreBytes, makeReport, parseArgs, runCase, runMain, type Case } from "./suite.js";

const NOTES = [
  "simdnet-1t: the single-thread build (build/simdnet.wasm), what threads: 1 runs; simdnet-Nt: the threads build (build/simdnet-threads.wasm) over a shared memory, the calling thread and N - 1 workers.",
  "sgemm rows: one call of C = A B (beta 0) on each core; outputs are cross-checked bit for bit (tolerance 0) against simdnet-1t.",
  "train rows: model.trainOnBatch (forward, loss, backward, SGD update) cycling over 8 pre-made batches, as bench/train.ts does.",
  "Ratios are each thread count's rate over simdnet-1t's, measured in the same interleaved rounds.",
  "split-sgemm and split-tanh rows: simdnet-2t splits every call, however small (its threshold set to 0), to show the size from which splitting pays: the thresholds in src/threads/split.ts (2^20 multiply-adds, 2^16 elements) come from these rows.",
];

/** The goals on a machine of two cores or more: simdnet-2t / simdnet-1t. */
const GOALS: [string, string, number][] = [
  ["sgemm-NN", "512x512x512", 1.85],
  ["sgemm-NN", "1024x1024x1024", 1.85],
  ["train-784-256-128-10", "batch256", 1.75],
  ["train-784-256-128-10", "batch64", 1.5],
  ["train-2-16-16-1", "batch32", 0.97],
];

function batches(
  inputs: number,
  outputs: number,
  batch: number,
  regression: boolean,
): { x: Float32Array[]; y: Float32Array[] } {
  const x: Float32Array[] = [],
    y: Float32Array[] = [];
  for (let b = 0; b < 8; b++) {
    x.push(uniformData(batch * inputs, 0, 1, 1000 + b));
    if (regression) y.push(uniformData(batch * outputs, -0.8, 0.8, 2000 + b));
    else y.push(oneHot(Array.from(uniformData(batch, 0, outputs, 3000 + b), Math.floor), outputs).data);
  }
  return { x, y };
}

/** Where splitting starts to pay: one thread against two that split every call. */
function thresholdCases(one: Backend, splitAll: Backend): { c: Case; tolerance: number }[] {
  const pair = (make: (name: string, b: Backend) => ReturnType<Case["contenders"]>[number]) => () => [
    make("simdnet-1t", one),
    make("simdnet-2t", splitAll),
  ];
  const sgemm = [64, 96, 128, 192].map((s) => {
    const x = sgemmInputs(64, s, s, false, false);
    return {
      c: {
        name: "split-sgemm",
        shape: `64x${s}x${s}`,
        unit: "GFLOP/s" as const,
        contenders: pair((n, b) => own.sgemm(n, b, x)),
      },
      tolerance: 0,
    };
  });
  const tanh = [16384, 32768, 65536, 131072].map((n) => {
    const input = uniformData(n, -3, 3, 5);
    return {
      c: {
        name: "split-tanh",
        shape: String(n),
        unit: "Gelem/s" as const,
        contenders: pair((name, b) => own.activation(name, b, "tanh", input)),
      },
      tolerance: 0,
    };
  });
  return [...sgemm, ...tanh];
}

function cases(cores: Map<string, Backend>): { c: Case; tolerance: number }[] {
  const each = (make: (name: string, backend: Backend) => ReturnType<Case["contenders"]>[number]) => () =>
    [...cores].map(([name, backend]) => make(name, backend));
  const sgemm = (s: number): { c: Case; tolerance: number } => {
    const x = sgemmInputs(s, s, s, false, false);
    return {
      c: {
        name: "sgemm-NN",
        shape: `${s}x${s}x${s}`,
        unit: "GFLOP/s",
        contenders: each((name, b) => own.sgemm(name, b, x)),
      },
      tolerance: 0,
    };
  };
  const big = (batch: number): { c: Case; tolerance: number } => {
    const spec: peers.TrainSpec = {
      widths: [784, 256, 128, 10],
      hidden: "relu",
      output: "softmax",
      loss: "softmaxCrossEntropy",
      batch,
      learningRate: 0.01,
      ...batches(784, 10, batch, false),
    };
    return {
      c: {
        name: "train-784-256-128-10",
        shape: `batch${batch}`,
        unit: "samples/s",
        contenders: each((name, b) => peers.simdnet(name, b, spec)),
      },
      tolerance: Infinity,
    };
  };
  const tinySpec: peers.TrainSpec = {
    widths: [2, 16, 16, 1],
    hidden: "tanh",
    output: "tanh",
    loss: "meanSquaredError",
    batch: 32,
    learningRate: 0.01,
    ...batches(2, 1, 32, true),
  };
  const tiny = {
    c: {
      name: "train-2-16-16-1",
      shape: "batch32",
      unit: "samples/s" as const,
      contenders: each((name, b) => peers.simdnet(name, b, tinySpec)),
    },
    tolerance: Infinity,
  };
  return [sgemm(512), sgemm(1024), big(64), big(256), tiny];
}

/** Every thread count's rate over simdnet-1t's, into the row's ratios. */
function threadRatios(row: Row): void {
  const one = row.results["simdnet-1t"];
  for (const [name, rate] of Object.entries(row.results)) {
    if (name !== "simdnet-1t" && one !== undefined && one > 0 && rate !== undefined)
      row.ratios[`${name}/simdnet-1t`] = rate / one;
  }
}

function targets(rows: Row[], cpus: number): TargetResult[] {
  return GOALS.map(([name, shape, threshold]) => {
    const goal = `${name} ${shape}: simdnet-2t / simdnet-1t`;
    const ratio = rows.find((r) => r.case === name && r.shape === shape)?.ratios["simdnet-2t/simdnet-1t"];
    // On one core two threads cannot beat one: the goal is only meaningful from two cores up.
    if (ratio === undefined || cpus < 2) return { goal, threshold, pass: null };
    return { goal, ratio, threshold, pass: ratio >= threshold };
  });
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const timing = options.quick
    ? { sampleMs: 40, samples: 3, warmupMs: 60 }
    : { sampleMs: 250, samples: 7, warmupMs: 400 };
  const cpus = os.availableParallelism();
  const counts = [...new Set([1, 2, cpus])].sort((a, b) => a - b);
  const core = loadCoreBytes();
  const backends = new Map<string, Backend>();
  for (const t of counts)
    backends.set(
      `simdnet-${t}t`,
      t === 1 ? await createWasmBackend(core.bytes) : await createWasmBackend(undefined, t),
    );
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown cpu";
  console.log(
    `simdnet threads bench: node ${process.version}, ${cpu}, ${cpus} cores, ${options.quick ? "quick" : "full"} run`,
  );
  console.log(
    `simdnet core: build/simdnet.wasm sha256 ${core.sha256}, git ${gitHead() ?? "unknown"}; contenders ${[...backends.keys()].join(", ")}`,
  );
  const started = performance.now();
  const rows: Row[] = [],
    warnings: string[] = [];
  let worstError = -1;
  const splitAll = await createWasmBackend(undefined, 2);
  splitAll.splitAt = { flops: 0, elements: 0 };
  for (const { c, tolerance } of [...cases(backends), ...thresholdCases(backends.get("simdnet-1t")!, splitAll)]) {
    if (options.filter !== undefined && !`${c.name} ${c.shape}`.includes(options.filter)) continue;
    const result = await runCase(c, timing, tolerance);
    threadRatios(result.row);
    console.log(
      `    ${Object.entries(result.row.ratios)
        .map(([k, v]) => `${k} ${v.toFixed(2)}x`)
        .join(", ")}`,
    );
    rows.push(result.row);
    warnings.push(...result.warnings);
    if (tolerance === 0) worstError = Math.max(worstError, result.worstError);
  }
  for (const b of [...backends.values(), splitAll]) b.dispose();
  // Ratios of threads mean little while other jobs hold the cores: the run says how busy it was.
  const load = os.loadavg()[0]!;
  if (load > cpus / 2)
    warnings.push(
      `the machine was busy (load average ${load.toFixed(1)} on ${cpus} cores): these ratios understate the threads`,
    );
  const report = makeReport(
    "threads",
    rows,
    targets(rows, cpus),
    NOTES,
    { cpu, coreSha256: core.sha256, options, timing, started },
    { cores: cpus, contenders: [...backends.keys()], loadAverage: Number(load.toFixed(1)) },
  );
  finish(report, warnings, worstError, options);
}

await runMain(main);
