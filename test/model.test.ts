import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  createModel,
  initializers,
  loadModel,
  NonFiniteError,
  saveModel,
  sgd,
  adam,
  adamw,
  rmsprop,
  schedules,
  StateError,
  type ModelOptions,
} from "../src/index.js";
import { bitsOf, randomArray } from "./helpers.js";
import type { DenseLayer } from "../src/layers.js";

const xor = {
  x: [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  y: [[0], [1], [1], [0]],
};

/** A small classification problem: 3 classes of points around three centres. */
function blobs(rows: number, seed = 3): { x: Float32Array; labels: number[] } {
  const noise = randomArray(rows * 2, seed, -0.6, 0.6);
  const x = new Float32Array(rows * 2),
    labels: number[] = [];
  for (let r = 0; r < rows; r++) {
    const c = r % 3;
    x[r * 2] = [0, 2, 1][c]! + noise[r * 2]!;
    x[r * 2 + 1] = [0, 0, 2][c]! + noise[r * 2 + 1]!;
    labels.push(c);
  }
  return { x, labels };
}

const small = (extra: Partial<ModelOptions> = {}): ModelOptions => ({
  inputs: 2,
  seed: 5,
  loss: "softmaxCrossEntropy",
  layers: [{ units: 8 }, { units: 8, activation: "tanh" }, { units: 3 }],
  ...extra,
});

describe("building a model", () => {
  it("fills in the article's defaults: He for ReLU family, Glorot for tanh/logistic, the loss's output activation", async () => {
    const m = await createModel({
      inputs: 4,
      seed: 1,
      loss: "softmaxCrossEntropy",
      layers: [
        { units: 3 },
        { units: 3, activation: "leakyRelu", alpha: 0.2 },
        { units: 3, activation: "tanh" },
        { units: 3, activation: "sigmoid" },
        { units: 2 },
      ],
    });
    expect(m.activations).toEqual(["relu", "leakyRelu", "tanh", "sigmoid", "softmax"]);
    expect((m.layers as readonly DenseLayer[]).map((l) => l.kernelInitializer.name)).toEqual([
      "heNormal",
      "heNormal",
      "glorotUniform",
      "glorotUniform",
      "glorotUniform",
    ]);
    expect((m.layers[1] as DenseLayer).kernelInitializer.config).toEqual({ name: "heNormal", slope: 0.2 });
    expect((m.layers as readonly DenseLayer[]).map((l) => l.biasInitializer.name)).toEqual(Array(5).fill("zeros"));
    const b = await createModel({
      inputs: 2,
      seed: 1,
      loss: "binaryCrossEntropy",
      layers: [{ units: 2, biasInitializer: "smallPositive" }, { units: 1 }],
    });
    expect(b.activations).toEqual(["relu", "sigmoid"]);
    expect([...b.getWeights()[0]!.bias]).toEqual([0.01, 0.01].map(Math.fround));
    const r = await createModel({ inputs: 2, seed: 1, layers: [{ units: 1 }] });
    expect(r.activations).toEqual(["identity"]); // mean squared error: a linear output
    expect(r.summary()).toContain("dense 1: 2 -> 1 identity");
  });

  it("gives each layer its own stream: equal layers differ unless given the same seed and stream", async () => {
    const m = await createModel({ inputs: 4, seed: 9, layers: [{ units: 4 }, { units: 4 }, { units: 4 }] });
    const [, b, c] = m.getWeights();
    expect(bitsOf(b!.kernel)).not.toEqual(bitsOf(c!.kernel));
    const same = await createModel({
      inputs: 4,
      seed: 9,
      layers: [{ units: 4 }, { units: 4, stream: 40 }, { units: 4, stream: 40 }, { units: 1 }],
    });
    const [, s1, s2] = same.getWeights();
    expect(bitsOf(s1!.kernel)).toEqual(bitsOf(s2!.kernel));
    const again = await createModel({ inputs: 4, seed: 9, layers: [{ units: 4 }, { units: 4 }, { units: 4 }] });
    expect(again.getWeights().map((l) => [...bitsOf(l.kernel)])).toEqual(
      m.getWeights().map((l) => [...bitsOf(l.kernel)]),
    );
    const other = await createModel({ inputs: 4, seed: 10, layers: [{ units: 4 }, { units: 4 }, { units: 4 }] });
    expect(bitsOf(other.getWeights()[0]!.kernel)).not.toEqual(bitsOf(m.getWeights()[0]!.kernel));
    const drawn = await createModel({ inputs: 4, layers: [{ units: 4 }] });
    expect(Number.isInteger(drawn.seed)).toBe(true); // a random seed, recorded
  });

  it("initializes with the initializer it is given (moments of a large layer)", async () => {
    const m = await createModel({
      inputs: 400,
      seed: 2,
      layers: [{ units: 300, kernelInitializer: initializers.heUniform() }, { units: 1 }],
    });
    const k = m.getWeights()[0]!.kernel;
    const std = Math.sqrt(k.reduce((s, v) => s + v * v, 0) / k.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / 400), 3);
    expect(Math.max(...k)).toBeLessThanOrEqual(Math.sqrt(6 / 400));
  });

  it("refuses bad options with errors that name them", async () => {
    const bad: [Partial<ModelOptions> | unknown, string][] = [
      [{ inputs: 0, layers: [{ units: 1 }] }, "inputs"],
      [{ inputs: 2, layers: [] }, "layers"],
      [{ inputs: 2, layers: [{ units: 1.5 }] }, "layers[0].units"],
      [{ inputs: 2, layers: [{ units: 2e9 }] }, "layers[0].units"],
      [{ inputs: 2, layers: [{ units: 2, activation: "swish" }] }, "layers[0].activation"],
      [{ inputs: 2, layers: [{ units: 2, activation: "softmax" }, { units: 2 }] }, "layers[0].activation"],
      [{ inputs: 2, layers: [{ units: 2, kernelInitializer: "xavier" }] }, "layers[0].kernelInitializer"],
      [{ inputs: 2, layers: [{ units: 2, alpha: -1, activation: "leakyRelu" }] }, "layers[0].alpha"],
      [{ inputs: 2, layers: [{ units: 2 }], loss: "hinge" }, "loss"],
      [{ inputs: 2, layers: [{ units: 2, activation: "relu" }], loss: "softmaxCrossEntropy" }, "activation"],
      [
        {
          inputs: 2,
          layers: [{ units: 1, activation: "sigmoid" }],
          loss: { name: "binaryCrossEntropy", fromLogits: true },
        },
        "loss.fromLogits",
      ],
      [{ inputs: 2, layers: [{ units: 1 }], optimizer: "lbfgs" }, "optimizer"],
      [{ inputs: 2, layers: [{ units: 1 }], optimizer: { name: "sgd", learningRate: -1 } }, "learningRate"],
      [{ inputs: 2, layers: [{ units: 1 }], seed: -3 }, "seed"],
      [{ inputs: 2, layers: [{ units: 1 }], normalize: "zscore" }, "normalize"],
      [{ inputs: 2, layers: [{ units: 1 }], backend: "gpu" }, "backend"],
      [{ inputs: 1 << 14, layers: [{ units: 1 << 14 }] }, "layers"],
    ];
    for (const [options, argument] of bad) {
      const error = await createModel(options as ModelOptions).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, JSON.stringify(options)).toBeInstanceOf(ArgumentError);
      expect((error as ArgumentError).argument, JSON.stringify(options)).toBe(argument);
    }
    expect(() => sgd({ momentum: 1 })).toThrow(/momentum/);
    expect(() => adam({ beta2: 1 })).toThrow(/beta2/);
    expect(() => schedules.cosine({ steps: 0 })).toThrow(/steps/);
  });
});

