// fit's Keras options: metrics per epoch for training and validation, classWeight and
// sampleWeight with Keras' normalization, early stopping on a metric, and the new losses'
// options through save/load and ONNX bit for bit.
import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  createModel,
  loadModel,
  saveModel,
  sgd,
  type MetricConfig,
  type Model,
  type ModelOptions,
} from "../src/index.js";
import { exportOnnx, importOnnx } from "../src/onnx/index.js";
import { randomArray, seeded } from "./helpers.js";

const rows = 48,
  inputs = 3;
const x = { data: randomArray(rows * inputs, 31, -2, 2), shape: [rows, inputs] as [number, number] };
const next = seeded(32);
const labels = Array.from({ length: rows }, () => Math.floor(next() * 3));
const binary = labels.map((c) => (c === 0 ? 1 : 0));

const classifier = (extra: Partial<ModelOptions> = {}): Promise<Model> =>
  createModel({
    inputs,
    seed: 8,
    loss: "softmaxCrossEntropy",
    layers: [{ units: 6, activation: "tanh" }, { units: 3 }],
    ...extra,
  });
const BACKENDS = ["wasm", "js"] as const;

describe("fit({ metrics })", () => {
  it("reports every metric per epoch for training and validation, in the logs, the history and the callbacks", async () => {
    const model = await classifier();
    const metrics: MetricConfig[] = [
      "accuracy",
      "precision",
      "recall",
      "f1",
      "meanSquaredError",
      { name: "topKAccuracy", k: 2 },
    ];
    const seen: Record<string, number>[] = [];
    const h = await model.fit(x, labels, {
      epochs: 3,
      batchSize: 10,
      validationSplit: 0.25,
      metrics,
      onEpochEnd: (l) => {
        seen.push(l.metrics!);
      },
    });
    const keys = ["precision", "recall", "f1", "meanSquaredError", "topKAccuracy"];
    const valKeys = ["valPrecision", "valRecall", "valF1", "valMeanSquaredError", "valTopKAccuracy"];
    expect(Object.keys(h.metrics).sort()).toEqual([...keys, ...valKeys].sort());
    for (const k of Object.keys(h.metrics)) expect(h.metrics[k]).toHaveLength(3);
    expect(h.accuracy).toHaveLength(3);
    expect(seen.map((m) => Object.keys(m).sort())).toEqual(Array(3).fill([...keys, ...valKeys].sort()));
    expect(h.epochs[2]!.metrics).toEqual(seen[2]);
    // The validation values are evaluate's on the held-out rows after the epoch.
    const held = { data: x.data.subarray(36 * inputs), shape: [12, inputs] as [number, number] };
    const e = model.evaluate(held, labels.slice(36), { metrics });
    expect(h.valLoss[2]).toBe(e.loss);
    expect(h.valAccuracy[2]).toBe(e.accuracy);
    for (const k of keys) expect(h.metrics[`val${k[0]!.toUpperCase()}${k.slice(1)}`]![2]).toBe(e.metrics![k]);
    model.dispose();
  });

  it("training metrics are those of the epoch's outputs: with a learning rate of 1e-30 (no weight moves), evaluate's on the training rows", async () => {
    const model = await createModel({
      inputs,
      seed: 3,
      loss: "binaryCrossEntropy",
      layers: [{ units: 4 }, { units: 1 }],
      optimizer: sgd({ learningRate: 1e-30 }),
    });
    const metrics = ["accuracy", "auc", "precision", "recall", "f1", "meanAbsoluteError"] as const;
    const h = await model.fit(x, binary, { epochs: 1, batchSize: 7, metrics: [...metrics] });
    const e = model.evaluate(x, binary, { metrics: [...metrics] });
    expect(h.loss[0]).toBeCloseTo(e.loss, 6);
    expect(h.accuracy[0]).toBe(e.accuracy);
    for (const k of ["auc", "precision", "recall", "f1"]) expect(h.metrics[k]![0]).toBe(e.metrics![k]);
    expect(h.metrics.meanAbsoluteError![0]).toBeCloseTo(e.metrics!.meanAbsoluteError!, 12);
    model.dispose();
  });

  it("a fit without metrics reports as before: no metrics key in the logs, an empty record in the history", async () => {
    const model = await classifier();
    const h = await model.fit(x, labels, { epochs: 1 });
    expect(h.epochs[0]!.metrics).toBeUndefined();
    expect(h.metrics).toEqual({});
    await expect(model.fit(x, labels, { metrics: ["auc"] })).rejects.toThrow("metrics[0]");
    model.dispose();
  });

  it("early stopping may watch a metric: the mean errors are minimized, the others maximized", async () => {
    const model = await classifier();
    const h = await model.fit(x, labels, {
      epochs: 30,
      validationSplit: 0.25,
      metrics: ["f1"],
      earlyStopping: { monitor: "valF1", patience: 2 },
    });
    const f1 = h.metrics.valF1!,
      best = h.bestEpoch!;
    expect(f1[best]).toBe(Math.max(...f1.slice(0, best + 1)));
    if (h.stopReason === "earlyStopping") expect(f1.length - 1 - best).toBe(2);
    await expect(model.fit(x, labels, { metrics: ["f1"], earlyStopping: { monitor: "valF1" } })).rejects.toThrow(
      ArgumentError,
    );
    await expect(model.fit(x, labels, { earlyStopping: { monitor: "f1" } })).rejects.toThrow("earlyStopping.monitor");
    model.dispose();
  });
});

