// TF.js both ways, against @tensorflow/tfjs-layers itself: models built there import and
// predict the same; simdnet's exports load with tf.loadLayersModel and predict the same.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ACTIVATIONS, ArgumentError, createModel, type ActivationName } from "../src/index.js";
import { fromTfjs, toTfjs, type TfjsArtifacts } from "../src/tfjs/index.js";
import { randomArray } from "./helpers.js";
import { relativeError } from "./onnx-helpers.js";
import type { DenseLayer } from "../src/layers.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

async function artifactsOf(model: tfl.LayersModel): Promise<TfjsArtifacts> {
  let saved: TfjsArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a as unknown as TfjsArtifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  // Through JSON text, as a model.json file carries it.
  return { ...saved!, modelTopology: JSON.parse(JSON.stringify(saved!.modelTopology)) };
}

function tfPredict(model: tfl.LayersModel, x: Float32Array, rows: number, shape = [x.length / rows]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(x, [rows, ...shape])) as tf.Tensor).dataSync() as Float32Array);
}

/** A TF.js model's weights set to seeded values (not its initializers), so every weight matters. */
function seedWeights(model: tfl.LayersModel, seed: number): void {
  model.setWeights(
    model.getWeights().map((w, i) => {
      const isVariance = w.shape.length === 1 && model.weights[i]!.name.includes("variance");
      return tf.tensor(randomArray(w.size, seed + i, isVariance ? 0.2 : -0.8, isVariance ? 2 : 0.8), w.shape);
    }),
  );
}

const x = randomArray(9 * 5, 77, -2, 2);

