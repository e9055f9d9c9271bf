// The smoke test every engine runs: the core kernels against the pure-JS path, then XOR
// trained with a fixed seed, hashing the weights after initialization and after 100 steps.
// It takes the simdnet module as its user loaded it, so each harness only does the loading.
import { hashFloat32 } from "./hash.mjs";
import { checkKernels } from "./kernels.mjs";

const SEED = 20261129;
const STEPS = 100; // XOR has 4 rows: one full batch per epoch, so epochs == optimizer steps

/** Trains XOR on `backend` ("wasm", "js" or a backend object) and hashes the weights. */
export async function trainXor(simdnet, backend) {
  const model = await simdnet.createModel({
    inputs: 2,
    layers: [
      { units: 8, activation: "tanh" },
      { units: 1, activation: "sigmoid" },
    ],
    loss: "binaryCrossEntropy",
    optimizer: simdnet.adam({ learningRate: 0.05 }),
    seed: SEED,
    backend,
  });
  const weights = () => model.getWeights().flatMap((w) => [w.kernel, w.bias]);
  const initHash = hashFloat32(weights());
  const { x, labels } = simdnet.datasets.xor();
  await model.fit(x, labels, { epochs: STEPS, batchSize: 4 });
  const result = {
    core: model.backend.name,
    initHash,
    trainedHash: hashFloat32(weights()),
    accuracy: model.evaluate(x, labels).accuracy,
  };
  model.dispose();
  return result;
}

/** XOR on the threads build with 1 to 4 threads, every kernel call split however small
 *  (the backend's internal threshold set to 0): each must hash as the single thread does. */
export async function trainThreaded(simdnet, threadsWasm) {
  const runs = [];
  for (const threads of [1, 2, 3, 4]) {
    const backend = await simdnet.createBackend({ backend: "wasm", threads, wasm: threadsWasm });
    if (backend.inner?.splitAt) backend.inner.splitAt = { flops: 0, elements: 0 };
    const run = await trainXor(simdnet, backend);
    runs.push({
      threads,
      ran: backend.threads,
      reason: backend.threadsReason,
      initHash: run.initHash,
      trainedHash: run.trainedHash,
    });
    backend.dispose();
  }
  return runs;
}

/** Everything one engine reports. `wasm` and `threadsWasm` are how that engine's users hand in
 *  the two builds of the core (undefined: the package finds them itself). */
export async function runSmoke(simdnet, { wasm, threadsWasm } = {}) {
  const core = await simdnet.createBackend({ backend: "wasm", wasm, threads: 1 });
  const kernels = await checkKernels(simdnet, core);
  const wasmRun = await trainXor(simdnet, wasm === undefined ? "wasm" : core);
  const jsRun = await trainXor(simdnet, "js");
  // "auto" must pick the SIMD core on every engine tested here: all of them support wasm SIMD.
  const autoCore = await simdnet.createBackend({ backend: "auto", wasm, threads: 1 });
  const auto = autoCore.name;
  autoCore.dispose();
  const threaded = await trainThreaded(simdnet, threadsWasm);
  const shared = typeof SharedArrayBuffer === "function" && globalThis.crossOriginIsolated !== false;
  return {
    engine: engineName(),
    simd: simdnet.simdSupported(),
    auto,
    kernels,
    wasm: wasmRun,
    js: jsRun,
    shared,
    threaded,
  };
}

/** Which engine ran, for the report. Deno and Bun also define process, so they go first. */
function engineName() {
  const g = globalThis;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  const agent = g.navigator?.userAgent ?? "";
  if (agent.startsWith("Cloudflare-Workers")) return "workerd";
  if (g.process?.versions?.node) return `node ${g.process.version}`;
  return agent.match(/\b(?:HeadlessChrome|Chrome)\/[\d.]+/)?.[0] ?? (agent || "unknown");
}

/** The failures of one engine's result against the fixture written by the Node run; `onnx`:
 *  the engine must also have imported the ONNX fixture (onnx-smoke.mjs). */
export function verify(result, expected, { onnx = false, noThreads = false } = {}) {
  const problems = [];
  const want = (ok, what) => {
    if (!ok) problems.push(what);
  };
  want(
    result.simd === true && result.auto === "wasm",
    `SIMD detection: simdSupported() ${result.simd}, auto chose ${result.auto}`,
  );
  want(result.kernels.failures.length === 0, `kernels: ${result.kernels.failures.join("; ")}`);
  want(
    result.kernels.hash === expected.kernelHash,
    `kernel output hash ${result.kernels.hash}, expected ${expected.kernelHash}`,
  );
  want(result.wasm.core === "wasm", `XOR ran on ${result.wasm.core}, not the wasm core`);
  want(
    result.wasm.initHash === expected.initHash,
    `weights after init hash ${result.wasm.initHash}, expected ${expected.initHash}`,
  );
  want(
    result.wasm.trainedHash === expected.trainedHash,
    `weights after ${STEPS} steps hash ${result.wasm.trainedHash}, expected ${expected.trainedHash}`,
  );
  want(result.wasm.accuracy === 1, `XOR accuracy on wasm ${result.wasm.accuracy}, expected 1`);
  want(
    result.js.core === "js" && result.js.accuracy === 1,
    `XOR on the JS path: core ${result.js.core}, accuracy ${result.js.accuracy}`,
  );
  // Threaded runs: the threads asked for wherever memory can be shared (one, with a reason,
  // elsewhere), and the single thread's hashes for every count.
  for (const t of result.threaded ?? []) {
    const running = result.shared && !noThreads ? t.threads : 1;
    want(
      t.ran === running && (running === t.threads || typeof t.reason === "string"),
      `threads: ${t.threads} asked, ${t.ran} ran (${t.reason})`,
    );
    want(
      t.initHash === expected.initHash && t.trainedHash === expected.trainedHash,
      `${t.threads} threads: hashes ${t.initHash} / ${t.trainedHash}, expected ${expected.initHash} / ${expected.trainedHash}`,
    );
  }
  want(result.threaded?.length === 4, "the threaded runs did not run");
  if (onnx || result.onnx) {
    const o = result.onnx;
    want(
      o?.core === "wasm" && o.error < 1e-5 && o.roundTrip < 1e-6,
      `ONNX import: ${o ? `core ${o.core}, error ${o.error} of the output scale, round trip ${o.roundTrip}` : "not run"}`,
    );
  }
  return problems;
}
