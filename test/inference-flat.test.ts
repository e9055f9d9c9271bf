// predictInto allocates nothing per call: over 100,000 calls the JS heap does not grow and
// wasm memory neither grows nor changes hands. (A file of its own: its measurements need a
// process whose only wasm core is the shared one.)
import { PerformanceObserver } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { createModel } from "../src/index.js";
import type { WasmBackend } from "../src/backend/wasm.js";
import { randomArray } from "./helpers.js";

// A full collection on demand, without starting node with --expose-gc (set once, before any
// timed code is compiled: changing a flag later can throw compiled code away).
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

describe("predictInto allocates nothing", () => {
  it.each([
    ["2-16-16-1, one row (matvec)", [2, 16, 16, 1], 1],
    ["16-32-10, eight rows (packed kernels)", [16, 32, 10], 8],
  ])("%s: JS heap and wasm memory flat over 100,000 calls", async (_what, widths, rows) => {
    const [inputs, ...units] = widths as number[];
    // The shared core, as an application has it: one wasm instance per process.
    const model = await createModel({ inputs: inputs!, layers: units.map((u) => ({ units: u, activation: "tanh" as const })), seed: 1, backend: "wasm" });
    const core = model.backend as WasmBackend;
    const input = randomArray((rows as number) * inputs!, 5), output = new Float32Array((rows as number) * units.at(-1)!);
    const first = model.predictInto(input, output).slice();
    for (let i = 0; i < 20_000; i++) model.predictInto(input, output); // the optimizing compiler has run
    const wasm0 = core.arena.memoryBytes, live0 = core.arena.liveBytes;
    let collections = 0;
    const observer = new PerformanceObserver((list) => { collections += list.getEntries().length; });
    observer.observe({ entryTypes: ["gc"] });
    const tick = (): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, 0)); // delivers gc entries
    // Without a collection in between, the heap's growth is all that 100,000 calls allocated.
    // A collection the engine starts on its own (its timers, earlier tests' garbage) voids an
    // attempt; calls that allocate would cause one in every attempt or grow the heap.
    const attempts: { collections: number; allocated: number }[] = [];
    do {
      gc();
      await tick();
      collections = 0;
      const heap0 = process.memoryUsage().heapUsed;
      for (let i = 0; i < 100_000; i++) model.predictInto(input, output);
      const allocated = process.memoryUsage().heapUsed - heap0;
      await tick();
      attempts.push({ collections, allocated });
    } while (collections > 0 && attempts.length < 3);
    observer.disconnect();
    const last = attempts.at(-1)!;
    expect(last.collections, JSON.stringify(attempts)).toBe(0);
    // The smallest JS object is 16 bytes: one per call would be 1.6 MB. What remains is the
    // measurement's own constant (tens of KB whatever the number of calls).
    expect(last.allocated).toBeLessThan(256 * 1024);
    expect(core.arena.memoryBytes).toBe(wasm0);
    expect(core.arena.liveBytes).toBe(live0);
    expect(Array.from(output)).toEqual(Array.from(first));
    model.dispose();
  });
});