describe("training", () => {
  it("learns XOR with a 2-4-1 tanh net to 100%", async () => {
    const m = await createModel({
      inputs: 2,
      seed: 3,
      layers: [
        { units: 4, activation: "tanh" },
        { units: 1, activation: "sigmoid" },
      ],
      loss: "binaryCrossEntropy",
      optimizer: sgd({ learningRate: 0.5, momentum: 0.9 }),
    });
    const h = await m.fit(xor.x, xor.y, { epochs: 400, batchSize: 4 });
    expect(h.accuracy.at(-1)).toBe(1);
    expect(m.evaluate(xor.x, xor.y).accuracy).toBe(1);
    expect([...m.predictClasses(xor.x)]).toEqual([0, 1, 1, 0]);
    expect(h.loss.at(-1)!).toBeLessThan(h.loss[0]! / 10);
  });

  it("is bit-for-bit repeatable: same seed and data give the same weights, and the two paths agree closely", async () => {
    const { x, labels } = blobs(90);
    const run = async (backend: "wasm" | "js", epochs: number) => {
      const m = await createModel(small({ backend, optimizer: adam({ learningRate: 0.01 }) }));
      await m.fit({ data: x, shape: [90, 2] }, labels, { epochs, batchSize: 9 });
      return m.getWeights().flatMap((l) => [...l.kernel, ...l.bias]);
    };
    const a = await run("wasm", 10),
      b = await run("wasm", 10);
    expect(bitsOf(Float32Array.from(a))).toEqual(bitsOf(Float32Array.from(b)));
    // One step (first batch of the first epoch) and 100 steps: wasm vs js.
    const one = async (backend: "wasm" | "js", steps: number) => {
      const m = await createModel(small({ backend, optimizer: sgd({ learningRate: 0.1, momentum: 0.9 }) }));
      for (let s = 0; s < steps; s++) {
        const rows = 9,
          start = (s * rows) % 90;
        m.trainOnBatch(
          { data: x.subarray(start * 2, (start + rows) * 2), shape: [rows, 2] },
          labels.slice(start, start + rows),
        );
      }
      return m.getWeights().flatMap((l) => [...l.kernel, ...l.bias]);
    };
    const diff = (p: number[], q: number[]) => Math.max(...p.map((v, i) => Math.abs(v - q[i]!)));
    expect(diff(await one("wasm", 1), await one("js", 1))).toBeLessThan(1e-6);
    expect(diff(await one("wasm", 100), await one("js", 100))).toBeLessThan(1e-4);
  });

  it("reports history, validation, callbacks, and resolves with the stop reason", async () => {
    const { x, labels } = blobs(120);
    const m = await createModel(small());
    const batches: number[] = [],
      epochs: number[] = [];
    const h = await m.fit({ data: x, shape: [120, 2] }, labels, {
      epochs: 3,
      batchSize: 16,
      validationSplit: 0.25,
      onBatchEnd: (l) => {
        batches.push(l.batch);
        expect(l.loss).toBeGreaterThan(0);
        expect(l.size).toBeGreaterThan(0);
      },
      onEpochEnd: (l) => {
        epochs.push(l.epoch);
      },
    });
    expect(h.stopReason).toBe("completed");
    expect(h.loss).toHaveLength(3);
    expect(h.valLoss).toHaveLength(3);
    expect(h.valAccuracy).toHaveLength(3);
    expect(batches).toHaveLength(3 * Math.ceil(90 / 16)); // the last 30 rows held out
    expect(epochs).toEqual([0, 1, 2]);
    expect(m.epochs).toBe(3);
    expect(m.steps).toBe(batches.length);
    expect(h.valLoss[2]).toBeCloseTo(m.evaluate({ data: x.subarray(180), shape: [30, 2] }, labels.slice(90)).loss, 5);
    const stopped = await m.fit({ data: x, shape: [120, 2] }, labels, { epochs: 5, onEpochEnd: (l) => l.epoch < 1 });
    expect(stopped.stopReason).toBe("callback");
    expect(stopped.loss).toHaveLength(2);
  });

  it("stops early and restores the best weights", async () => {
    const { x, labels } = blobs(60);
    const m = await createModel(small({ optimizer: sgd({ learningRate: 5 }) })); // too high: validation loss wanders
    let bestWeights: Float32Array | null = null,
      bestLoss = Infinity;
    const h = await m.fit({ data: x, shape: [60, 2] }, labels, {
      epochs: 60,
      batchSize: 10,
      validationData: [{ data: x, shape: [60, 2] }, labels],
      earlyStopping: { patience: 2 },
      onNonFinite: "skip",
      onEpochEnd: (l) => {
        if (l.valLoss! < bestLoss) {
          bestLoss = l.valLoss!;
          bestWeights = m.getWeights()[0]!.kernel;
        }
      },
    });
    expect(h.stopReason).toBe("earlyStopping");
    expect(h.bestEpoch).toBeDefined();
    expect(bitsOf(m.getWeights()[0]!.kernel)).toEqual(bitsOf(bestWeights!));
  });

  it("stops at a batch boundary on abort, with the model consistent and usable", async () => {
    const { x, labels } = blobs(300);
    const m = await createModel(small());
    const controller = new AbortController();
    const h = await m.fit({ data: x, shape: [300, 2] }, labels, {
      epochs: 50,
      batchSize: 10,
      onBatchEnd: (l) => {
        if (l.step === 7) controller.abort();
      },
      signal: controller.signal,
    });
    expect(h.stopReason).toBe("aborted");
    expect(m.steps).toBe(7);
    expect(Number.isFinite(m.evaluate({ data: x, shape: [300, 2] }, labels).loss)).toBe(true);
  });

  it("yields to the event loop while training", async () => {
    const { x, labels } = blobs(300);
    const m = await createModel(small({ backend: "js" }));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await m.fit({ data: x, shape: [300, 2] }, labels, { epochs: 40, batchSize: 4, yieldEveryMs: 5 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
  });

  it("stops on NaN naming the first layer that produced it, leaving the weights as they were; or skips the batch", async () => {
    const m = await createModel({
      inputs: 2,
      seed: 1,
      layers: [{ units: 3, activation: "relu" }, { units: 3, activation: "elu" }, { units: 1 }],
    });
    const w = m.getWeights();
    w[1]!.kernel[0] = 1e37; // a finite weight whose products overflow in layer 2
    m.setWeights(w);
    const x = [
        [1e3, 1e3],
        [0, 0],
      ],
      y = [[0], [1]]; // the second row stays finite: relu(0) * 1e37 = 0
    const err = await m.fit(x, y, { epochs: 1, batchSize: 2 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as NonFiniteError).layer).toBe(2);
    expect((err as NonFiniteError).stage).toBe("pre-activation");
    expect((err as NonFiniteError).message).toMatch(/layer 2 .*step 1/);
    expect(m.getWeights().map((l) => [...bitsOf(l.kernel)])).toEqual(w.map((l) => [...bitsOf(l.kernel)]));
    const h = await m.fit(x, y, { epochs: 2, batchSize: 1, shuffle: false, onNonFinite: "skip" });
    expect(h.skippedBatches).toBe(2);
    expect(m.steps).toBe(2); // the finite row trained, twice
  });

  it("clips gradients by global norm", async () => {
    const make = (clipNorm: number) =>
      createModel({
        inputs: 2,
        seed: 4,
        layers: [{ units: 2 }, { units: 1 }],
        optimizer: sgd({ learningRate: 1, clipNorm }),
      });
    const [free, clipped] = [await make(0), await make(1e-3)];
    const before = free.getWeights().flatMap((l) => [...l.kernel, ...l.bias]);
    const g = free.gradients([[3, -2]], [[5]]).layers.flatMap((l) => [...l.kernel, ...l.bias]);
    clipped.trainOnBatch([[3, -2]], [[5]]);
    const after = clipped.getWeights().flatMap((l) => [...l.kernel, ...l.bias]);
    const step = Math.hypot(...after.map((v, i) => v - before[i]!));
    expect(Math.hypot(...g)).toBeGreaterThan(1e-2);
    expect(step).toBeCloseTo(1e-3, 5);
  });

  it("follows the learning-rate schedules", async () => {
    const m = await createModel({
      inputs: 1,
      seed: 1,
      layers: [{ units: 1 }],
      optimizer: sgd({ learningRate: 0.1, schedule: schedules.step({ every: 2, factor: 0.5 }) }),
    });
    const rates: number[] = [];
    await m.fit([[1], [2], [3], [4], [5], [6]], [[1], [2], [3], [4], [5], [6]], {
      epochs: 1,
      batchSize: 1,
      onBatchEnd: () => {
        rates.push(m.optimizerRunner.learningRate);
      },
    });
    expect(rates).toEqual([0.1, 0.05, 0.05, 0.025, 0.025, 0.0125]);
    const cos = schedules.cosine({ steps: 10, min: 0.01, warmup: 2 });
    const { rateAt } = await import("../src/schedules.js");
    expect(rateAt(cos, 1, 0)).toBeCloseTo(0.5);
    expect(rateAt(cos, 1, 2)).toBeCloseTo(1);
    expect(rateAt(cos, 1, 7)).toBeCloseTo(0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI / 2)), 12);
    expect(rateAt(cos, 1, 100)).toBeCloseTo(0.01, 12);
  });

  it("trains with every optimizer and L2 decay, and decay shrinks the weights", async () => {
    const { x, labels } = blobs(90);
    for (const optimizer of [
      sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }),
      adam({ learningRate: 0.02 }),
      adamw({ learningRate: 0.02 }),
      rmsprop({ learningRate: 0.01 }),
    ]) {
      const m = await createModel(small({ optimizer }));
      const h = await m.fit({ data: x, shape: [90, 2] }, labels, { epochs: 30, batchSize: 15 });
      expect(h.accuracy.at(-1), optimizer.name).toBeGreaterThan(0.9);
    }
    const norm = async (weightDecay: number) => {
      const m = await createModel(small({ optimizer: sgd({ learningRate: 0.1, weightDecay }) }));
      await m.fit({ data: x, shape: [90, 2] }, labels, { epochs: 20, batchSize: 15 });
      return Math.hypot(...m.getWeights().flatMap((l) => [...l.kernel]));
    };
    expect(await norm(0.05)).toBeLessThan(0.9 * (await norm(0)));
  });

  it("normalizes inputs with statistics from the training data, kept in the model", async () => {
    const { x, labels } = blobs(90);
    const shifted = x.map((v, i) => (i % 2 ? v * 1000 + 5e4 : v));
    const m = await createModel(small({ normalize: "standardize" }));
    await m.fit({ data: shifted, shape: [90, 2] }, labels, { epochs: 40, batchSize: 15 });
    let mean = 0;
    for (let r = 0; r < 90; r++) mean += shifted[r * 2 + 1]! / 90;
    expect(m.normalizer!.shift[1]! / mean).toBeCloseTo(1, 6);
    expect(m.evaluate({ data: shifted, shape: [90, 2] }, labels).accuracy).toBeGreaterThan(0.9);
    const mm = await createModel(small({ normalize: "minMax" }));
    await mm.fit({ data: shifted, shape: [90, 2] }, labels, { epochs: 1 });
    expect(mm.normalizer!.kind).toBe("minMax");
  });
});

