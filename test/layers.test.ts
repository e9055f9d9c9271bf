// Models with batch normalization, layer normalization, dropout, activation layers and dense
// layers without bias: gradients against float64 central differences, training vs inference
// mode, the moving statistics (Keras's momentum, biased variance), the optimizers (every one
// updates gamma and beta, weight decay leaves them be), save and load bit for bit, refusals.
import { describe, expect, it } from "vitest";
import { dropoutStream, type DropoutLayer } from "../src/layerTypes.js";
import { dropoutForward } from "../src/backend/js/dropout.js";
import { forward as activate } from "../src/backend/js/activations.js";
import { createModel, loadModel, saveModel, type LayerOptions, type LayerWeights, type Model } from "../src/index.js";
import { OPTIMIZER_NAMES } from "../src/optimizers.js";
import { bitsOf, randomArray } from "./helpers.js";

type Rows = number[][];
type Weights64 = { kernel: Float64Array; bias: Float64Array; gamma?: Float64Array; beta?: Float64Array }[];

/** The model's training-mode forward pass in float64 (dropout with the masks of `step`). */
function forward64(model: Model, w: Weights64, x: Float32Array, rows: number, step: number): Rows {
  let a: Rows = Array.from({ length: rows }, (_, r) =>
    Array.from(x.subarray(r * model.inputs, (r + 1) * model.inputs)),
  );
  model.layers.forEach((l, i) => {
    const p = w[i]!;
    if (l.type === "dense") {
      a = a.map((row) =>
        Array.from({ length: l.units }, (_, j) => {
          const z = row.reduce((s, v, k) => s + v * p.kernel[k * l.units + j]!, l.useBias ? p.bias[j]! : 0);
          return l.activation === "identity" ? z : activate(l.activation as never, z, l.alpha);
        }),
      );
    } else if (l.type === "activation") {
      a = a.map((row) => row.map((v) => activate(l.activation, v, l.alpha)));
    } else if (l.type === "dropout") {
      const ones = new Float32Array(rows * l.units).fill(1),
        mask = new Float32Array(rows * l.units);
      dropoutForward(
        ones,
        mask,
        new Float32Array(rows * l.units),
        rows * l.units,
        l.rate,
        l.seed,
        dropoutStream(l as DropoutLayer, step),
      );
      a = a.map((row, r) => row.map((v, j) => v * mask[r * l.units + j]!));
    } else {
      const perColumn = l.type === "batchNormalization",
        n = perColumn ? rows : l.units;
      const stat = (r: number, j: number, f: (v: number) => number): number =>
        (perColumn ? a.reduce((s, row) => s + f(row[j]!), 0) : a[r]!.reduce((s, v) => s + f(v), 0)) / n;
      a = a.map((row, r) =>
        row.map((v, j) => {
          const mean = stat(r, j, (u) => u),
            variance = stat(r, j, (u) => (u - mean) ** 2);
          return ((v - mean) / Math.sqrt(variance + l.epsilon)) * p.gamma![j]! + p.beta![j]!;
        }),
      );
    }
  });
  return a;
}

const mse64 = (a: Rows, t: Float32Array): number => {
  const cols = a[0]!.length;
  return (
    a.reduce((s, row, r) => s + row.reduce((q, v, j) => q + (v - t[r * cols + j]!) ** 2, 0), 0) / (a.length * cols)
  );
};

const STACK: LayerOptions[] = [
  { units: 6, activation: "identity", useBias: false },
  { type: "batchNormalization", momentum: 0.9 },
  { type: "activation", activation: "tanh" },
  { type: "dropout", rate: 0.3 },
  { units: 5, activation: "elu", biasInitializer: { name: "uniform", min: -0.5, max: 0.5 } },
  { type: "layerNormalization", epsilon: 1e-3 },
  { units: 2, activation: "identity" },
];

const to64 = (w: LayerWeights[]): Weights64 =>
  w.map((l) => ({
    kernel: Float64Array.from(l.kernel),
    bias: Float64Array.from(l.bias),
    ...(l.gamma ? { gamma: Float64Array.from(l.gamma), beta: Float64Array.from(l.beta!) } : {}),
  }));

