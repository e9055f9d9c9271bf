// ONNX export: a model as a standard ONNX graph with a dynamic batch dimension. Dense layers
// are Gemm with PyTorch's weight layout ([units, inputs], transB = 1), so onnx2torch maps them
// to nn.Linear; the normalizer is Sub then Mul; SiLU, which ONNX has no op for, is Sigmoid + Mul.
// The graph is the model in inference: batch normalization is BatchNormalization with the
// moving statistics, layer normalization LayerNormalization (opset 17 on), dropout nothing.
import type { ActivationName } from "../activations.js";
import { ArgumentError } from "../errors.js";
import { Model } from "../model.js";
import { encodeModel, type ModelSpec, type NodeSpec } from "./schema.js";
import type { DenseLayer } from "../layers.js";
import type { ActivationLayer } from "../layerTypes.js";
import { MAX_OPSET, MIN_OPSET } from "./import.js";

/** Options of exportOnnx. */
export interface OnnxExportOptions {
  /** The opset to write, 11 to 21. Default 13, or 20 when a layer uses GELU (ONNX's Gelu op
   *  arrived in opset 20), or 18 when one uses Mish (its op arrived in opset 18; before it,
   *  Mish is written as x * tanh(softplus(x))), or 17 with a layer normalization (its op
   *  arrived in opset 17). */
  opset?: number;
}

/** Appends a node (op, inputs, attributes, which attributes are floats); returns its output. */
type AddNode = (
  opType: string,
  inputs: string[],
  attributes?: NodeSpec["attributes"],
  floatAttributes?: string[],
) => string;

/** How one activation is written after its Gemm. */
interface OnnxActivation {
  /** The nodes reading `x`; returns the activation's output. */
  emit(add: AddNode, x: string, alpha: number, opset: number): string;
  /** The opset its op needs (refused below), if any. */
  requires?: number;
  /** The opset the default rises to for its op (it is written another way below). */
  prefers?: number;
}

const BASE_OPSET = 13;
/** The opset GELU needs: its tanh form is an op from opset 20 on. */
const GELU_OPSET = 20;
/** Mish is an op from opset 18 on. */
const MISH_OPSET = 18;
/** LayerNormalization is an op from opset 17 on. */
const LAYER_NORMALIZATION_OPSET = 17;

/** Opset 13 made -1 the default axis; 1 is also the last axis of a 2-D value before it. */
const lastAxis = (opset: number): number => (opset >= 13 ? -1 : 1);

// Keyed by every activation: one missing is a compile error.
const ONNX_ACTIVATIONS: Record<ActivationName, OnnxActivation> = {
  identity: { emit: (_add, x) => x },
  relu: { emit: (add, x) => add("Relu", [x]) },
  sigmoid: { emit: (add, x) => add("Sigmoid", [x]) },
  tanh: { emit: (add, x) => add("Tanh", [x]) },
  softplus: { emit: (add, x) => add("Softplus", [x]) },
  selu: { emit: (add, x) => add("Selu", [x]) },
  leakyRelu: { emit: (add, x, alpha) => add("LeakyRelu", [x], { alpha }, ["alpha"]) },
  elu: { emit: (add, x, alpha) => add("Elu", [x], { alpha }, ["alpha"]) },
  silu: { emit: (add, x) => add("Mul", [x, add("Sigmoid", [x])]) },
  gelu: { emit: (add, x) => add("Gelu", [x], { approximate: "tanh" }), requires: GELU_OPSET },
  mish: {
    emit: (add, x, _alpha, opset) =>
      opset >= MISH_OPSET ? add("Mish", [x]) : add("Mul", [x, add("Tanh", [add("Softplus", [x])])]),
    prefers: MISH_OPSET,
  },
  softmax: { emit: (add, x, _alpha, opset) => add("Softmax", [x], { axis: lastAxis(opset) }) },
  logSoftmax: { emit: (add, x, _alpha, opset) => add("LogSoftmax", [x], { axis: lastAxis(opset) }) },
};