describe.each(BACKENDS)("fit({ classWeight, sampleWeight }) (%s)", (backend) => {
  it("a weight of 2 everywhere doubles the loss and the step: SGD then moves as with twice the learning rate, bit for bit", async () => {
    const run = async (lr: number, sampleWeight?: number[]) => {
      const m = await classifier({ optimizer: sgd({ learningRate: lr }), backend });
      const h = await m.fit(x, labels, { epochs: 2, batchSize: 16, sampleWeight });
      const w = m.getWeights();
      m.dispose();
      return { h, w };
    };
    const plain = await run(0.1),
      doubled = await run(0.05, Array(rows).fill(2)),
      ones = await run(0.1, Array(rows).fill(1));
    expect(doubled.w).toEqual(plain.w);
    expect(ones.w).toEqual(plain.w); // all-ones weights compute exactly as no weights
    expect(ones.h.loss).toEqual(plain.h.loss);
  });

  it("normalizes as Keras' sum_over_batch_size: sum of w_i L_i over the batch's row count, not over the weights' sum", async () => {
    const model = await classifier({ optimizer: sgd({ learningRate: 1e-30 }), backend });
    const w = Array.from({ length: rows }, (_, i) => (i % 4 === 0 ? 0 : i % 4));
    const h = await model.fit(x, labels, { epochs: 1, batchSize: rows, shuffle: false, sampleWeight: w });
    let want = 0;
    for (let i = 0; i < rows; i++) {
      const row = { data: x.data.subarray(i * inputs, (i + 1) * inputs), shape: [1, inputs] as [number, number] };
      want += w[i]! * model.evaluate(row, [labels[i]!]).loss;
    }
    expect(h.loss[0]).toBeCloseTo(want / rows, 6);
    model.dispose();
  });

  it("classWeight is sampleWeight by the target's class (argmax, or the rounded value of one column), bit for bit", async () => {
    const fitted = async (extra: object, y: number[] | number[][], loss: ModelOptions["loss"], units: number) => {
      const m = await createModel({ inputs, seed: 5, loss, layers: [{ units: 5 }, { units }], backend });
      const h = await m.fit(x, y, { epochs: 2, batchSize: 8, ...extra });
      const out = { loss: h.loss, w: m.getWeights() };
      m.dispose();
      return out;
    };
    const cw = { 0: 0.5, 2: 3 };
    expect(await fitted({ classWeight: cw }, labels, "softmaxCrossEntropy", 3)).toEqual(
      await fitted(
        { sampleWeight: labels.map((c) => (c === 0 ? 0.5 : c === 2 ? 3 : 1)) },
        labels,
        "softmaxCrossEntropy",
        3,
      ),
    );
    expect(await fitted({ classWeight: [1, 4] }, binary, "binaryCrossEntropy", 1)).toEqual(
      await fitted({ sampleWeight: binary.map((c) => (c ? 4 : 1)) }, binary, "binaryCrossEntropy", 1),
    );
  });

  it("refuses both at once, wrong lengths, negative or non-finite weights and unknown classes, naming them", async () => {
    const model = await classifier();
    const cases: [object, string][] = [
      [{ classWeight: { 0: 1 }, sampleWeight: Array(rows).fill(1) }, "classWeight"],
      [{ sampleWeight: [1, 2] }, "sampleWeight"],
      [{ sampleWeight: Array(rows).fill(-1) }, "sampleWeight[0]"],
      [{ sampleWeight: Array(rows).fill(NaN) }, "sampleWeight[0]"],
      [{ classWeight: { 3: 1 } }, "classWeight.3"],
      [{ classWeight: { 1: Infinity } }, "classWeight[1]"],
      [{ classWeight: 2 }, "classWeight"],
    ];
    for (const [options, path] of cases) await expect(model.fit(x, labels, options), path).rejects.toThrow(path);
    expect(model.steps).toBe(0);
    model.dispose();
  });

  it("validation as Keras: the held-out rows keep their sample weights, validationData takes a third element, classWeight stays out", async () => {
    const a = await classifier({ backend }),
      b = await classifier({ backend });
    const w = Array.from({ length: rows }, (_, i) => (i < 36 ? 1 : (i % 3) + 0.5));
    const ha = await a.fit(x, labels, { epochs: 2, validationSplit: 0.25, sampleWeight: w });
    const hb = await b.fit(x, labels, { epochs: 2, validationSplit: 0.25 });
    expect(ha.loss).toEqual(hb.loss); // the training rows all weigh 1
    const held = { data: x.data.subarray(36 * inputs), shape: [12, inputs] as [number, number] },
      heldLabels = labels.slice(36);
    expect(ha.valLoss[1]).toBe(a.evaluate(held, heldLabels, { sampleWeight: w.slice(36) }).loss);
    expect(ha.valLoss[1]).not.toBeCloseTo(a.evaluate(held, heldLabels).loss, 3);
    const hc = await a.fit(x, labels, { epochs: 1, validationData: [held, heldLabels, w.slice(36)] });
    expect(hc.valLoss[0]).toBe(a.evaluate(held, heldLabels, { sampleWeight: w.slice(36) }).loss);
    const hd = await a.fit(x, labels, { epochs: 1, validationData: [held, heldLabels], classWeight: { 0: 9 } });
    expect(hd.valLoss[0]).toBe(a.evaluate(held, heldLabels).loss);
    await expect(a.fit(x, labels, { validationData: [held, heldLabels, [1]] })).rejects.toThrow("validationData[2]");
    a.dispose();
    b.dispose();
  });

  it("evaluate weighs the loss as fit does, in chunks of any size, and leaves the metrics unweighted", async () => {
    const model = await classifier({ backend });
    const w = Array.from({ length: rows }, (_, i) => (i % 5) / 2);
    let want = 0;
    for (let i = 0; i < rows; i++) {
      const row = { data: x.data.subarray(i * inputs, (i + 1) * inputs), shape: [1, inputs] as [number, number] };
      want += w[i]! * model.evaluate(row, [labels[i]!]).loss;
    }
    const e = model.evaluate(x, labels, { sampleWeight: w, metrics: ["accuracy", "f1"] });
    expect(e.loss).toBeCloseTo(want / rows, 6);
    const plain = model.evaluate(x, labels, { metrics: ["accuracy", "f1"] });
    expect([e.accuracy, e.metrics]).toEqual([plain.accuracy, plain.metrics]);
    expect(() => model.evaluate(x, labels, { sampleWeight: [1] })).toThrow("options.sampleWeight");
    model.dispose();
  });
});

