// The new layers leave simdnet as the model in inference: ONNX (BatchNormalization with the
// moving statistics, LayerNormalization at opset 17, no node for dropout) run by ONNX Runtime,
// and TF.js layers (BatchNormalization, LayerNormalization, Dropout, Activation) loaded by
// tfjs-layers itself; both predict as simdnet does. Importing them back folds batch
// normalization into the dense layer beside it and drops dropout (the inference model).
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import * as ort from "onnxruntime-web";
import { beforeAll, describe, expect, it } from "vitest";
import { ArgumentError, createModel, type LayerOptions, type Model } from "../src/index.js";
import { exportOnnx, importOnnx } from "../src/onnx/index.js";
import { fromTfjs, toTfjs } from "../src/tfjs/index.js";
import { randomArray } from "./helpers.js";
import { relativeError } from "./onnx-helpers.js";

ort.env.wasm.numThreads = 1;
beforeAll(async () => {
  await tf.setBackend("cpu");
});

const LAYERS: LayerOptions[] = [
  { units: 9, activation: "identity", useBias: false },
  { type: "batchNormalization", momentum: 0.9, epsilon: 1e-3 },
  { type: "activation", activation: "tanh" },
  { type: "dropout", rate: 0.3 },
  { units: 7, activation: "leakyRelu", alpha: 0.2 },
  { type: "layerNormalization", epsilon: 1e-3 },
  { type: "activation", activation: "leakyRelu", alpha: 0.1 },
  { units: 3, activation: "softmax" },
];

/** A trained model (moving statistics, gamma and beta away from their start). */
async function trained(normalize: "none" | "standardize"): Promise<{ model: Model; x: Float32Array; rows: number }> {
  const rows = 40,
    x = randomArray(rows * 4, 31, -3, 3);
  const model = await createModel({ inputs: 4, seed: 12, loss: "softmaxCrossEntropy", normalize, layers: LAYERS });
  const labels = Int32Array.from({ length: rows }, (_, r) => (x[r * 4]! > 0 ? 1 : x[r * 4 + 1]! > 0 ? 2 : 0));
  await model.fit({ data: x, shape: [rows, 4] }, labels, { epochs: 5, batchSize: 8, warnings: false });
  return { model, x, rows };
}

describe("normalization, dropout and activation layers in the other formats", () => {
  for (const normalize of ["none", "standardize"] as const) {
    it(`ONNX: ONNX Runtime predicts as simdnet; importOnnx gives the inference model back (normalizer ${normalize})`, async () => {
      const { model, x, rows } = await trained(normalize);
      const bytes = exportOnnx(model);
      const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
      const out = (await session.run({ x: new ort.Tensor("float32", x, [rows, 4]) })).y!.data as Float32Array;
      await session.release();
      const want = model.predict({ data: x, shape: [rows, 4] }).data;
      expect(relativeError(out, want)).toBeLessThan(1e-5);
      expect(() => exportOnnx(model, { opset: 16 })).toThrow(
        /options.opset: expected 17 or later for a model with a layer normalization/,
      );
      model.dispose();
    });

    it(`TF.js: tfjs-layers loads the export and predicts as simdnet (normalizer ${normalize})`, async () => {
      const { model, x, rows } = await trained(normalize);
      const artifacts = toTfjs(model);
      const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
      const y = loaded.predict(tf.tensor2d(x, [rows, 4])) as tf.Tensor;
      expect(
        relativeError(y.dataSync() as Float32Array, model.predict({ data: x, shape: [rows, 4] }).data),
      ).toBeLessThan(1e-5);
      y.dispose();
      loaded.dispose();
      model.dispose();
    });
  }

  it("TF.js refuses a normalizer in front of a first layer that is not dense", async () => {
    const model = await createModel({
      inputs: 2,
      normalize: "standardize",
      layers: [{ type: "batchNormalization" }, { units: 1 }],
    });
    await model.fit(
      { data: new Float32Array([1, 2, 3, 5]), shape: [2, 2] },
      { data: new Float32Array([0, 1]), shape: [2, 1] },
      { warnings: false },
    );
    expect(() => toTfjs(model)).toThrow(ArgumentError);
    expect(() => toTfjs(model)).toThrow(/model: expected a dense first layer to fold the input normalizer into/);
    model.dispose();
  });

  it("a plain dense-with-batch-normalization export imports back as the same inference model", async () => {
    const rows = 30,
      x = randomArray(rows * 3, 5, -2, 2);
    const model = await createModel({
      inputs: 3,
      seed: 3,
      layers: [{ units: 6 }, { type: "batchNormalization" }, { type: "dropout", rate: 0.5 }, { units: 2 }],
    });
    await model.fit(
      { data: x, shape: [rows, 3] },
      { data: randomArray(rows * 2, 6), shape: [rows, 2] },
      { epochs: 3, batchSize: 10, warnings: false },
    );
    const want = model.predict({ data: x, shape: [rows, 3] }).data;
    for (const back of [await importOnnx(exportOnnx(model)), await fromTfjs(toTfjs(model))]) {
      expect(relativeError(back.predict({ data: x, shape: [rows, 3] }).data, want)).toBeLessThan(1e-5);
      back.dispose();
    }
    model.dispose();
  });
});
