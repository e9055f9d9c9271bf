// The threads soak run (`npm run soak:threads`): 10,000 cycles of creating a two-thread core,
// training a model on it (large enough that its calls are split over both threads), and
// disposing both. After a warm-up of 1,000 cycles: no worker may outlive its core, and the JS
// heap in use, the process RSS and its external memory, each sampled after a full garbage
// collection every 100 cycles, must not climb above the warm-up's peaks. (Sampled after a
// collection because a shared memory's pages go back to the system only when the collector
// has found it unreachable, which V8 schedules lazily: without one RSS swings by hundreds of MB.)
//
//   node --expose-gc --import tsx bench/soak-threads.ts [cycles]
import { createBackend, createModel, sgd } from "../src/index.js";
import { runningWorkers } from "../src/threads/pool.js";
import type { CheckedBackend } from "../src/backend/checked.js";
import type { WasmBackend } from "../src/backend/wasm.js";

const MB = 1 << 20;
const RSS_TOLERANCE = 64 * MB;
const HEAP_TOLERANCE = 2 * MB;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc (npm run soak:threads does)");
const CYCLES = Number(process.argv[2] ?? 10_000);
const WARMUP = Math.min(1000, CYCLES / 10);

const rows = 64,
  inputs = 64;
const x = {
  data: new Float32Array(rows * inputs).map((_, i) => ((i * 7) % 13) / 13),
  shape: [rows, inputs] as [number, number],
};
const y = { data: new Float32Array(rows * 4).map((_, i) => ((i * 5) % 3) - 1), shape: [rows, 4] as [number, number] };
let peakRss = 0,
  peakExternal = 0,
  splitCalls = 0;
const sample = (): void => {
  gc();
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakExternal = Math.max(peakExternal, m.external);
};

/** One create/train/dispose cycle on a fresh two-thread core; resolves when its worker has ended. */
async function cycle(seed: number): Promise<void> {
  const backend = await createBackend({ threads: 2 });
  const core = (backend as CheckedBackend).inner as WasmBackend;
  if (core.threads !== 2) throw new Error(`expected 2 threads, got ${core.threads}: ${core.threadsReason}`);
  const pool = core.pool!;
  const model = await createModel({
    inputs,
    seed,
    backend,
    optimizer: sgd({ learningRate: 0.01 }),
    layers: [{ units: 256, activation: "relu" }, { units: 4 }],
  });
  const run = pool.run.bind(pool);
  pool.run = (count: number) => {
    splitCalls++;
    return run(count);
  };
  await model.fit(x, y, { epochs: 2, batchSize: 64 });
  model.dispose();
  backend.dispose();
  await pool.ended;
}

async function cycles(count: number, from: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await cycle(from + i);
    if (i % 100 === 0) sample();
    if (i % 1000 === 999)
      console.log(
        `  ${i + 1} cycles: RSS ${(process.memoryUsage().rss / MB).toFixed(0)} MB, workers running ${runningWorkers()}`,
      );
  }
}

const t0 = performance.now();
await cycles(WARMUP, 1_000_000);
gc();
const warm = { rss: peakRss, external: peakExternal, heap: process.memoryUsage().heapUsed, workers: runningWorkers() };
peakRss = peakExternal = 0;
const t1 = performance.now();
await cycles(CYCLES, 0);
gc();
const end = {
  heap: process.memoryUsage().heapUsed,
  workers: runningWorkers(),
  seconds: (performance.now() - t1) / 1000,
};

const fmt = (b: number): string => `${(b / MB).toFixed(2)} MB`;
console.log(`warm-up: ${WARMUP} cycles in ${((t1 - t0) / 1000).toFixed(1)} s`);
console.log(
  `cycles: ${CYCLES} create/train/dispose of a two-thread core in ${end.seconds.toFixed(1)} s; ${splitCalls} calls split over both threads`,
);
console.log(`workers running: ${warm.workers} after the warm-up, ${end.workers} at the end`);
console.log(`JS heap in use after GC: ${fmt(warm.heap)} after the warm-up, ${fmt(end.heap)} at the end`);
console.log(
  `RSS after GC, peak: ${fmt(warm.rss)} over the warm-up, ${fmt(peakRss)} over the measured run; external memory peak ${fmt(warm.external)} -> ${fmt(peakExternal)}`,
);
const failures = [
  end.workers !== 0 && `${end.workers} workers outlived their cores`,
  splitCalls < CYCLES && "the cycles' calls were not split over the threads",
  end.heap - warm.heap > HEAP_TOLERANCE && `the JS heap grew ${fmt(end.heap - warm.heap)}`,
  peakRss - warm.rss > RSS_TOLERANCE && `RSS peaked ${fmt(peakRss - warm.rss)} above the warm-up's`,
  peakExternal - warm.external > RSS_TOLERANCE &&
    `external memory peaked ${fmt(peakExternal - warm.external)} above the warm-up's`,
].filter(Boolean);
console.log(
  failures.length
    ? `FAIL: ${failures.join("; ")}`
    : "flat: no worker left, JS heap, RSS and external memory within bounds of the warm-up's",
);
if (failures.length) process.exit(1);