describe("the new losses' options saved and exported", () => {
  it("huber's delta round-trips through save/load and ONNX, and training carries on bit for bit", async () => {
    const y = { data: randomArray(rows * 2, 40, -3, 3), shape: [rows, 2] as [number, number] };
    const model = await createModel({
      inputs,
      seed: 2,
      loss: { name: "huber", delta: 0.25 },
      layers: [{ units: 5 }, { units: 2 }],
      metrics: ["meanAbsoluteError"],
    });
    await model.fit(x, y, { epochs: 2 });
    const loaded = await loadModel(saveModel(model, { optimizer: true }));
    expect(loaded.loss).toEqual({ name: "huber", fromLogits: false, epsilon: 1e-7, delta: 0.25 });
    expect((await importOnnx(exportOnnx(model))).loss).toEqual(model.loss);
    await model.fit(x, y, { epochs: 1, shuffle: false });
    await loaded.fit(x, y, { epochs: 1, shuffle: false });
    expect(loaded.getWeights()).toEqual(model.getWeights());
    expect(loaded.evaluate(x, y)).toEqual(model.evaluate(x, y));
    await expect(createModel({ inputs, layers: [{ units: 1 }], loss: { name: "huber", delta: 0 } })).rejects.toThrow(
      "loss.delta",
    );
    await expect(
      createModel({ inputs, layers: [{ units: 1 }], loss: { name: "logCosh", delta: 1 } as never }),
    ).rejects.toThrow("loss.delta");
    await expect(
      createModel({ inputs, layers: [{ units: 1 }], loss: { name: "meanAbsoluteError", fromLogits: true } }),
    ).rejects.toThrow("loss.fromLogits");
    await expect(createModel({ inputs, layers: [{ units: 1 }], loss: "categoricalHinge" })).rejects.toThrow("units");
    for (const m of [model, loaded]) m.dispose();
  });

  it("categoricalHinge takes class indices or one-hot rows, refuses other targets, and learns a separable problem", async () => {
    const model = await createModel({
      inputs,
      seed: 6,
      loss: "categoricalHinge",
      layers: [{ units: 8 }, { units: 3 }],
      optimizer: sgd({ learningRate: 0.1 }),
    });
    expect(model.activations.at(-1)).toBe("identity");
    expect(model.metrics).toEqual(["accuracy"]);
    const separable = Array.from({ length: rows }, (_, r) => argmax3(x.data, r));
    const h = await model.fit(x, separable, { epochs: 150, batchSize: 8 });
    expect(h.loss.at(-1)!).toBeLessThan(0.3 * h.loss[0]!);
    expect(model.evaluate(x, separable).accuracy).toBeGreaterThan(0.85);
    expect(() =>
      model.evaluate(
        x,
        Array.from({ length: rows }, () => [2, 0, 0]),
      ),
    ).toThrow("a one-hot value in [0, 1]");
    model.dispose();
  });
});

