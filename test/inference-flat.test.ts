// predictInto keeps memory flat: over 100,000 calls the JS heap does not grow and wasm memory
// neither grows nor changes hands. (A file of its own: its heap figures are this model's.)
import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { createModel } from "../src/index.js";
import type { WasmBackend } from "../src/backend/wasm.js";
import type { CheckedBackend } from "../src/backend/checked.js";
import { randomArray } from "./helpers.js";

// A full collection on demand, without starting node with --expose-gc (set once, before any
// timed code is compiled: changing a flag later can throw compiled code away).
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

describe("predictInto keeps memory flat", () => {
  it.each([
    ["2-16-16-1, one row (matvec)", [2, 16, 16, 1], 1],
    ["16-32-10, eight rows (packed kernels)", [16, 32, 10], 8],
  ])("%s: JS heap and wasm memory flat over 100,000 calls", async (_what, widths, rows) => {
    const [inputs, ...units] = widths as number[];
    // The shared core, as an application has it: one wasm instance per process.
    const model = await createModel({
      inputs: inputs!,
      layers: units.map((u) => ({ units: u, activation: "tanh" as const })),
      seed: 1,
      backend: "wasm",
    });
    const core = (model.backend as CheckedBackend).inner as WasmBackend;
    const input = randomArray((rows as number) * inputs!, 5),
      output = new Float32Array((rows as number) * units.at(-1)!);
    const first = model.predictInto(input, output).slice();
    for (let i = 0; i < 20_000; i++) model.predictInto(input, output); // the optimizing compiler has run
    const wasm0 = core.arena.memoryBytes,
      live0 = core.arena.liveBytes;
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    for (let i = 0; i < 100_000; i++) model.predictInto(input, output);
    gc();
    // Flat: what 100,000 calls leave on the heap after a collection is the measurement's own
    // constant (tens of KB), where a leak of the smallest object (16 bytes) would be 1.6 MB.
    expect(process.memoryUsage().heapUsed - heap0).toBeLessThan(256 * 1024);
    expect(core.arena.memoryBytes).toBe(wasm0);
    expect(core.arena.liveBytes).toBe(live0);
    expect(Array.from(output)).toEqual(Array.from(first));
    model.dispose();
  });
});