describe("inputs", () => {
  it("accepts number[][], { data, shape } of any float type, flat typed arrays, and class indices", async () => {
    const m = await createModel({ inputs: 2, seed: 1, loss: "softmaxCrossEntropy", layers: [{ units: 3 }] });
    const ref = m.predict([
      [1, 2],
      [3, 4],
    ]).data;
    for (const x of [
      { data: new Float64Array([1, 2, 3, 4]), shape: [2, 2] as const },
      { data: [1, 2, 3, 4], shape: [2, 2] as const },
      new Float32Array([1, 2, 3, 4]),
      [1, 2, 3, 4],
      [new Float64Array([1, 2]), new Int8Array([3, 4])],
      { data: new Uint8Array([1, 2, 3, 4]), shape: [2, 2] as const },
    ]) {
      expect(bitsOf(m.predict(x).data)).toEqual(bitsOf(ref));
    }
    expect(
      m.predict([
        [1, 2],
        [3, 4],
      ]).shape,
    ).toEqual([2, 3]);
    expect(
      m.evaluate(
        [
          [1, 2],
          [3, 4],
        ],
        [2, 0],
      ),
    ).toEqual(
      m.evaluate(
        [
          [1, 2],
          [3, 4],
        ],
        [
          [0, 0, 1],
          [1, 0, 0],
        ],
      ),
    );
    expect(
      m.evaluate(
        [
          [1, 2],
          [3, 4],
        ],
        new Int32Array([2, 0]),
      ),
    ).toEqual(
      m.evaluate(
        [
          [1, 2],
          [3, 4],
        ],
        [
          [0, 0, 1],
          [1, 0, 0],
        ],
      ),
    );
  });

  it("refuses ragged, wrong-width, non-finite and mismatched data by name, leaving the model unchanged", async () => {
    const m = await createModel({
      inputs: 2,
      seed: 1,
      loss: "softmaxCrossEntropy",
      normalize: "standardize",
      layers: [{ units: 4 }, { units: 3 }],
    });
    const before = saveModel(m, { optimizer: true });
    const cases: [unknown, unknown, string, RegExp][] = [
      [[[1, 2], [3]], [0, 1], "x[1]", /ragged/],
      [[[1, 2, 3]], [0], "x", /rows of 2/],
      [[[1, NaN]], [0], "x[0][1]", /finite/],
      [{ data: new Float64Array([1, 1e39]), shape: [1, 2] }, [0], "x[0][1]", /finite/],
      [[[1, Infinity]], [0], "x[0][1]", /finite/],
      [[[1, 2]], [0, 1], "y", /1 class indices or 1 rows of 3/],
      [[[1, 2]], [3], "y[0]", /class index/],
      [[[1, 2]], [0.5], "y[0]", /class index/],
      [[[1, 2]], [[0, 1]], "y", /rows of 3/],
      [{ data: [1, 2, 3], shape: [2, 2] }, [0, 1], "x.data", /4 values/],
      [{ data: [1, 2], shape: [1, 2.5] }, [0], "x.shape", /positive integers/],
      [[1, 2, 3], [0], "x", /multiple of 2/],
      ["12", [0], "x", /matrix/],
      [[["1", 2]], [0], "x[0][0]", /number/],
      [[[1, 2]], [[0, NaN, 1]], "y[0][1]", /finite/],
    ];
    for (const [x, y, argument, message] of cases) {
      for (const call of [() => m.trainOnBatch(x as never, y as never), () => m.evaluate(x as never, y as never)]) {
        let error: unknown = null;
        try {
          call();
        } catch (e) {
          error = e;
        }
        expect(error, `${JSON.stringify(x)} ${JSON.stringify(y)}`).toBeInstanceOf(ArgumentError);
        expect((error as ArgumentError).argument).toBe(argument);
        expect((error as Error).message).toMatch(message);
      }
      await expect(m.fit(x as never, y as never)).rejects.toThrow(ArgumentError);
    }
    await expect(m.fit([[1, 2]], [0], { epochs: -1 })).rejects.toThrow(/epochs/);
    await expect(m.fit([[1, 2]], [0], { batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(m.fit([[1, 2]], [0], { validationSplit: 1 })).rejects.toThrow(/validationSplit/);
    await expect(m.fit([[1, 2]], [0], { earlyStopping: { monitor: "valLoss" } })).rejects.toThrow(/monitor/);
    await expect(m.fit([[1, 2]], [0], { diagnostics: { every: 0 } })).rejects.toThrow(/diagnostics.every/);
    await expect(m.fit([[1, 2]], [0], { diagnostics: { sample: 5 } })).rejects.toThrow(/diagnostics.sample/);
    expect(m.normalizer).toBeNull(); // no refused fit fitted it
    expect(() =>
      m.setWeights([
        { kernel: [1], bias: [1] },
        { kernel: [1], bias: [1] },
      ]),
    ).toThrow(/weights\[0\]\.kernel/);
    expect(saveModel(m, { optimizer: true })).toEqual(before);
  });
});

describe("save, load and dispose", () => {
  it("round-trips bit-exactly, optimizer state and normalizer included, and training continues identically", async () => {
    const { x, labels } = blobs(90);
    const data = { data: x, shape: [90, 2] as const };
    for (const backend of ["wasm", "js"] as const) {
      const m = await createModel(
        small({
          backend,
          normalize: "standardize",
          optimizer: adam({ learningRate: 0.01, schedule: schedules.cosine({ steps: 100 }) }),
        }),
      );
      await m.fit(data, labels, { epochs: 3, batchSize: 10 });
      const text = JSON.stringify(saveModel(m, { optimizer: true }));
      const back = await loadModel(text, { backend });
      expect(bitsOf(back.predict(data).data)).toEqual(bitsOf(m.predict(data).data));
      expect(back.getWeights().map((l) => [...bitsOf(l.kernel), ...bitsOf(l.bias)])).toEqual(
        m.getWeights().map((l) => [...bitsOf(l.kernel), ...bitsOf(l.bias)]),
      );
      expect(back.steps).toBe(m.steps);
      expect(back.epochs).toBe(3);
      await m.fit(data, labels, { epochs: 2, batchSize: 10 });
      await back.fit(data, labels, { epochs: 2, batchSize: 10 });
      expect(back.getWeights().map((l) => [...bitsOf(l.kernel)])).toEqual(
        m.getWeights().map((l) => [...bitsOf(l.kernel)]),
      );
      const light = saveModel(m);
      expect(light.optimizerState).toBeUndefined();
      expect((await loadModel(light, { backend })).steps).toBe(0);
    }
  });

  it("keeps special float values and odd lengths exact through base64", async () => {
    const { encodeFloats, decodeFloats } = await import("../src/serialize.js");
    for (const n of [0, 1, 2, 3, 5, 17]) {
      const v = randomArray(n, n, -1e30, 1e30);
      if (n > 2) {
        v[0] = -0;
        v[1] = 1e-45;
        v[2] = 3.4028234663852886e38;
      }
      expect(bitsOf(decodeFloats(encodeFloats(v)))).toEqual(bitsOf(v));
    }
    expect(encodeFloats(new Float32Array([1]))).toBe(Buffer.from(new Float32Array([1]).buffer).toString("base64"));
  });

  it("refuses broken documents before allocating", async () => {
    const m = await createModel(small());
    const good = saveModel(m);
    const broken: [Record<string, unknown>, RegExp][] = [
      [{ ...good, format: "keras" }, /document.format/],
      [{ ...good, version: 99 }, /document.version/],
      [{ ...good, layers: [{ ...good.layers[0]!, units: 1e9 }, ...good.layers.slice(1)] }, /units/],
      [{ ...good, weights: good.weights.slice(1) }, /document.weights/],
      [
        {
          ...good,
          weights: [{ ...good.weights[0]!, kernel: good.weights[0]!.kernel!.slice(8) }, ...good.weights.slice(1)],
        },
        /weights\[0\]\.kernel/,
      ],
      [
        {
          ...good,
          weights: [{ ...good.weights[0]!, kernel: "!" + good.weights[0]!.kernel!.slice(1) }, ...good.weights.slice(1)],
        },
        /base64/,
      ],
      [{ ...good, optimizer: { name: "sgd", learningRate: "fast" } }, /learningRate/],
    ];
    for (const [doc, message] of broken) await expect(loadModel(doc as never)).rejects.toThrow(message);
    await expect(loadModel("{not json")).rejects.toThrow(/does not parse/);
  });

  it("frees its memory on dispose and refuses any later use", async () => {
    const m = await createModel(small());
    m.dispose();
    m.dispose(); // twice is harmless
    expect(() => m.predict([[1, 2]])).toThrow(StateError);
    expect(() => m.getWeights()).toThrow(/disposed/);
    await expect(m.fit([[1, 2]], [0])).rejects.toThrow(StateError);
    expect(() => saveModel(m)).toThrow(StateError);
  });

  it("refuses a second fit while one runs, and stops a fit whose model is disposed", async () => {
    const { x, labels } = blobs(300);
    const m = await createModel(small());
    const first = m.fit({ data: x, shape: [300, 2] }, labels, { epochs: 20, batchSize: 5, yieldEveryMs: 0 });
    await expect(m.fit({ data: x, shape: [300, 2] }, labels)).rejects.toThrow(/being trained/);
    expect(() => m.trainOnBatch([[1, 2]], [0])).toThrow(StateError);
    // Predicting between steps is fine and sees the live weights.
    const meanwhile = m.predict([[1, 2]]);
    const w = m.getWeights();
    const check = await createModel(small());
    check.setWeights(w);
    expect(meanwhile.data).toEqual(check.predict([[1, 2]]).data);
    m.dispose();
    await expect(first).rejects.toThrow(/disposed/);
  });
});

describe("edge cases of fit and its options", () => {
  it("an update that overflows is not committed: a NonFiniteError, the weights as they were", async () => {
    const m = await createModel({ inputs: 1, seed: 1, layers: [{ units: 1 }], optimizer: sgd({ learningRate: 999 }) });
    const before = saveModel(m, { optimizer: true });
    let error: unknown;
    try {
      m.trainOnBatch([[1e18]], [[-1e18]]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as NonFiniteError).stage).toBe("update");
    expect(saveModel(m, { optimizer: true })).toEqual(before);
    expect(m.predict([[1]]).data.every(Number.isFinite)).toBe(true);
  });

  it("early stopping: a split that holds out no row monitors the loss; accuracy needs the metric; patience as Keras", async () => {
    const m = await createModel({
      inputs: 1,
      seed: 1,
      layers: [{ units: 4 }, { units: 1 }],
      optimizer: sgd({ learningRate: 0.05 }),
    });
    const x = [[0], [0.5], [1]],
      y = [[0], [0.5], [1]];
    const h = await m.fit(x, y, { epochs: 20, validationSplit: 0.2, earlyStopping: true });
    expect(h.valLoss).toHaveLength(0);
    expect(h.loss).toHaveLength(20); // the falling training loss keeps it going
    await expect(m.fit(x, y, { earlyStopping: { monitor: "accuracy" } })).rejects.toThrow(
      /accuracy is not among the model's metrics/,
    );
    const flat = await createModel({
      inputs: 1,
      seed: 1,
      layers: [{ units: 1 }],
      optimizer: sgd({ learningRate: 1e-9 }),
    });
    const stopped = await flat.fit(x, y, { epochs: 50, earlyStopping: { patience: 3, minDelta: 1 } });
    expect(stopped.loss).toHaveLength(4); // the first epoch sets the best, three more without improvement
  });

  it("an abort before the first batch trains nothing; a dispose during the last batch ends with a StateError", async () => {
    const m = await createModel(small());
    const controller = new AbortController();
    controller.abort();
    const { x, labels } = blobs(30);
    const h = await m.fit({ data: x, shape: [30, 2] }, labels, { signal: controller.signal });
    expect(h.stopReason).toBe("aborted");
    expect(m.steps).toBe(0);
    const last = m.fit({ data: x, shape: [30, 2] }, labels, {
      batchSize: 30,
      validationSplit: 0.2,
      onBatchEnd: () => {
        m.dispose();
      },
    });
    await expect(last).rejects.toThrow(StateError);
  });

  it("refuses misspelt options and silent conversions by name", async () => {
    expect(() => adam({ lr: 0.5 } as never)).toThrow(/optimizer.lr/);
    await expect(createModel({ inputs: 2, layers: [{ units: 2, activaton: "tanh" } as never] })).rejects.toThrow(
      /layers\[0\].activaton/,
    );
    await expect(createModel({ inputs: 2, layers: [{ units: 2 }], lossFunction: "mse" } as never)).rejects.toThrow(
      /options.lossFunction/,
    );
    const m = await createModel(small());
    await expect(m.fit([[1, 2]], [0], { batch_size: 4 } as never)).rejects.toThrow(/options.batch_size/);
    expect(() => m.predict({ data: [1, null], shape: [1, 2] } as never)).toThrow(/x.data\[1\]: expected a number/);
    expect(() => sgd({ learningRate: 0.01, schedule: schedules.cosine({ steps: 10, min: 0.1 }) })).toThrow(
      /schedule.min/,
    );
    expect(() => saveModel(m, null as never)).toThrow(ArgumentError);
  });

  it("targets as typed-array rows work for a softmax output", async () => {
    const m = await createModel({ inputs: 2, seed: 1, loss: "softmaxCrossEntropy", layers: [{ units: 2 }] });
    expect(
      m.evaluate(
        [
          [1, 2],
          [3, 4],
        ],
        [Float32Array.of(1, 0), Float32Array.of(0, 1)],
      ),
    ).toEqual(
      m.evaluate(
        [
          [1, 2],
          [3, 4],
        ],
        [0, 1],
      ),
    );
  });
});
