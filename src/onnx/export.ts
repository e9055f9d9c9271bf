// ONNX export: a model as a standard ONNX graph with a dynamic batch dimension. Dense layers
// are Gemm with PyTorch's weight layout ([units, inputs], transB = 1), so onnx2torch maps them
// to nn.Linear; the normalizer is Sub then Mul; SiLU, which ONNX has no op for, is Sigmoid + Mul.
import { ArgumentError } from "../errors.js";
import { Model } from "../model.js";
import { encodeModel, type ModelSpec, type NodeSpec } from "./schema.js";
import { modelToStack } from "./stack.js";
import { MAX_OPSET, MIN_OPSET } from "./import.js";

export interface OnnxExportOptions {
  /** The opset to write, 11 to 21. Default 13, or 20 when a layer uses GELU (ONNX's Gelu op
   *  arrived in opset 20). */
  opset?: number;
}

/** The opset GELU needs: its tanh form is an op from opset 20 on. */
const GELU_OPSET = 20;

/** The model as ONNX bytes (checker-clean, batch dimension "batch"). */
export function exportOnnx(model: Model, options: OnnxExportOptions = {}): Uint8Array {
  if (!(model instanceof Model)) throw new ArgumentError("model", "a Model", model);
  if (options == null || typeof options !== "object") throw new ArgumentError("options", "{ opset? }", options);
  for (const key of Object.keys(options)) if (key !== "opset") throw new ArgumentError(`options.${key}`, "the option opset", key);
  model.checkUsable("exportOnnx", false);
  const stack = modelToStack(model);
  const hasGelu = stack.layers.some((l) => l.activation === "gelu");
  const opset = options.opset ?? (hasGelu ? GELU_OPSET : 13);
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) throw new ArgumentError("options.opset", `an integer in [${MIN_OPSET}, ${MAX_OPSET}]`, opset);
  if (hasGelu && opset < GELU_OPSET) throw new ArgumentError("options.opset", `${GELU_OPSET} or later for a model with GELU (ONNX's Gelu op)`, opset);

  const nodes: NodeSpec[] = [];
  const initializers: ModelSpec["initializers"] = [];
  let current = "x", counter = 0;
  const add = (opType: string, inputs: string[], attributes?: NodeSpec["attributes"], floatAttributes?: string[]): string => {
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
    switch (layer.activation) {
      case "identity": break;
      case "relu": current = add("Relu", [current]); break;
      case "sigmoid": current = add("Sigmoid", [current]); break;
      case "tanh": current = add("Tanh", [current]); break;
      case "softplus": current = add("Softplus", [current]); break;
      case "selu": current = add("Selu", [current]); break;
      case "leakyRelu": current = add("LeakyRelu", [current], { alpha: layer.alpha }, ["alpha"]); break;
      case "elu": current = add("Elu", [current], { alpha: layer.alpha }, ["alpha"]); break;
      case "silu": current = add("Mul", [current, add("Sigmoid", [current])]); break;
      case "gelu": current = add("Gelu", [current], { approximate: "tanh" }); break;
      case "softmax": current = add("Softmax", [current], { axis: opset >= 13 ? -1 : 1 }); break;
      case "logSoftmax": current = add("LogSoftmax", [current], { axis: opset >= 13 ? -1 : 1 }); break;
    }
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