describe.each(["wasm", "js"] as const)("layers (%s)", (backend) => {
  it("whole-network gradients of every kernel, bias, gamma and beta match float64 central differences", async () => {
    const model = await createModel({ inputs: 3, seed: 5, backend, layers: STACK });
    // Scale and shift away from 1 and 0, so their gradients are not a special case.
    model.setWeights(
      model.getWeights().map((w, i) =>
        w.gamma
          ? {
              ...w,
              gamma: randomArray(w.gamma.length, i, 0.5, 1.5),
              beta: randomArray(w.beta!.length, i + 9, -0.5, 0.5),
            }
          : w,
      ),
    );
    const rows = 7,
      x = randomArray(rows * 3, 3, -2, 2),
      t = randomArray(rows * 2, 4);
    const g = model.gradients({ data: x, shape: [rows, 3] }, { data: t, shape: [rows, 2] });
    const base = to64(model.getWeights()),
      h = 1e-6;
    expect(g.loss).toBeCloseTo(mse64(forward64(model, base, x, rows, model.steps), t), 5);
    let checked = 0;
    base.forEach((layer, i) => {
      for (const part of ["kernel", "bias", "gamma", "beta"] as const) {
        const values = layer[part];
        if (!values) continue;
        const got = g.layers[i]![part]!;
        expect(got.length, `layer ${i} ${part}`).toBe(values.length);
        for (let k = 0; k < values.length; k++) {
          const at = (v: number): number => {
            const w = base.map((l) => ({ ...l }));
            w[i] = { ...w[i]!, [part]: Float64Array.from(values, (u, q) => (q === k ? v : u)) };
            return mse64(forward64(model, w, x, rows, model.steps), t);
          };
          const want = (at(values[k]! + h) - at(values[k]! - h)) / (2 * h);
          expect(Math.abs(got[k]! - want), `layer ${i} ${part}[${k}]: ${got[k]} vs ${want}`).toBeLessThan(
            2e-4 * (1 + Math.abs(want)),
          );
          checked++;
        }
      }
    });
    expect(checked).toBe(model.net.paramCount);
    model.dispose();
  });

  it("predict and evaluate are inference: dropout is the identity, batch normalization uses the moving statistics", async () => {
    const layers: LayerOptions[] = [
      { units: 8, activation: "relu" },
      { type: "dropout", rate: 0.5 },
      { type: "batchNormalization" },
      { units: 3, activation: "identity" },
    ];
    const model = await createModel({ inputs: 4, seed: 2, backend, layers });
    const moving = { movingMean: randomArray(8, 1, 0, 1), movingVariance: randomArray(8, 2, 0.5, 2) };
    model.setWeights(
      model
        .getWeights()
        .map((w) => (w.movingMean ? { ...w, ...moving, gamma: randomArray(8, 3), beta: randomArray(8, 4) } : w)),
    );
    const rows = 5,
      x = randomArray(rows * 4, 5, -1, 1);
    const p1 = model.predict({ data: x, shape: [rows, 4] }).data,
      p2 = model.predict({ data: x, shape: [rows, 4] }).data;
    expect(bitsOf(p2)).toEqual(bitsOf(p1));
    const w = to64(model.getWeights()),
      bn = model.getWeights()[2]!;
    for (let r = 0; r < rows; r++) {
      const hidden = Array.from({ length: 8 }, (_, j) =>
        Math.max(
          0,
          [0, 1, 2, 3].reduce((s, k) => s + x[r * 4 + k]! * w[0]!.kernel[k * 8 + j]!, w[0]!.bias[j]!),
        ),
      );
      const normalized = hidden.map(
        (v, j) => ((v - bn.movingMean![j]!) / Math.sqrt(bn.movingVariance![j]! + 1e-3)) * bn.gamma![j]! + bn.beta![j]!,
      );
      for (let c = 0; c < 3; c++) {
        const want = normalized.reduce((s, v, j) => s + v * w[3]!.kernel[j * 3 + c]!, w[3]!.bias[c]!);
        expect(Math.abs(p1[r * 3 + c]! - want)).toBeLessThan(1e-5 * (1 + Math.abs(want)));
      }
    }
    const e = model.evaluate({ data: x, shape: [rows, 4] }, { data: new Float32Array(rows * 3), shape: [rows, 3] });
    expect(e.loss).toBeCloseTo(p1.reduce((s, v) => s + v * v, 0) / (rows * 3), 6);
    model.dispose();
  });

  it("a step moves the moving statistics by Keras's convention with the biased batch variance; gradients() and diagnose() do not", async () => {
    const model = await createModel({
      inputs: 2,
      seed: 3,
      backend,
      optimizer: { name: "sgd", learningRate: 1e-9 } as never,
      layers: [
        { type: "batchNormalization", momentum: 0.8 },
        { units: 1, activation: "identity" },
      ],
    });
    const x = new Float32Array([1, 10, 2, 20, 3, 30, 6, 60]),
      y = new Float32Array(4);
    const data = { data: x, shape: [4, 2] as [number, number] },
      target = { data: y, shape: [4, 1] as [number, number] };
    model.gradients(data, target);
    model.diagnose(data, target, { console: false });
    expect(Array.from(model.getWeights()[0]!.movingMean!)).toEqual([0, 0]);
    model.trainOnBatch(data, target);
    const w = model.getWeights()[0]!;
    const f = Math.fround,
      m = f(0.8),
      rest = f(1 - m);
    // Column 0: mean 3, biased variance 3.5 (PyTorch's unbiased would be 14/3); column 1 ten times that.
    expect(Array.from(w.movingMean!)).toEqual([f(f(0 * m) + f(3 * rest)), f(f(0 * m) + f(30 * rest))]);
    expect(Array.from(w.movingVariance!)).toEqual([f(m + f(3.5 * rest)), f(m + f(350 * rest))]);
    model.dispose();
  });

  it("every optimizer updates gamma and beta; weight decay leaves them (and biases) be", async () => {
    const rows = 16,
      x = randomArray(rows * 3, 7, -1, 1),
      y = randomArray(rows, 8);
    const data = { data: x, shape: [rows, 3] as [number, number] },
      target = { data: y, shape: [rows, 1] as [number, number] };
    const layers: LayerOptions[] = [
      { units: 4, activation: "relu" },
      { type: "layerNormalization" },
      { type: "batchNormalization" },
      { units: 1, activation: "identity" },
    ];
    for (const name of OPTIMIZER_NAMES) {
      const after = async (weightDecay: number): Promise<LayerWeights[]> => {
        const m = await createModel({
          inputs: 3,
          seed: 1,
          backend,
          layers,
          optimizer: { name, learningRate: 0.01, weightDecay } as never,
        });
        m.trainOnBatch(data, target); // one step: a second would see kernels that decay changed
        const w = m.getWeights();
        m.dispose();
        return w;
      };
      const plain = await after(0),
        decayed = await after(0.5);
      for (const i of [1, 2]) {
        expect(
          plain[i]!.gamma!.some((v) => v !== 1),
          `${name} gamma`,
        ).toBe(true);
        expect(
          plain[i]!.beta!.some((v) => v !== 0),
          `${name} beta`,
        ).toBe(true);
        expect(bitsOf(decayed[i]!.gamma!), `${name} gamma decayed`).toEqual(bitsOf(plain[i]!.gamma!));
        expect(bitsOf(decayed[i]!.beta!), `${name} beta decayed`).toEqual(bitsOf(plain[i]!.beta!));
      }
      expect(bitsOf(decayed[0]!.kernel), `${name} kernel`).not.toEqual(bitsOf(plain[0]!.kernel));
    }
  });

  it("a fit is reproducible bit for bit, and a saved and loaded model trains on exactly as the original", async () => {
    const rows = 64,
      x = randomArray(rows * 5, 11, -2, 2),
      y = new Float32Array(rows * 3);
    for (let r = 0; r < rows; r++) y[r * 3 + (r % 3)] = 1;
    const data = { data: x, shape: [rows, 5] as [number, number] },
      target = { data: y, shape: [rows, 3] as [number, number] };
    const options = {
      inputs: 5,
      seed: 9,
      backend,
      loss: "softmaxCrossEntropy" as const,
      layers: [
        { units: 16, activation: "relu" },
        { type: "batchNormalization" },
        { type: "dropout", rate: 0.25 },
        { units: 8, useBias: false },
        { type: "layerNormalization" },
        { units: 3, activation: "softmax" },
      ] as LayerOptions[],
    };
    const run = async (): Promise<Model> => {
      const m = await createModel(options);
      await m.fit(data, target, { epochs: 4, batchSize: 16, warnings: false });
      return m;
    };
    const a = await run(),
      b = await run();
    const bits = (m: Model): Uint32Array[] =>
      m.getWeights().flatMap((w) => Object.values(w).map((v) => bitsOf(v as Float32Array)));
    expect(bits(b)).toEqual(bits(a));
    const half = await createModel(options);
    await half.fit(data, target, { epochs: 2, batchSize: 16, warnings: false });
    const text = JSON.stringify(saveModel(half, { optimizer: true }));
    const loaded = await loadModel(text, { backend });
    expect(bits(loaded)).toEqual(bits(half));
    expect(JSON.stringify(saveModel(loaded, { optimizer: true }))).toBe(text);
    // Moving statistics, dropout streams (by step) and optimizer state all carry over.
    for (const m of [half, loaded]) await m.fit(data, target, { epochs: 2, batchSize: 16, warnings: false });
    expect(bits(loaded)).toEqual(bits(half));
    expect(bitsOf(loaded.predict(data).data)).toEqual(bitsOf(half.predict(data).data));
    for (const m of [a, b, half, loaded]) m.dispose();
  });

  it("diagnostics give each normalization's statistics before and after, and dead units where the activation is", async () => {
    const model = await createModel({
      inputs: 8,
      seed: 4,
      backend,
      layers: [
        { units: 32, activation: "identity", kernelInitializer: { name: "normal", std: 0.01 } },
        { type: "batchNormalization", epsilon: 1e-5 },
        { type: "activation", activation: "relu" },
        { units: 1, activation: "identity" },
      ],
    });
    const x = randomArray(256 * 8, 6, -1, 1);
    const d = model.diagnose({ data: x, shape: [256, 8] }, undefined, { console: false });
    const bn = d.layers[1]!,
      relu = d.layers[2]!;
    expect(bn.type).toBe("batchNormalization");
    expect(bn.preActivation.std).toBeLessThan(0.05); // small weights: a tiny signal before
    // unit variance after (gamma 1, beta 0; epsilon 1e-5 of the 2.5e-4)
    expect(bn.activationStats.std).toBeGreaterThan(0.95);
    expect(bn.activationStats.std).toBeLessThan(1);
    expect(relu.type).toBe("activation");
    expect(relu.activation).toBe("relu");
    expect(relu.dead).toBe(0);
    expect(d.layers[0]!.dead).toBeUndefined();
    model.dispose();
  });
});

