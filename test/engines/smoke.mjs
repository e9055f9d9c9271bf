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
    layers: [{ units: 8, activation: "tanh" }, { units: 1, activation: "sigmoid" }],
    loss: "binaryCrossEntropy",
    optimizer: simdnet.adam({ learningRate: 0.05 }),
    seed: SEED,
    backend,
  });
  const weights = () => model.getWeights().flatMap((w) => [w.kernel, w.bias]);
  const initHash = hashFloat32(weights());
  const { x, labels } = simdnet.datasets.xor();
  await model.fit(x, labels, { epochs: STEPS, batchSize: 4 });
  const result = { core: model.backend.name, initHash, trainedHash: hashFloat32(weights()), accuracy: model.evaluate(x, labels).accuracy };
  model.dispose();
  return result;
}

/** Everything one engine reports. `wasm` is how that engine's users hand in the core
 *  (undefined: the package finds it itself). */
export async function runSmoke(simdnet, { wasm } = {}) {
  const core = await simdnet.createBackend({ backend: "wasm", wasm });
  const kernels = await checkKernels(simdnet, core);
  const wasmRun = await trainXor(simdnet, wasm === undefined ? "wasm" : core);
  const jsRun = await trainXor(simdnet, "js");
  // "auto" must pick the SIMD core on every engine tested here: all of them support wasm SIMD.
  const auto = (await simdnet.createBackend({ backend: "auto", wasm })).name;
  return { engine: engineName(), simd: simdnet.simdSupported(), auto, kernels, wasm: wasmRun, js: jsRun };
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
export function verify(result, expected, { onnx = false } = {}) {
  const problems = [];
  const want = (ok, what) => { if (!ok) problems.push(what); };
  want(result.simd === true && result.auto === "wasm", `SIMD detection: simdSupported() ${result.simd}, auto chose ${result.auto}`);
  want(result.kernels.failures.length === 0, `kernels: ${result.kernels.failures.join("; ")}`);
  want(result.kernels.hash === expected.kernelHash, `kernel output hash ${result.kernels.hash}, expected ${expected.kernelHash}`);
  want(result.wasm.core === "wasm", `XOR ran on ${result.wasm.core}, not the wasm core`);
  want(result.wasm.initHash === expected.initHash, `weights after init hash ${result.wasm.initHash}, expected ${expected.initHash}`);
  want(result.wasm.trainedHash === expected.trainedHash, `weights after ${STEPS} steps hash ${result.wasm.trainedHash}, expected ${expected.trainedHash}`);
  want(result.wasm.accuracy === 1, `XOR accuracy on wasm ${result.wasm.accuracy}, expected 1`);
  want(result.js.core === "js" && result.js.accuracy === 1, `XOR on the JS path: core ${result.js.core}, accuracy ${result.js.accuracy}`);
  if (onnx || result.onnx) {
    const o = result.onnx;
    want(o?.core === "wasm" && o.error < 1e-5 && o.roundTrip < 1e-6, `ONNX import: ${o ? `core ${o.core}, error ${o.error} of the output scale, round trip ${o.roundTrip}` : "not run"}`);
  }
  return problems;
}
