// The core benchmark suite (`npm run bench`): sgemm, activations (forward and backward),
// softmax, weight fills and optimizer updates, simdnet's wasm core against its pure-JS twin and TensorFlow.js'
// wasm and cpu backends, in one process, single thread, on the same inputs.
// Prints a table and the target checks; writes bench/results/core.json and core.md (a --quick
// or --filter run writes core-partial.json and .md instead, leaving the full results alone).
//
//   npx tsx bench/core.ts [--quick] [--filter <substring>]
//
// --quick: smaller shapes and shorter samples, a smoke run (targets on missing shapes SKIP).
// --filter: only the cases whose name contains the substring (e.g. sgemm-NN, grad, init-).
import os from "node:os";
import * as tf from "@tensorflow/tfjs-core";
import { ACTIVATIONS, type ElementwiseActivation } from "../src/activations.js";
import { JsBackend } from "../src/backend/js/index.js";
import { createWasmBackend, type WasmBackend } from "../src/backend/wasm.js";
import * as init from "../src/initializers.js";
import { adam, adamw, lion, rmsprop, sgd } from "../src/optimizers.js";
import type { TimingOptions } from "./harness.js";
import { activationInput, sgemmInputs, upstreamGradient } from "./inputs.js";
import * as own from "./peers/simdnet.js";
import * as tfjs from "./peers/tfjs.js";
import { finish, gitHead, loadCoreBytes, makeReport, parseArgs, runCases, runMain, type Case } from "./suite.js";
import { checkTargets } from "./targets.js";

const SGEMM_SIZES = [64, 128, 256, 512, 1024];
/** Largest size the scalar-JS contenders (simdnet-js, tfjs-cpu) run sgemm at: at 1024 one
 *  call takes seconds (~2 GFLOP at ~1 GFLOP/s), which alone would add a minute per variant. */
const JS_MAX_SGEMM = 512;
/** Outputs further apart than this (relative to max(1, |reference|)) are reported. */
const CROSS_CHECK_TOLERANCE = 1e-3;

/**
 * Sizes and timing per mode. Full: samples of >= 30 ms, median of 7. The warm-up is long
 * because tfjs' JS side (engine bookkeeping around each kernel) needs ~150 ms of calls to
 * reach its steady state, which matters for small calls such as a 64^3 matMul.
 */
function settings(quick: boolean): { timing: TimingOptions; sgemmSizes: number[]; elements: number[]; fan: number } {
  return quick
    ? { timing: { sampleMs: 8, samples: 5, warmupMs: 40 }, sgemmSizes: [64, 128, 256], elements: [1 << 18], fan: 512 }
    : {
        timing: { sampleMs: 30, samples: 7, warmupMs: 150 },
        sgemmSizes: SGEMM_SIZES,
        elements: [1 << 20, 1 << 18],
        fan: 1024,
      };
}

interface Backends {
  wasm: WasmBackend;
  js: JsBackend;
}

function sgemmCases(b: Backends, sizes: number[]): Case[] {
  const variants = [
    ["NN", false, false],
    ["TN", true, false],
    ["NT", false, true],
  ] as const;
  return variants.flatMap(([tag, transA, transB]) =>
    sizes.map((s): Case => ({
      name: `sgemm-${tag}`,
      shape: `${s}x${s}x${s}`,
      unit: "GFLOP/s",
      contenders: () => {
        const x = sgemmInputs(s, s, s, transA, transB);
        return [
          own.sgemm("simdnet", b.wasm, x),
          ...(s <= JS_MAX_SGEMM ? [own.sgemm("simdnet-js", b.js, x)] : []),
          tfjs.sgemm("wasm", x),
          ...(tag === "NN" ? [tfjs.sgemm("wasm", x, { cachedB: true })] : []),
          ...(s <= JS_MAX_SGEMM ? [tfjs.sgemm("cpu", x)] : []),
          own.probe("probe", b.wasm),
        ];
      },
    })),
  );
}