describe("layer options", () => {
  const build = (layers: unknown[]) => createModel({ inputs: 3, layers: layers as LayerOptions[] });
  it("are checked with typed errors naming the option", async () => {
    await expect(build([{ type: "dropout", rate: 1 }, { units: 1 }])).rejects.toThrow(
      /layers\[0\]\.rate: expected a number in \[0, 1\)/,
    );
    await expect(build([{ type: "dropout" }, { units: 1 }])).rejects.toThrow(/layers\[0\]\.rate/);
    await expect(build([{ type: "batchNormalization", momentum: 2 }, { units: 1 }])).rejects.toThrow(
      /layers\[0\]\.momentum: expected a number in \[0, 1\]/,
    );
    await expect(build([{ type: "layerNormalization", epsilon: 0 }, { units: 1 }])).rejects.toThrow(
      /layers\[0\]\.epsilon/,
    );
    await expect(build([{ type: "batchNormalization", units: 3 }, { units: 1 }])).rejects.toThrow(
      /layers\[0\]\.units: expected one of the options type, momentum, epsilon/,
    );
    await expect(build([{ type: "conv2d" }, { units: 1 }])).rejects.toThrow(
      /layers\[0\]\.type: expected "dense" or one of batchNormalization/,
    );
    await expect(build([{ units: 2 }, { type: "batchNormalization" }])).rejects.toThrow(
      /layers\[1\]\.type: expected a dense output layer/,
    );
    await expect(build([{ type: "activation", activation: "softmax" }, { units: 1 }])).rejects.toThrow(
      /layers\[0\]\.activation: expected an elementwise activation/,
    );
    await expect(build([{ units: 2, useBias: "no" }, { units: 1 }])).rejects.toThrow(
      /layers\[0\]\.useBias: expected true or false/,
    );
  });

  it("count their parameters and show in the summary; a dense layer without bias has none", async () => {
    const m = await createModel({
      inputs: 3,
      seed: 1,
      layers: [
        { units: 4, useBias: false },
        { type: "batchNormalization" },
        { type: "dropout", rate: 0.1 },
        { type: "layerNormalization" },
        { type: "activation", activation: "tanh" },
        { units: 2 },
      ],
    });
    expect(m.net.paramCount).toBe(12 + 8 + 8 + 10);
    expect(m.getWeights()[0]!.bias.length).toBe(0);
    expect(m.summary()).toMatch(
      /dense 1: 3 -> 4 relu, kernel heNormal, no bias, 12 parameters\nlayer 2 \(batchNormalization of 4\), 8 parameters\nlayer 3 \(dropout of 4\), 0 parameters/,
    );
    expect(m.activations).toEqual(["relu", "identity", "identity", "identity", "tanh", "identity"]);
    m.dispose();
  });
});

