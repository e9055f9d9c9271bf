// Keras' L1L2 regularizers: the kernel against float64 and its JS twin (the gradient bit for
// bit), the penalty in the loss fit, evaluate and gradients report, and save/load.
import { describe, expect, it } from "vitest";
import type { Backend } from "../src/backend/backend.js";
import { ArgumentError, createModel, loadModel, saveModel, sgd } from "../src/index.js";
import { bitsOf, js, randomArray, tensor, wasm } from "./helpers.js";
import type { DenseLayer } from "../src/layers.js";

const SIZES = [1, 3, 4, 5, 17, 33, 1000, 4099];

describe.each([
  ["wasm", wasm],
  ["js", js],
] as [string, Backend][])("regularize kernel (%s)", (_name, backend) => {
  it.each(SIZES)("over %i weights: penalty l1 sum|w| + l2 sum w^2 and gradient l1 sign(w) + 2 l2 w added", (n) => {
    const w = randomArray(n, n, -2, 2),
      g0 = randomArray(n, n + 1);
    if (n > 3) w[2] = 0; // sign(0) = 0
    const grad = tensor(backend, g0);
    const penalty = backend.regularize(tensor(backend, w), grad, 0.01, 0.003);
    let want = 0;
    for (const x of w) want += 0.01 * Math.abs(x) + 0.003 * x * x;
    expect(penalty / want).toBeCloseTo(1, 12);
    const g = backend.read(grad);
    for (let i = 0; i < n; i++) expect(g[i]).toBeCloseTo(g0[i]! + 0.01 * Math.sign(w[i]!) + 2 * 0.003 * w[i]!, 6);
    expect(backend.regularize(tensor(backend, w), null, 0.01, 0.003)).toBe(penalty); // no gradient: the same value
  });
});

it.each(SIZES)("regularize: wasm's gradient is the JS twin's bit for bit over %i weights", (n) => {
  const w = randomArray(n, n + 7, -3, 3),
    g0 = randomArray(n, n + 8);
  const [a, b] = [wasm, js].map((backend) => {
    const grad = tensor(backend, g0);
    const penalty = backend.regularize(tensor(backend, w), grad, 1e-3, 0.5);
    return { penalty, grad: backend.read(grad) };
  });
  expect([...bitsOf(a!.grad)]).toEqual([...bitsOf(b!.grad)]);
  expect(Math.abs(a!.penalty - b!.penalty)).toBeLessThanOrEqual(1e-12 * b!.penalty);
});

describe("kernelRegularizer and biasRegularizer on a model", () => {
  const layers = (reg: object) => [
    { units: 4, activation: "tanh" as const, ...reg },
    { units: 1, ...reg },
  ];
  const x = { data: randomArray(40, 3), shape: [20, 2] as [number, number] },
    y = { data: randomArray(20, 4), shape: [20, 1] as [number, number] };

  it("adds the penalty to the loss that gradients, evaluate and fit report, as Keras", async () => {
    const reg = { kernelRegularizer: { l1: 0.01, l2: 0.02 }, biasRegularizer: { l2: 0.5 } };
    const plain = await createModel({ inputs: 2, seed: 3, layers: layers({}), backend: "js", optimizer: "sgd" });
    const model = await createModel({ inputs: 2, seed: 3, layers: layers(reg), backend: "js", optimizer: "sgd" });
    expect((model.layers[0] as DenseLayer).biasRegularizer).toEqual({ l1: 0, l2: 0.5 });
    plain.setWeights(plain.getWeights().map((l) => ({ kernel: l.kernel, bias: l.bias.map(() => 0.25) })));
    model.setWeights(plain.getWeights());
    let penalty = 0;
    for (const l of model.getWeights()) {
      for (const v of l.kernel) penalty += 0.01 * Math.abs(v) + 0.02 * v * v;
      for (const v of l.bias) penalty += 0.5 * v * v;
    }
    expect(model.evaluate(x, y).loss - plain.evaluate(x, y).loss).toBeCloseTo(penalty, 6);
    expect(model.gradients(x, y).loss - plain.gradients(x, y).loss).toBeCloseTo(penalty, 6);
    const gp = plain.gradients(x, y).layers,
      gm = model.gradients(x, y).layers;
    const w = model.getWeights();
    expect(gm[1]!.bias[0]! - gp[1]!.bias[0]!).toBeCloseTo(2 * 0.5 * 0.25, 6);
    for (let i = 0; i < w[0]!.kernel.length; i++) {
      const v = w[0]!.kernel[i]!;
      expect(gm[0]!.kernel[i]! - gp[0]!.kernel[i]!).toBeCloseTo(0.01 * Math.sign(v) + 0.04 * v, 6);
    }
    // One full batch of SGD: the reported loss is the step's data loss plus the penalty.
    const before = model.gradients(x, y).loss;
    const h = await model.fit(x, y, { batchSize: 20, shuffle: false });
    expect(h.loss[0]).toBeCloseTo(before, 6);
    plain.dispose();
    model.dispose();
  });

  it("shrinks the weights a plain fit leaves large", async () => {
    const norm = async (reg: object) => {
      const m = await createModel({
        inputs: 2,
        seed: 5,
        layers: layers(reg),
        backend: "wasm",
        optimizer: sgd({ learningRate: 0.1 }),
      });
      await m.fit(x, y, { epochs: 50, batchSize: 5 });
      const s = m.getWeights()[0]!.kernel.reduce((a, v) => a + v * v, 0);
      m.dispose();
      return s;
    };
    expect(await norm({ kernelRegularizer: { l2: 0.1 } })).toBeLessThan(0.5 * (await norm({})));
  });

  it("round-trips through save and load bit for bit, and a model without any saves as before", async () => {
    const model = await createModel({
      inputs: 2,
      seed: 9,
      layers: layers({ kernelRegularizer: { l1: 1e-4 }, biasRegularizer: { l1: 0.1, l2: 0.2 } }),
    });
    await model.fit(x, y, { epochs: 2 });
    const doc = saveModel(model, { optimizer: true });
    const loaded = await loadModel(doc);
    expect((loaded.layers as readonly DenseLayer[]).map((l) => [l.kernelRegularizer, l.biasRegularizer])).toEqual(
      (model.layers as readonly DenseLayer[]).map((l) => [l.kernelRegularizer, l.biasRegularizer]),
    );
    expect(loaded.evaluate(x, y).loss).toBe(model.evaluate(x, y).loss);
    expect(saveModel(loaded, { optimizer: true })).toEqual(doc);
    await model.fit(x, y, { epochs: 1, shuffle: false });
    await loaded.fit(x, y, { epochs: 1, shuffle: false });
    expect(loaded.getWeights()).toEqual(model.getWeights());
    const plain = await createModel({ inputs: 2, seed: 9, layers: layers({}) });
    expect(Object.keys(saveModel(plain).layers[0]!)).not.toContain("kernelRegularizer");
    for (const m of [model, loaded, plain]) m.dispose();
  });

  it("refuses bad coefficients and unknown keys with an ArgumentError naming them", async () => {
    for (const [reg, path] of [
      [{ l1: -1 }, "layers[0].kernelRegularizer.l1"],
      [{ l2: Infinity }, "layers[0].kernelRegularizer.l2"],
      [{ l3: 1 }, "layers[0].kernelRegularizer.l3"],
      [0.01, "layers[0].kernelRegularizer"],
      [{ l2: "0.1" }, "layers[0].kernelRegularizer.l2"],
    ] as const) {
      const p = createModel({ inputs: 2, layers: [{ units: 1, kernelRegularizer: reg as never }] });
      await expect(p).rejects.toThrow(ArgumentError);
      await expect(p).rejects.toThrow(path);
    }
  });
});

