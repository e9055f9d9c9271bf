// TF.js layers format out: a Sequential model of Dense layers that tf.loadLayersModel loads
// (tf.io.fromMemory). Leaky ReLU becomes a linear Dense and a LeakyReLU layer; the normalizer
// is folded into the first Dense.
import type { ActivationName } from "../activations.js";
import { ArgumentError } from "../errors.js";
import { Model } from "../model.js";
import { foldNormalizer, modelToStack } from "../onnx/stack.js";
import type { TfjsArtifacts } from "./import.js";

/** TF.js' names for simdnet's activations, or why TF.js cannot load one. */
const NAMES: Record<ActivationName, string | { refused: string }> = {
  identity: "linear", relu: "relu", sigmoid: "sigmoid", tanh: "tanh", elu: "elu", selu: "selu", softplus: "softplus",
  softmax: "softmax", logSoftmax: "logSoftmax", silu: "swish", leakyRelu: "linear", mish: "mish",
  // tfjs-layers 4.22 writes its tanh-form GELU as "gelu_new" but cannot read that name back.
  gelu: { refused: "an activation TF.js can load (its tanh-form GELU, gelu_new, does not load from JSON)" },
};

/** The model as TF.js layers-model artifacts: tf.loadLayersModel(tf.io.fromMemory(artifacts)). */
export function toTfjs(model: Model): TfjsArtifacts {
  if (!(model instanceof Model)) throw new ArgumentError("model", "a Model", model);
  model.checkUsable("toTfjs", false);
  const stack = foldNormalizer(modelToStack(model));
  stack.layers.forEach((l, i) => {
    // tfjs-layers 4.22 refuses an ELU layer with alpha != 1: it would not load, so it is not written.
    if (l.activation === "elu" && l.alpha !== 1) throw new ArgumentError(`model.layers[${i}].alpha`, "1 for ELU (TF.js' ELU layer takes no other alpha)", l.alpha);
    const name = NAMES[l.activation];
    if (typeof name !== "string") throw new ArgumentError(`model.layers[${i}].activation`, name.refused, l.activation);
  });
  const layers: object[] = [], weightSpecs: TfjsArtifacts["weightSpecs"] = [], values: Float32Array[] = [];
  stack.layers.forEach((l, i) => {
    const name = `dense_${i + 1}`;
    const separate = l.activation === "leakyRelu";
    layers.push({
      class_name: "Dense",
      config: {
        name, units: l.units, activation: separate ? "linear" : NAMES[l.activation] as string, use_bias: true, trainable: true, dtype: "float32",
        ...(i === 0 ? { batch_input_shape: [null, stack.inputs] } : {}),
      },
    });
    weightSpecs.push({ name: `${name}/kernel`, shape: [i === 0 ? stack.inputs : stack.layers[i - 1]!.units, l.units], dtype: "float32" });
    weightSpecs.push({ name: `${name}/bias`, shape: [l.units], dtype: "float32" });
    values.push(l.kernel, l.bias);
    if (separate) {
      layers.push({ class_name: "LeakyReLU", config: { name: `${name}_activation`, alpha: l.alpha, trainable: true, dtype: "float32" } });
    }
  });
  const weightData = new ArrayBuffer(values.reduce((n, v) => n + v.byteLength, 0));
  const view = new DataView(weightData);
  let offset = 0;
  for (const v of values) for (const x of v) { view.setFloat32(offset, x, true); offset += 4; }
  return {
    modelTopology: { class_name: "Sequential", config: { name: "simdnet", layers }, keras_version: "tfjs-layers 4.22.0", backend: "tensor_flow.js" },
    weightSpecs, weightData, format: "layers-model", generatedBy: "simdnet", convertedBy: null,
  };
}
