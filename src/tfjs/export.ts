// TF.js layers format out: a Sequential model that tf.loadLayersModel loads (tf.io.fromMemory):
// Dense, BatchNormalization (with its moving statistics), LayerNormalization, Dropout and
// Activation layers. Leaky ReLU becomes a linear Dense (or Activation) and a LeakyReLU layer;
// the normalizer is folded into the first Dense.
import type { ActivationName } from "../activations.js";
import { ArgumentError } from "../errors.js";
import { Model } from "../model.js";
import { foldNormalizer } from "../onnx/stack.js";
import type { TfjsArtifacts } from "./import.js";

/** TF.js' names for simdnet's activations, or why TF.js cannot load one. */
const NAMES: Record<ActivationName, string | { refused: string }> = {
  identity: "linear",
  relu: "relu",
  sigmoid: "sigmoid",
  tanh: "tanh",
  elu: "elu",
  selu: "selu",
  softplus: "softplus",
  softmax: "softmax",
  logSoftmax: "logSoftmax",
  silu: "swish",
  leakyRelu: "linear",
  mish: "mish",
  // tfjs-layers 4.22 writes its tanh-form GELU as "gelu_new" but cannot read that name back.
  gelu: { refused: "an activation TF.js can load (its tanh-form GELU, gelu_new, does not load from JSON)" },
};

/** The model as TF.js layers-model artifacts: tf.loadLayersModel(tf.io.fromMemory(artifacts)). */
export function toTfjs(model: Model): TfjsArtifacts {
  if (!(model instanceof Model)) throw new ArgumentError("model", "a Model", model);
  model.checkUsable("toTfjs", false);
  model.layers.forEach((l, i) => {
    if (l.type !== "dense" && l.type !== "activation") return;
    // tfjs-layers 4.22 refuses an ELU layer with alpha != 1: it would not load, so it is not written.
    if (l.activation === "elu" && l.alpha !== 1)
      throw new ArgumentError(`model.layers[${i}].alpha`, "1 for ELU (TF.js' ELU layer takes no other alpha)", l.alpha);
    const name = NAMES[l.activation];
    if (typeof name !== "string") throw new ArgumentError(`model.layers[${i}].activation`, name.refused, l.activation);
  });
  const normalizer = model.normalizer?.toConfig() ?? null,
    first = model.layers[0]!;
  if (normalizer && first.type !== "dense") {
    throw new ArgumentError(
      "model",
      "a dense first layer to fold the input normalizer into (TF.js has no layer for it)",
      `a ${first.type} layer`,
    );
  }
  const weights = model.getWeights();
  if (normalizer && first.type === "dense") {
    // Folded into the first Dense, which then has a bias even without one of its own.
    const w = weights[0]!,
      bias = first.useBias ? w.bias : new Float32Array(first.units);
    const folded = foldNormalizer({
      inputs: model.inputs,
      normalizer,
      layers: [{ units: first.units, activation: first.activation, alpha: first.alpha, kernel: w.kernel, bias }],
    });
    weights[0] = { kernel: folded.layers[0]!.kernel, bias: folded.layers[0]!.bias };
  }
  const layers: object[] = [],
    weightSpecs: TfjsArtifacts["weightSpecs"] = [],
    values: Float32Array[] = [];
  const common = (name: string, i: number): object => ({
    name,
    trainable: true,
    dtype: "float32",
    ...(i === 0 ? { batch_input_shape: [null, model.inputs] } : {}),
  });
  const weight = (name: string, shape: number[], data: Float32Array): void => {
    weightSpecs.push({ name, shape, dtype: "float32" });
    values.push(data);
  };
  const leaky = (name: string, alpha: number): void => {
    layers.push({
      class_name: "LeakyReLU",
      config: { name: `${name}_activation`, alpha, trainable: true, dtype: "float32" },
    });
  };
  model.layers.forEach((l, i) => {
    const w = weights[i]!;
    switch (l.type) {
      case "dense": {
        const name = `dense_${i + 1}`,
          separate = l.activation === "leakyRelu",
          useBias = w.bias.length > 0;
        layers.push({
          class_name: "Dense",
          config: {
            ...common(name, i),
            units: l.units,
            activation: separate ? "linear" : (NAMES[l.activation] as string),
            use_bias: useBias,
          },
        });
        weight(`${name}/kernel`, [l.inputs, l.units], w.kernel);
        if (useBias) weight(`${name}/bias`, [l.units], w.bias);
        if (separate) leaky(name, l.alpha);
        return;
      }
      case "activation": {
        const name = `activation_${i + 1}`;
        if (l.activation === "leakyRelu") leaky(name, l.alpha);
        else
          layers.push({
            class_name: "Activation",
            config: { ...common(name, i), activation: NAMES[l.activation] as string },
          });
        return;
      }
      case "batchNormalization": {
        const name = `batch_normalization_${i + 1}`;
        layers.push({
          class_name: "BatchNormalization",
          config: { ...common(name, i), axis: -1, momentum: l.momentum, epsilon: l.epsilon, center: true, scale: true },
        });
        for (const [key, data] of [
          ["gamma", w.gamma],
          ["beta", w.beta],
          ["moving_mean", w.movingMean],
          ["moving_variance", w.movingVariance],
        ] as const) {
          weight(`${name}/${key}`, [l.units], data!);
        }
        return;
      }
      case "layerNormalization": {
        const name = `layer_normalization_${i + 1}`;
        layers.push({
          class_name: "LayerNormalization",
          config: { ...common(name, i), axis: -1, epsilon: l.epsilon, center: true, scale: true },
        });
        weight(`${name}/gamma`, [l.units], w.gamma!);
        weight(`${name}/beta`, [l.units], w.beta!);
        return;
      }
      case "dropout":
        layers.push({ class_name: "Dropout", config: { ...common(`dropout_${i + 1}`, i), rate: l.rate } });
        return;
    }
  });
  const weightData = new ArrayBuffer(values.reduce((n, v) => n + v.byteLength, 0));
  const view = new DataView(weightData);
  let offset = 0;
  for (const v of values)
    for (const x of v) {
      view.setFloat32(offset, x, true);
      offset += 4;
    }
  return {
    modelTopology: {
      class_name: "Sequential",
      config: { name: "simdnet", layers },
      keras_version: "tfjs-layers 4.22.0",
      backend: "tensor_flow.js",
    },
    weightSpecs,
    weightData,
    format: "layers-model",
    generatedBy: "simdnet",
    convertedBy: null,
  };
}