function activationCases(b: Backends, elements: number, withSoftmax: boolean): Case[] {
  const names = (Object.keys(ACTIVATIONS) as ElementwiseActivation[]).filter((n) => n !== "identity");
  const shape = String(elements);
  const forward = names.map((name): Case => ({
    name,
    shape,
    unit: "Gelem/s",
    contenders: () => {
      const x = activationInput(elements);
      return [
        own.activation("simdnet", b.wasm, name, x),
        own.activation("simdnet-js", b.js, name, x),
        ...(["wasm", "cpu"] as const).map((be) => tfjs.activation(be, name, x)),
      ];
    },
  }));
  const backward = names.map((name): Case => ({
    name: `${name}-grad`,
    shape,
    unit: "Gelem/s",
    contenders: () => {
      const z = activationInput(elements),
        dy = upstreamGradient(elements);
      return [
        own.activationGrad("simdnet", b.wasm, name, z, dy),
        own.activationGrad("simdnet-js", b.js, name, z, dy),
        ...(tfjs.hasActivationGrad(name)
          ? (["wasm", "cpu"] as const).map((be) => tfjs.activationGrad(be, name, z, dy))
          : []),
      ];
    },
  }));
  // Softmax over rows of 10 (a classifier head): as many whole rows as fit in `elements`.
  const cols = 10,
    rows = Math.floor(elements / cols);
  const softmaxShape = `${rows}x${cols}`;
  const softmax: Case[] = [
    {
      name: "softmax",
      shape: softmaxShape,
      unit: "Gelem/s",
      contenders: () => {
        const x = activationInput(rows * cols);
        return [
          own.softmax("simdnet", b.wasm, x, rows, cols),
          own.softmax("simdnet-js", b.js, x, rows, cols),
          ...(["wasm", "cpu"] as const).map((be) => tfjs.softmax(be, x, rows, cols)),
        ];
      },
    },
    {
      name: "softmax-grad",
      shape: softmaxShape,
      unit: "Gelem/s",
      contenders: () => {
        const x = activationInput(rows * cols),
          dy = upstreamGradient(rows * cols);
        return [
          own.softmaxGrad("simdnet", b.wasm, x, dy, rows, cols),
          own.softmaxGrad("simdnet-js", b.js, x, dy, rows, cols),
          ...(["wasm", "cpu"] as const).map((be) => tfjs.softmaxGrad(be, x, dy, rows, cols)),
        ];
      },
    },
  ];
  return [...forward, ...backward, ...(withSoftmax ? softmax : [])];
}

/** Weight fills of a [fan, fan] kernel; the tfjs side makes what tfjs-layers would. */
function initCases(b: Backends, fan: number): Case[] {
  const shape: [number, number] = [fan, fan];
  const truncStd = (variance: number): number => Math.sqrt(variance) / init.TRUNCATED_STD_AT_2;
  const limit = (variance: number): number => Math.sqrt(3 * variance);
  const fills: [string, init.Initializer, () => tf.Tensor][] = [
    ["heNormal", init.heNormal(), () => tf.truncatedNormal(shape, 0, truncStd(2 / fan))],
    ["glorotNormal", init.glorotNormal(), () => tf.truncatedNormal(shape, 0, truncStd(2 / (fan + fan)))],
    [
      "glorotUniform",
      init.glorotUniform(),
      () => tf.randomUniform(shape, -limit(2 / (fan + fan)), limit(2 / (fan + fan))),
    ],
    ["heUniform", init.heUniform(), () => tf.randomUniform(shape, -limit(2 / fan), limit(2 / fan))],
    ["uniform", init.uniform(), () => tf.randomUniform(shape, -0.05, 0.05)],
  ];
  return fills.map(([name, initializer, make]): Case => ({
    name: `init-${name}`,
    shape: `${fan}x${fan}`,
    unit: "Msamples/s",
    contenders: () => [
      own.initFill("simdnet", b.wasm, initializer, fan, fan),
      own.initFill("simdnet-js", b.js, initializer, fan, fan),
      ...(["wasm", "cpu"] as const).map((be) => tfjs.initFill(be, make, fan * fan)),
    ],
  }));
}

/** One optimizer update of `elements` parameters per optimizer (no tfjs row: its optimizers
 *  update variables inside its own training loop, not as a kernel on given tensors). */
