// The soak run (`npm run soak`): 100,000 training steps on a small net, then 10,000
// create/train/predict/dispose cycles, on one wasm core. After a warm-up that does the same
// work: the core's memory must not grow at all and its live bytes must come back exactly; the
// JS heap in use after a full garbage collection must not grow (a leak would); and the
// process RSS must not climb far above the warm-up's peak. RSS moves with V8's sizing of its
// heap (measured: heap in use flat at 9.5 MB while the reserved heap steps between 27 and 44 MB),
// so its bound is loose and peaks are compared, sampled every 1,000 iterations.
import { createWasmBackend } from "../src/backend/wasm.js";
import { createModel, datasets, sgd } from "../src/index.js";

const MB = 1 << 20;
const RSS_TOLERANCE = 32 * MB;
const HEAP_TOLERANCE = 1 * MB;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc (npm run soak does)");
const heapAfterGc = (): number => {
  gc();
  return process.memoryUsage().heapUsed;
};

const backend = await createWasmBackend();
const data = datasets.twoMoons({ samples: 256, seed: 1 });
const batch = { data: data.x.data.subarray(0, 64), shape: [32, 2] as [number, number] },
  labels = data.labels.subarray(0, 32);
let peak = 0;
const sample = (): void => {
  peak = Math.max(peak, process.memoryUsage().rss);
};

/** One create/train/predict/dispose cycle of a fresh model. */
async function cycle(seed: number): Promise<void> {
  const m = await createModel({
    inputs: 2,
    seed,
    backend,
    loss: "binaryCrossEntropy",
    layers: [{ units: 8 }, { units: 1 }],
  });
  await m.fit(data.x, data.labels, { epochs: 1, batchSize: 64 });
  m.predict(batch);
  m.dispose();
}

const model = await createModel({
  inputs: 2,
  seed: 1,
  backend,
  loss: "binaryCrossEntropy",
  optimizer: sgd({ learningRate: 0.05, momentum: 0.9 }),
  layers: [{ units: 16 }, { units: 16, activation: "tanh" }, { units: 1 }],
});

/** `steps` training steps, half through trainOnBatch and half through fit. */
async function steps(count: number): Promise<void> {
  for (let i = 0; i < count / 2; i++) {
    model.trainOnBatch(batch, labels);
    if (i % 1000 === 0) sample();
  }
  await model.fit(data.x, data.labels, {
    epochs: count / 16,
    batchSize: 32,
    yieldEveryMs: 1e9,
    onEpochEnd: (l) => {
      if (l.epoch % 125 === 0) sample();
    },
  });
}

async function cycles(count: number, seed: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await cycle(seed + i);
    if (i % 1000 === 0) sample();
  }
}

// Warm-up: the same work once (batch buffers, JIT tiers, V8's heap reservation for many
// short-lived models, which grows RSS by ~25 MB over the first 10,000 cycles and then stays).
await steps(100_000);
await cycles(10_000, 1_000_000);
const warm = { live: backend.arena.liveBytes, reserved: backend.arena.memoryBytes, peak, heap: heapAfterGc() };
peak = 0;

const t0 = performance.now();
await steps(100_000);
const afterSteps = {
  live: backend.arena.liveBytes,
  reserved: backend.arena.memoryBytes,
  seconds: (performance.now() - t0) / 1000,
  steps: model.steps,
};
model.dispose();
const empty = backend.arena.liveBytes;
const t1 = performance.now();
await cycles(10_000, 0);
const afterCycles = {
  live: backend.arena.liveBytes,
  reserved: backend.arena.memoryBytes,
  seconds: (performance.now() - t1) / 1000,
  heap: heapAfterGc(),
};

const fmt = (b: number): string => `${(b / MB).toFixed(2)} MB`;
console.log(
  `steps:  100,000 (model at step ${afterSteps.steps}) in ${afterSteps.seconds.toFixed(1)} s; wasm memory ${fmt(warm.reserved)} -> ${fmt(afterSteps.reserved)}, live bytes ${warm.live} -> ${afterSteps.live}`,
);
console.log(
  `cycles: 10,000 create/train/predict/dispose in ${afterCycles.seconds.toFixed(1)} s; wasm memory -> ${fmt(afterCycles.reserved)}, live bytes ${empty} -> ${afterCycles.live}`,
);
console.log(
  `JS heap in use after GC: ${fmt(warm.heap)} after the warm-up, ${fmt(afterCycles.heap)} at the end (the model of the steps disposed)`,
);
console.log(`RSS peak: ${fmt(warm.peak)} over the warm-up, ${fmt(peak)} over the measured run`);
const failures = [
  afterSteps.reserved !== warm.reserved && "wasm memory grew during the steps",
  afterSteps.live !== warm.live && "live bytes changed during the steps",
  afterCycles.reserved !== warm.reserved && "wasm memory grew during the cycles",
  afterCycles.live !== empty && "live bytes leaked over the cycles",
  afterCycles.heap - warm.heap > HEAP_TOLERANCE && `the JS heap grew ${fmt(afterCycles.heap - warm.heap)}`,
  peak - warm.peak > RSS_TOLERANCE && `RSS peaked ${fmt(peak - warm.peak)} above the warm-up's`,
].filter(Boolean);
console.log(
  failures.length
    ? `FAIL: ${failures.join("; ")}`
    : `flat: wasm memory and live bytes exactly, JS heap within ${fmt(HEAP_TOLERANCE)}, RSS peak within ${fmt(RSS_TOLERANCE)} of the warm-up's`,
);
if (failures.length) process.exit(1);
