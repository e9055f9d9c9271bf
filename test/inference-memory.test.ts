// Inference memory: what predict and evaluate reserve is bounded by the model (a chunk's
// buffers by bytes, not by a row count).
import { describe, expect, it } from "vitest";
import { createModel, type Model } from "../src/index.js";
import { createWasmBackend, type WasmBackend } from "../src/backend/wasm.js";
import { randomArray } from "./helpers.js";

const MiB = 1 << 20;

async function isolated(inputs: number, units: number[]): Promise<{ model: Model; core: WasmBackend }> {
  const core = await createWasmBackend(); // its own memory, so its growth is this model's alone
  const model = await createModel({
    inputs,
    layers: units.map((u) => ({ units: u, activation: "tanh" })),
    seed: 3,
    backend: core,
  });
  return { model, core };
}

describe("inference memory is bounded by the model", () => {
  it("a 1 -> 2^18 -> 1 model predicts 256 rows without growing memory by hundreds of MiB", async () => {
    const { model, core } = await isolated(1, [1 << 18, 1]);
    const before = core.arena.memoryBytes;
    const out = model.predict({ data: randomArray(256, 1), shape: [256, 1] });
    expect(out.shape).toEqual([256, 1]);
    // The parameters are 4 MiB (two copies, 8 MiB); 256 rows of 2^18-wide buffers would be 768 MiB.
    expect(core.arena.memoryBytes - before).toBeLessThan(16 * MiB);
    model.dispose();
  });

  it("diagnose, with its 256 gradient rows, stays within the same budget on the 1 -> 2^18 -> 1 model", async () => {
    const { model, core } = await isolated(1, [1 << 18, 1]);
    const before = core.arena.memoryBytes;
    const d = model.diagnose(
      { data: randomArray(256, 4), shape: [256, 1] },
      { data: randomArray(256, 5), shape: [256, 1] },
      { console: false },
    );
    expect(d.rows).toBe(256);
    expect(d.gradientRows).toBeGreaterThanOrEqual(1);
    expect(core.arena.memoryBytes - before).toBeLessThan(24 * MiB);
    model.dispose();
  });

  // The class: whatever layer is wide (input, hidden, output), a chunk holds as many rows as
  // fit a fixed byte budget, so predict and evaluate reserve at most about the budget plus
  // one packed copy of the kernels.
  it.each([
    ["a wide input", 1 << 18, [4, 1]],
    ["a wide hidden layer", 2, [1 << 17, 3]],
    ["a wide output", 2, [4, 1 << 17]],
    ["two wide layers", 3, [1 << 15, 16, 1 << 15]],
  ])("%s: predict and evaluate stay within the budget", async (_what, inputs, units) => {
    const { model, core } = await isolated(inputs as number, units as number[]);
    const outputs = (units as number[]).at(-1)!,
      rows = 64; // 64 rows of these widths took 64 to 170 MiB
    const before = core.arena.memoryBytes;
    const kernels = model.getWeights().reduce((n, w) => n + w.kernel.byteLength, 0);
    const x = { data: randomArray(rows * (inputs as number), 2), shape: [rows, inputs as number] as [number, number] };
    model.predict(x);
    model.evaluate(x, { data: randomArray(rows * outputs, 3), shape: [rows, outputs] });
    const grown = core.arena.memoryBytes - before;
    const oneRow = 4 * ((inputs as number) + 2 * outputs + 3 * (units as number[]).reduce((a, b) => a + b, 0));
    expect(grown).toBeLessThanOrEqual(Math.max(8 * MiB, 2 * oneRow) + 2 * kernels + 2 * MiB);
    model.dispose();
  });
});