function updateCases(b: Backends, elements: number): Case[] {
  const configs = [
    sgd({ momentum: 0.9, weightDecay: 1e-4 }),
    adam({ weightDecay: 1e-4 }),
    adamw(),
    rmsprop(),
    lion({ weightDecay: 0.1 }),
  ];
  return configs.map((config): Case => ({
    name: `update-${config.name}`,
    shape: String(elements),
    unit: "Gelem/s",
    contenders: () => {
      const w = activationInput(elements),
        g = upstreamGradient(elements);
      return [own.optimizerStep("simdnet", b.wasm, config, w, g), own.optimizerStep("simdnet-js", b.js, config, w, g)];
    },
  }));
}

/** What a reader of the figures needs to know; written into the JSON and the markdown. */
const NOTES = [
  "Rates are medians over interleaved samples (contenders of a case take turns), same process, same inputs, one thread.",
  "tfjs timings exclude dataSync(): both backends compute inside the op call; outputs were cross-checked against simdnet (untimed).",
  "tfjs-wasm matMul gets a new B tensor on every call, as in training where weights change each step (its creation, a copy into the wasm heap, is timed with it: about 7% at 64^3, under 1% from 256^3). Without transposes tfjs-wasm runs XNNPACK, which caches the packed B per tensor: tfjs-wasm-cachedB reuses one B tensor, the best case for tfjs (inference with fixed weights). With a transpose it runs a scalar blocked loop (hence sgemm-TN/NT).",
  "The probe is 8 chains of acc = acc * m + c with mul and add on each chain: a latency-bound rate, not the core's throughput peak, so sgemm can exceed it.",
  "tfjs-core has no silu or gelu: the tfjs forward rows are compositions (x * sigmoid(x); the tanh-form gelu) and there are no tfjs rows for their gradients.",
  "tfjs grad rows run the ops of tfjs' registered gradient for the kernel (e.g. dy * y * (1 - y) for sigmoid) from the saved forward tensor, without the forward pass.",
  "tfjs random ops draw in scalar JS on both backends; creating the tensor materializes it (heNormal/glorotNormal = truncatedNormal with std / 0.8796, as tfjs-layers).",
  "update rows: one optimizer step out of place (weights, gradient and state in, new weights and state out), as a model stages it; sgd with momentum 0.9.",
  "Activation rows stream 8 (forward) or 12 (grad) bytes per element (plus the write-allocate read of the output). At 1M elements (1048576) that is 8-12 MB, past this machine's 2 MB L2, so relu and leakyRelu are bound by cache bandwidth for every implementation; the 256K rows (262144) fit in L2 and show the kernels' own speed.",
];

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const { timing, sgemmSizes, elements, fan } = settings(options.quick);
  const tfInfo = await tfjs.initTfjs();
  const core = loadCoreBytes();
  const backends: Backends = { wasm: await createWasmBackend(core.bytes), js: new JsBackend() };
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown cpu";

  console.log(`simdnet core bench: node ${process.version}, ${cpu}, ${options.quick ? "quick" : "full"} run`);
  console.log(`simdnet core: build/simdnet.wasm sha256 ${core.sha256}, git ${gitHead() ?? "unknown"}`);
  console.log(
    `tfjs ${tfInfo.version}: wasm binary ${tfInfo.wasmBinary}, threads ${tfInfo.threads}, simd ${tfInfo.simd}`,
  );

  const cases = [
    ...sgemmCases(backends, sgemmSizes),
    ...elements.flatMap((n, i) => activationCases(backends, n, i === 0)),
    ...initCases(backends, fan),
    ...updateCases(backends, elements.at(-1)!),
  ].filter((c) => options.filter === undefined || c.name.includes(options.filter));
  const started = performance.now();
  const { rows, warnings, worstError } = await runCases(cases, timing, CROSS_CHECK_TOLERANCE);
  const report = makeReport(
    "core",
    rows,
    checkTargets(rows, SGEMM_SIZES, elements),
    NOTES,
    { cpu, coreSha256: core.sha256, options, timing, started },
    { tfjs: tfInfo, crossCheckWorstError: worstError < 0 ? null : worstError },
  );
  finish(report, warnings, worstError, options);
}

await runMain(main);
