// Failures inside a training step never leave a half-updated model; models training at the
// same time on one core never disturb each other.
import { describe, expect, it } from "vitest";
import { createWasmBackend } from "../src/backend/wasm.js";
import { adam, createModel, datasets, InternalError, saveModel, sgd, type LayerWeights } from "../src/index.js";

describe("a failure in the middle of a step", () => {
  // The first optimizerStep of a step updates the kernels, the second the biases: a trap in either,
  // after writing half of its output, leaves the model exactly as it was.
  it.each([1, 2])(
    "a trap in the update's call %i leaves weights, optimizer state and step count as they were",
    async (failingCall) => {
      const kernel = "optimizerStep";
      const backend = await createWasmBackend();
      const d = datasets.twoMoons({ samples: 64, seed: 1 });
      const make = () =>
        createModel({
          inputs: 2,
          seed: 2,
          backend,
          loss: "binaryCrossEntropy",
          optimizer: adam({ learningRate: 0.01 }),
          layers: [{ units: 8 }, { units: 1 }],
        });
      const [model, twin] = [await make(), await make()];
      await model.fit(d.x, d.labels, { epochs: 2, batchSize: 16 });
      await twin.fit(d.x, d.labels, { epochs: 2, batchSize: 16 });
      const before = saveModel(model, { optimizer: true });
      // A kernel that writes half of its output and then traps.
      const core = backend.core as unknown as Record<string, (...args: number[]) => number>;
      const real = core[kernel]!;
      let calls = 0;
      core[kernel] = (...args: number[]) => {
        if (++calls === failingCall) {
          real(...args.map((a, i) => (i === 2 ? Math.floor(a / 2) : a))); // n, the parameter count
          throw new InternalError(`wasm trap in ${kernel} (simulated)`);
        }
        return real(...args);
      };
      await expect(model.fit(d.x, d.labels, { epochs: 1, batchSize: 16 })).rejects.toThrow(InternalError);
      core[kernel] = real;
      expect(saveModel(model, { optimizer: true })).toEqual(before);
      // And it trains on exactly as the model that never failed.
      await model.fit(d.x, d.labels, { epochs: 1, batchSize: 16 });
      await twin.fit(d.x, d.labels, { epochs: 1, batchSize: 16 });
      expect(model.getWeights()).toEqual(twin.getWeights());
    },
  );
});

describe("concurrent fits on one core", () => {
  it("models trained at the same time end exactly as when trained one after the other", async () => {
    const d = datasets.circles({ samples: 200, seed: 3 });
    const make = (seed: number) =>
      createModel({
        inputs: 2,
        seed,
        loss: "binaryCrossEntropy",
        optimizer: sgd({ learningRate: 0.1, momentum: 0.9 }),
        layers: [{ units: 16 }, { units: 16, activation: "tanh" }, { units: 1 }],
      });
    const alone: LayerWeights[][] = [];
    for (const seed of [1, 2, 3]) {
      const m = await make(seed);
      await m.fit(d.x, d.labels, { epochs: 10, batchSize: 8 });
      alone.push(m.getWeights());
      m.dispose();
    }
    const models = await Promise.all([1, 2, 3].map(make));
    let interleaved = 0,
      last = -1;
    await Promise.all(
      models.map((m, i) =>
        m.fit(d.x, d.labels, {
          epochs: 10,
          batchSize: 8,
          yieldEveryMs: 0,
          onBatchEnd: () => {
            if (last !== i) interleaved++;
            last = i;
          },
        }),
      ),
    );
    expect(interleaved).toBeGreaterThan(100); // the fits really took turns
    models.forEach((m, i) => expect(m.getWeights()).toEqual(alone[i]));
  });
});