/** The model as ONNX bytes (checker-clean, batch dimension "batch"). */
export function exportOnnx(model: Model, options: OnnxExportOptions = {}): Uint8Array {
  if (!(model instanceof Model)) throw new ArgumentError("model", "a Model", model);
  if (options == null || typeof options !== "object") throw new ArgumentError("options", "{ opset? }", options);
  for (const key of Object.keys(options))
    if (key !== "opset") throw new ArgumentError(`options.${key}`, "the option opset", key);
  model.checkUsable("exportOnnx", false);
  const activated = model.layers.filter(
    (l): l is DenseLayer | ActivationLayer => l.type === "dense" || l.type === "activation",
  );
  const writers = activated.map((l) => ONNX_ACTIVATIONS[l.activation]);
  const layerNormalized = model.layers.some((l) => l.type === "layerNormalization");
  const opset =
    options.opset ??
    Math.max(
      BASE_OPSET,
      ...writers.map((w) => w.requires ?? w.prefers ?? BASE_OPSET),
      layerNormalized ? LAYER_NORMALIZATION_OPSET : BASE_OPSET,
    );
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET)
    throw new ArgumentError("options.opset", `an integer in [${MIN_OPSET}, ${MAX_OPSET}]`, opset);
  activated.forEach((l, i) => {
    const needs = writers[i]!.requires;
    if (needs !== undefined && opset < needs)
      throw new ArgumentError(
        "options.opset",
        `${needs} or later for a model with ${l.activation} (its ONNX op)`,
        opset,
      );
  });
  if (layerNormalized && opset < LAYER_NORMALIZATION_OPSET) {
    throw new ArgumentError(
      "options.opset",
      `${LAYER_NORMALIZATION_OPSET} or later for a model with a layer normalization (its ONNX op)`,
      opset,
    );
  }
  const weights = model.getWeights(),
    normalizer = model.normalizer?.toConfig() ?? null;

  const nodes: NodeSpec[] = [];
  const initializers: ModelSpec["initializers"] = [];
  let current = "x",
    counter = 0;
  const add: AddNode = (opType, inputs, attributes, floatAttributes) => {
    const output = `t${counter++}`;
    nodes.push({
      opType,
      inputs,
      outputs: [output],
      ...(attributes ? { attributes } : {}),
      ...(floatAttributes ? { floatAttributes } : {}),
    });
    return output;
  };
  if (normalizer) {
    initializers.push({ name: "normalizer.shift", dims: [model.inputs], data: Float32Array.from(normalizer.shift) });
    initializers.push({ name: "normalizer.scale", dims: [model.inputs], data: Float32Array.from(normalizer.scale) });
    current = add("Mul", [add("Sub", [current, "normalizer.shift"]), "normalizer.scale"]);
  }
  const vector = (name: string, data: Float32Array): string => {
    initializers.push({ name, dims: [data.length], data });
    return name;
  };
  model.layers.forEach((layer, i) => {
    const w = weights[i]!;
    switch (layer.type) {
      case "dense": {
        const transposed = new Float32Array(layer.units * layer.inputs);
        for (let p = 0; p < layer.inputs; p++)
          for (let q = 0; q < layer.units; q++) transposed[q * layer.inputs + p] = w.kernel[p * layer.units + q]!;
        initializers.push({ name: `layers.${i}.weight`, dims: [layer.units, layer.inputs], data: transposed });
        const gemmInputs = [
          current,
          `layers.${i}.weight`,
          ...(layer.useBias ? [vector(`layers.${i}.bias`, w.bias)] : []),
        ];
        current = ONNX_ACTIVATIONS[layer.activation].emit(
          add,
          add("Gemm", gemmInputs, { transB: 1 }),
          layer.alpha,
          opset,
        );
        return;
      }
      case "activation":
        current = ONNX_ACTIVATIONS[layer.activation].emit(add, current, layer.alpha, opset);
        return;
      case "batchNormalization":
        // ONNX's momentum is Keras's (the old value's weight); inference mode reads only the statistics.
        current = add(
          "BatchNormalization",
          [
            current,
            vector(`layers.${i}.weight`, w.gamma!),
            vector(`layers.${i}.bias`, w.beta!),
            vector(`layers.${i}.running_mean`, w.movingMean!),
            vector(`layers.${i}.running_var`, w.movingVariance!),
          ],
          { epsilon: layer.epsilon, momentum: layer.momentum },
          ["epsilon", "momentum"],
        );
        return;
      case "layerNormalization":
        current = add(
          "LayerNormalization",
          [current, vector(`layers.${i}.weight`, w.gamma!), vector(`layers.${i}.bias`, w.beta!)],
          { axis: -1, epsilon: layer.epsilon },
          ["epsilon"],
        );
        return;
      case "dropout":
        return; // the identity in inference
    }
  });
  nodes[nodes.length - 1]!.outputs = ["y"];
  return encodeModel({
    opset,
    producer: "simdnet",
    producerVersion: "0.1.0",
    graphName: "simdnet",
    nodes,
    initializers,
    input: { name: "x", width: model.inputs },
    output: { name: "y", width: model.outputs },
    // What ONNX has no place for, kept so importOnnx restores it: the loss, the normalizer's kind.
    metadata: {
      "simdnet.loss": JSON.stringify(model.loss),
      ...(normalizer ? { "simdnet.normalize": normalizer.kind } : {}),
    },
  });
}