describe("models built in TF.js import and predict the same", () => {
  it.each(["linear", "relu", "sigmoid", "tanh", "elu", "selu", "softplus", "swish", "gelu_new", "mish"])(
    "Dense with activation %s",
    async (activation) => {
      const model = tfl.sequential({
        layers: [
          tfl.layers.dense({ inputShape: [5], units: 7, activation: activation as never }),
          tfl.layers.dense({ units: 3, activation: "softmax" }),
        ],
      });
      seedWeights(model, 1);
      const imported = await fromTfjs(await artifactsOf(model));
      expect(relativeError(imported.predict({ data: x, shape: [9, 5] }).data, tfPredict(model, x, 9))).toBeLessThan(
        1e-5,
      );
    },
  );

  it("a [5, 1] input flattened; LeakyReLU, ELU, ReLU and Softmax layers, Activation, Dropout, BatchNormalization (folded)", async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.inputLayer({ inputShape: [5, 1] }),
        tfl.layers.flatten(),
        tfl.layers.batchNormalization({}),
        tfl.layers.dense({ units: 8 }),
        tfl.layers.leakyReLU({ alpha: 0.15 }),
        tfl.layers.dropout({ rate: 0.3 }),
        tfl.layers.dense({ units: 8 }),
        tfl.layers.batchNormalization({ epsilon: 0.01 }),
        tfl.layers.elu(),
        tfl.layers.dense({ units: 6, useBias: false }),
        tfl.layers.reLU(),
        tfl.layers.dense({ units: 6 }),
        tfl.layers.activation({ activation: "tanh" }),
        tfl.layers.batchNormalization({ center: false }),
        tfl.layers.dense({ units: 4 }),
        tfl.layers.softmax(),
      ],
    });
    seedWeights(model, 2);
    const imported = await fromTfjs(await artifactsOf(model));
    expect(imported.activations).toEqual(["leakyRelu", "elu", "relu", "tanh", "softmax"]);
    expect((imported.layers as readonly DenseLayer[]).map((l) => l.alpha)).toEqual([
      Math.fround(0.15) === 0.15 ? 0.15 : expect.closeTo(0.15, 7),
      1,
      0,
      0,
      0,
    ]);
    expect(
      relativeError(imported.predict({ data: x, shape: [9, 5] }).data, tfPredict(model, x, 9, [5, 1])),
    ).toBeLessThan(1e-5);
  });

  it("a functional model that is a chain", async () => {
    const input = tfl.input({ shape: [5] });
    const hidden = tfl.layers.dense({ units: 6, activation: "relu" }).apply(input) as tfl.SymbolicTensor;
    const output = tfl.layers.dense({ units: 2, activation: "sigmoid" }).apply(hidden) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    seedWeights(model, 3);
    const imported = await fromTfjs(await artifactsOf(model));
    expect(imported.loss.name).toBe("binaryCrossEntropy");
    expect(relativeError(imported.predict({ data: x, shape: [9, 5] }).data, tfPredict(model, x, 9))).toBeLessThan(1e-5);
  });

  it("refuses, by name, what it cannot import exactly", async () => {
    const refusal = async (layers: tfl.layers.Layer[], message: RegExp) => {
      const error = await fromTfjs(await artifactsOf(tfl.sequential({ layers }))).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ArgumentError);
      expect((error as Error).message).toMatch(message);
    };
    await refusal(
      [tfl.layers.dense({ inputShape: [5], units: 3, activation: "gelu" })],
      /layer 0 \(Dense "dense_\w+"\) activation: expected .*; gelu is the exact erf GELU .*, got "gelu"$/,
    );
    await refusal([tfl.layers.dense({ inputShape: [5], units: 3 }), tfl.layers.reLU({ maxValue: 6 })], /max_value/);
    await refusal(
      [tfl.layers.dense({ inputShape: [5], units: 3 }), tfl.layers.layerNormalization()],
      /layer 1 \(LayerNormalization .*\): expected a layer simdnet imports/,
    );
    await refusal(
      [
        tfl.layers.dense({ inputShape: [5], units: 3, activation: "relu" }),
        tfl.layers.activation({ activation: "tanh" }),
      ],
      /expected one activation after each dense layer/,
    );
    // a branch in a functional model
    const input = tfl.input({ shape: [5] });
    const a = tfl.layers.dense({ units: 3 }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.dense({ units: 3 }).apply(input) as tfl.SymbolicTensor;
    const sum = tfl.layers.add().apply([a, b]) as tfl.SymbolicTensor;
    const error = await fromTfjs(await artifactsOf(tfl.model({ inputs: input, outputs: sum }))).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/expected a chain/);
  });

  it("a corrupted topology or weight list: a model or an ArgumentError, never anything else", async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [5], units: 4, activation: "elu" }),
        tfl.layers.batchNormalization(),
        tfl.layers.dense({ units: 2, activation: "softmax" }),
      ],
    });
    const artifacts = await artifactsOf(model);
    const text = JSON.stringify({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs });
    // Every place a value sits in the JSON text, and what a hostile file could put there instead.
    const values = [...text.matchAll(/:(-?\d+(?:\.\d+)?|"[^"]*"|null|true|false)/g)].map(
      (m) => [m.index! + 1, m[1]!.length] as const,
    );
    const replacements = ["null", "-1", "0", "1e12", '"x"', "[]", "{}", '"__proto__"', "[null, 1e9]", "2.5"];
    let imported = 0,
      refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: values.length - 1 }), fc.constantFrom(...replacements), async (k, replacement) => {
        const [at, length] = values[k]!;
        const mutated = JSON.parse(text.slice(0, at) + replacement + text.slice(at + length)) as Pick<
          TfjsArtifacts,
          "modelTopology" | "weightSpecs"
        >;
        const result = await fromTfjs({ ...mutated, weightData: artifacts.weightData }).then(
          (m) => {
            m.dispose();
            return null;
          },
          (e: unknown) => e,
        );
        if (result === null) imported++;
        else {
          expect(result).toBeInstanceOf(ArgumentError);
          refused++;
        }
      }),
      { numRuns: 200, seed: 31 },
    );
    expect(refused).toBeGreaterThan(20);
    expect(imported).toBeGreaterThan(5); // names, trainable flags, initializers: values the import does not read
  });

  it("refuses weights that do not match their specs", async () => {
    const artifacts = await artifactsOf(tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [5], units: 3 })] }));
    const short = { ...artifacts, weightData: (artifacts.weightData as ArrayBuffer).slice(4) };
    await expect(fromTfjs(short)).rejects.toThrow(/weightData: expected 72 bytes/);
    const nan = (artifacts.weightData as ArrayBuffer).slice(0);
    new Float32Array(nan)[2] = NaN;
    await expect(fromTfjs({ ...artifacts, weightData: nan })).rejects.toThrow(
      /kernel \(.*\)\[2\]: expected a finite value/,
    );
    const wrong = {
      ...artifacts,
      weightSpecs: [{ ...artifacts.weightSpecs[0]!, shape: [3, 5] }, artifacts.weightSpecs[1]!],
    };
    await expect(fromTfjs(wrong)).rejects.toThrow(/shape \[5,3\]/);
    await expect(
      fromTfjs({
        ...artifacts,
        weightSpecs: [...artifacts.weightSpecs, { name: "extra", shape: [0], dtype: "float32" }],
      }),
    ).rejects.toThrow(/weightSpecs\[2\]: expected only weights of the layers read, got "extra"/);
    await expect(
      fromTfjs({
        ...artifacts,
        weightSpecs: [{ ...artifacts.weightSpecs[0]!, name: "other/kernel" }, artifacts.weightSpecs[1]!],
      }),
    ).rejects.toThrow(/kernel: expected a weight named/);
    await expect(fromTfjs({ ...artifacts, modelTopology: new ArrayBuffer(8) as never })).rejects.toThrow(/graph model/);
    await expect(fromTfjs(null as never)).rejects.toThrow(ArgumentError);
  });
});

