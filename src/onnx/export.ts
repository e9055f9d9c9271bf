// ONNX export: a model as a standard ONNX graph with a dynamic batch dimension. Dense layers
// are Gemm with PyTorch's weight layout ([units, inputs], transB = 1), so onnx2torch maps them
// to nn.Linear; the normalizer is Sub then Mul; SiLU, which ONNX has no op for, is Sigmoid + Mul.
import type { ActivationName } from "../activations.js";
import { ArgumentError } from "../errors.js";
import { Model } from "../model.js";
import { encodeModel, type ModelSpec, type NodeSpec } from "./schema.js";
import { modelToStack } from "./stack.js";
import { MAX_OPSET, MIN_OPSET } from "./import.js";

export interface OnnxExportOptions {
  /** The opset to write, 11 to 21. Default 13, or 20 when a layer uses GELU (ONNX's Gelu op
   *  arrived in opset 20), or 18 when one uses Mish (its op arrived in opset 18; before it,
   *  Mish is written as x * tanh(softplus(x))). */
  opset?: number;
}

/** Appends a node (op, inputs, attributes, which attributes are floats); returns its output. */
type AddNode = (opType: string, inputs: string[], attributes?: NodeSpec["attributes"], floatAttributes?: string[]) => string;

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
    emit: (add, x, _alpha, opset) => (opset >= MISH_OPSET ? add("Mish", [x]) : add("Mul", [x, add("Tanh", [add("Softplus", [x])])])),
    prefers: MISH_OPSET,
  },
  softmax: { emit: (add, x, _alpha, opset) => add("Softmax", [x], { axis: lastAxis(opset) }) },
  logSoftmax: { emit: (add, x, _alpha, opset) => add("LogSoftmax", [x], { axis: lastAxis(opset) }) },
};

/** The model as ONNX bytes (checker-clean, batch dimension "batch"). */
export function exportOnnx(model: Model, options: OnnxExportOptions = {}): Uint8Array {
  if (!(model instanceof Model)) throw new ArgumentError("model", "a Model", model);
  if (options == null || typeof options !== "object") throw new ArgumentError("options", "{ opset? }", options);
  for (const key of Object.keys(options)) if (key !== "opset") throw new ArgumentError(`options.${key}`, "the option opset", key);
  model.checkUsable("exportOnnx", false);
  const stack = modelToStack(model);
  const writers = stack.layers.map((l) => ONNX_ACTIVATIONS[l.activation]);
  const opset = options.opset ?? Math.max(BASE_OPSET, ...writers.map((w) => w.requires ?? w.prefers ?? BASE_OPSET));
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) throw new ArgumentError("options.opset", `an integer in [${MIN_OPSET}, ${MAX_OPSET}]`, opset);
  stack.layers.forEach((l, i) => {
    const needs = writers[i]!.requires;
    if (needs !== undefined && opset < needs) throw new ArgumentError("options.opset", `${needs} or later for a model with ${l.activation} (its ONNX op)`, opset);
  });

  const nodes: NodeSpec[] = [];
  const initializers: ModelSpec["initializers"] = [];
  let current = "x", counter = 0;
  const add: AddNode = (opType, inputs, attributes, floatAttributes) => {
    const output = `t${counter++}`;
    nodes.push({ opType, inputs, outputs: [output], ...(attributes ? { attributes } : {}), ...(floatAttributes ? { floatAttributes } : {}) });
    return output;
  };
  if (stack.normalizer) {
    initializers.push({ name: "normalizer.shift", dims: [stack.inputs], data: Float32Array.from(stack.normalizer.shift) });
    initializers.push({ name: "normalizer.scale", dims: [stack.inputs], data: Float32Array.from(stack.normalizer.scale) });
    current = add("Mul", [add("Sub", [current, "normalizer.shift"]), "normalizer.scale"]);
  }
  stack.layers.forEach((layer, i) => {
    const inputs = i === 0 ? stack.inputs : stack.layers[i - 1]!.units;
    const transposed = new Float32Array(layer.units * inputs);
    for (let p = 0; p < inputs; p++) for (let q = 0; q < layer.units; q++) transposed[q * inputs + p] = layer.kernel[p * layer.units + q]!;
    initializers.push({ name: `layers.${i}.weight`, dims: [layer.units, inputs], data: transposed });
    initializers.push({ name: `layers.${i}.bias`, dims: [layer.units], data: layer.bias });
    current = add("Gemm", [current, `layers.${i}.weight`, `layers.${i}.bias`], { transB: 1 });
    current = writers[i]!.emit(add, current, layer.alpha, opset);
  });
  nodes[nodes.length - 1]!.outputs = ["y"];
  return encodeModel({
    opset, producer: "simdnet", producerVersion: "0.1.0", graphName: "simdnet",
    nodes, initializers,
    input: { name: "x", width: stack.inputs },
    output: { name: "y", width: model.outputs },
    // What ONNX has no place for, kept so importOnnx restores it: the loss, the normalizer's kind.
    metadata: { "simdnet.loss": JSON.stringify(model.loss), ...(stack.normalizer ? { "simdnet.normalize": stack.normalizer.kind } : {}) },
  });
}