describe("saved documents with the new layers", () => {
  it("refuse a broken layer or weight with an ArgumentError naming it, before allocating", async () => {
    const m = await createModel({
      inputs: 2,
      seed: 1,
      layers: [
        { units: 3, useBias: false },
        { type: "batchNormalization" },
        { type: "dropout", rate: 0.5 },
        { type: "layerNormalization" },
        { units: 1 },
      ],
    });
    const good = JSON.parse(JSON.stringify(saveModel(m))) as Record<string, unknown> & {
      layers: Record<string, unknown>[];
      weights: Record<string, string>[];
    };
    m.dispose();
    expect(good.layers[0]).toMatchObject({ useBias: false });
    expect(good.weights[0]!.bias).toBe("");
    expect(Object.keys(good.weights[1]!)).toEqual(["gamma", "beta", "movingMean", "movingVariance"]);
    const negative = new Float32Array([1, -1, 1]);
    const encoded = Buffer.from(negative.buffer).toString("base64");
    const layer = (i: number, over: Record<string, unknown>) => ({
      ...good,
      layers: good.layers.map((l, k) => (k === i ? { ...l, ...over } : l)),
    });
    const weight = (i: number, over: Record<string, unknown>) => ({
      ...good,
      weights: good.weights.map((w, k) => (k === i ? { ...w, ...over } : w)),
    });
    const broken: [unknown, RegExp][] = [
      [weight(1, { movingVariance: encoded }), /document\.weights\[1\]\.movingVariance\[1\]: expected a variance >= 0/],
      [weight(1, { gamma: undefined }), /document\.weights\[1\]\.gamma/],
      [weight(3, { gamma: "AAAA" }), /document\.weights\[3\]\.gamma: expected 16 base64 characters/],
      [weight(2, { kernel: "" }), /document\.weights\[2\]\.kernel/],
      [layer(1, { type: "conv2d" }), /document\.layers\[1\]\.type: expected "dense" or one of batchNormalization/],
      [layer(1, { units: 3 }), /document\.layers\[1\]\.units/],
      [layer(2, { rate: 1 }), /rate: expected a number in \[0, 1\)/],
      [layer(1, { momentum: undefined }), /document\.layers\[1\]\.momentum/],
      [layer(0, { useBias: true }), /document\.weights\[0\]\.bias: expected 16 base64 characters \(3 float32 values\)/],
    ];
    for (const [doc, message] of broken)
      await expect(loadModel(JSON.stringify(doc)), String(message)).rejects.toThrow(message);
    const back = await loadModel(JSON.stringify(good));
    expect(JSON.parse(JSON.stringify(saveModel(back)))).toEqual(good);
    back.dispose();
  });
});