describe("toTfjs: tf.loadLayersModel loads it and predicts the same", () => {
  // Every elementwise activation but GELU, which toTfjs refuses (below): a new one is tried here unasked.
  const ACTIVATION_LIST = (Object.keys(ACTIVATIONS) as ActivationName[]).filter((a) => a !== "gelu");
  it.each(
    ACTIVATION_LIST.flatMap(
      (a) =>
        [
          [a, false],
          [a, true],
        ] as const,
    ),
  )("%s, normalizer %s, and back", async (activation, normalized) => {
    const model = await createModel({
      inputs: 5,
      seed: 4,
      loss: "softmaxCrossEntropy",
      normalize: normalized ? "standardize" : "none",
      layers: [
        { units: 7, activation, ...(activation === "leakyRelu" ? { alpha: 0.2 } : {}) },
        { units: 3, activation: "softmax" },
      ],
    });
    if (normalized) await model.fit({ data: x, shape: [9, 5] }, [0, 1, 2, 0, 1, 2, 0, 1, 2], { epochs: 1 });
    const artifacts = toTfjs(model);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as unknown as tf.io.ModelArtifacts));
    const ours = model.predict({ data: x, shape: [9, 5] }).data;
    expect(relativeError(tfPredict(loaded, x, 9), ours)).toBeLessThan(1e-5);
    const back = await fromTfjs(artifacts);
    expect(back.activations).toEqual(model.activations);
    expect(relativeError(back.predict({ data: x, shape: [9, 5] }).data, ours)).toBeLessThan(1e-5);
  });

  it("a log-softmax output goes both ways (TF.js' logSoftmax activation)", async () => {
    const model = await createModel({
      inputs: 5,
      seed: 6,
      loss: "softmaxCrossEntropy",
      layers: [
        { units: 7, activation: "tanh" },
        { units: 3, activation: "logSoftmax" },
      ],
    });
    const artifacts = toTfjs(model);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as unknown as tf.io.ModelArtifacts));
    const ours = model.predict({ data: x, shape: [9, 5] }).data;
    expect(relativeError(tfPredict(loaded, x, 9), ours)).toBeLessThan(1e-5);
    const back = await fromTfjs(artifacts);
    expect(back.activations).toEqual(["tanh", "logSoftmax"]);
    expect(relativeError(back.predict({ data: x, shape: [9, 5] }).data, ours)).toBeLessThan(1e-5);
  });

  it("refuses what TF.js would not load: ELU with alpha other than 1, GELU", async () => {
    const elu = await createModel({ inputs: 2, layers: [{ units: 2, activation: "elu", alpha: 0.5 }, { units: 1 }] });
    expect(() => toTfjs(elu)).toThrow(/model.layers\[0\].alpha: expected 1 for ELU/);
    const gelu = await createModel({
      inputs: 2,
      layers: [{ units: 2 }, { units: 2, activation: "gelu" }, { units: 1 }],
    });
    expect(() => toTfjs(gelu)).toThrow(/model.layers\[1\].activation: expected an activation TF.js can load/);
  });
});