it("a saved document with a bad regularizer, metric or loss option is refused with the document's path", async () => {
  const model = await createModel({
    inputs: 2,
    seed: 1,
    loss: "softmaxCrossEntropy",
    layers: [{ units: 3, kernelRegularizer: { l2: 0.1 } }, { units: 3 }],
  });
  const doc = saveModel(model);
  const cases: [(d: any) => void, string][] = [
    // eslint-disable-line @typescript-eslint/no-explicit-any
    [
      (d) => {
        d.layers[0].kernelRegularizer.l2 = -1;
      },
      "document.layers[0].kernelRegularizer.l2",
    ],
    [
      (d) => {
        d.layers[0].kernelRegularizer = { l1: 0, l2: { valueOf: () => 1 } };
      },
      "document.layers[0].kernelRegularizer.l2",
    ],
    [
      (d) => {
        d.layers[0].kernelRegularizer = { l2: 0.1 };
      },
      "document.layers[0].kernelRegularizer.l1",
    ],
    [
      (d) => {
        d.layers[0].kernelRegularizer = { l1: 0, l2: 0.1, extra: 1 };
      },
      "document.layers[0].kernelRegularizer.extra",
    ],
    [
      (d) => {
        d.layers[1].biasRegularizer = 3;
      },
      "document.layers[1].biasRegularizer",
    ],
    [
      (d) => {
        d.metrics = ["auc"];
      },
      "document.metrics[0]",
    ],
    [
      (d) => {
        d.metrics = [{ name: "topKAccuracy", k: 2, z: 1 }];
      },
      "document.metrics[0].z",
    ],
    [
      (d) => {
        d.metrics = [{ name: "topKAccuracy", k: "5" }];
      },
      "document.metrics[0].k",
    ],
    [
      (d) => {
        d.loss = { name: "huber", fromLogits: false, epsilon: 1e-7 };
      },
      "document.loss.delta",
    ],
    [
      (d) => {
        d.loss = { name: "huber", fromLogits: false, epsilon: 1e-7, delta: -1 };
      },
      "document.loss.delta",
    ],
  ];
  for (const [mutate, path] of cases) {
    const d = structuredClone(doc);
    mutate(d);
    await expect(loadModel(d), path).rejects.toThrow(new RegExp(`^${path.replace(/[.[\]]/g, "\\$&")}: `));
  }
  model.dispose();
});

it("penalizes only the dense layers it is given on, between normalization and dropout layers", async () => {
  const x = { data: randomArray(30, 21), shape: [10, 3] as [number, number] },
    y = { data: randomArray(10, 22), shape: [10, 1] as [number, number] };
  const stack = (reg: object) => [
    { units: 4, ...reg },
    { type: "batchNormalization" as const },
    { type: "dropout" as const, rate: 0.5 },
    { units: 4, useBias: false, ...reg },
    { type: "layerNormalization" as const },
    { units: 1 },
  ];
  const reg = { kernelRegularizer: { l1: 0.02, l2: 0.03 } };
  const plain = await createModel({ inputs: 3, seed: 4, layers: stack({}), backend: "js" });
  const model = await createModel({ inputs: 3, seed: 4, layers: stack(reg), backend: "js" });
  let penalty = 0;
  model.getWeights().forEach((l, i) => {
    if (i === 0 || i === 3) for (const v of l.kernel) penalty += 0.02 * Math.abs(v) + 0.03 * v * v;
  });
  expect(model.evaluate(x, y).loss - plain.evaluate(x, y).loss).toBeCloseTo(penalty, 6);
  const loaded = await loadModel(saveModel(model), { backend: "js" });
  expect(loaded.evaluate(x, y).loss).toBe(model.evaluate(x, y).loss);
  for (const m of [plain, model, loaded]) m.dispose();
});