function argmax3(d: Float32Array, r: number): number {
  const a = d[r * 3]!,
    b = d[r * 3 + 1]!,
    c = d[r * 3 + 2]!;
  return a >= b && a >= c ? 0 : b >= c ? 1 : 2;
}

it("both cores train alike with every option at once (regularizers, a new loss, weights, metrics, validation)", async () => {
  const results = await Promise.all(
    BACKENDS.map(async (backend) => {
      const penalty = { kernelRegularizer: { l1: 1e-3, l2: 1e-2 }, biasRegularizer: { l2: 1e-3 } };
      const model = await createModel({
        inputs,
        seed: 12,
        backend,
        loss: "categoricalHinge",
        optimizer: sgd({ learningRate: 0.05, momentum: 0.9 }),
        layers: [
          { units: 8, activation: "tanh", ...penalty },
          { units: 3, ...penalty },
        ],
      });
      const h = await model.fit(x, labels, {
        epochs: 4,
        batchSize: 8,
        validationSplit: 0.25,
        classWeight: { 1: 2 },
        metrics: ["accuracy", "f1", "meanAbsoluteError", { name: "topKAccuracy", k: 2 }],
      });
      const w = model.getWeights();
      model.dispose();
      return { h, w };
    }),
  );
  const [a, b] = results as [(typeof results)[0], (typeof results)[0]];
  for (let e = 0; e < 4; e++) {
    expect(a.h.loss[e]).toBeCloseTo(b.h.loss[e]!, 5);
    expect(a.h.valLoss[e]).toBeCloseTo(b.h.valLoss[e]!, 5);
    for (const k of Object.keys(a.h.metrics)) expect(a.h.metrics[k]![e], k).toBeCloseTo(b.h.metrics[k]![e]!, 4);
  }
  a.w.forEach((l, i) => l.kernel.forEach((v, j) => expect(v).toBeCloseTo(b.w[i]!.kernel[j]!, 5)));
});

it("trainOnBatch takes classWeight and sampleWeight as fit does: one step, bit for bit", async () => {
  const a = await classifier({ optimizer: sgd({ learningRate: 0.1 }) }),
    b = await classifier({ optimizer: sgd({ learningRate: 0.1 }) });
  const w = labels.map((c) => (c === 2 ? 3 : 1));
  const loss = a.trainOnBatch(x, labels, { classWeight: { 2: 3 } });
  const h = await b.fit(x, labels, { batchSize: rows, shuffle: false, sampleWeight: w });
  expect(loss).toBe(h.loss[0]);
  expect(a.getWeights()).toEqual(b.getWeights());
  expect(() => a.trainOnBatch(x, labels, { sampleWeight: [1] })).toThrow("sampleWeight");
  expect(() => a.trainOnBatch(x, labels, { weights: [1] } as never)).toThrow("options.weights");
  a.dispose();
  b.dispose();
});
