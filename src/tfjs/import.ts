// TF.js layers format in: a Sequential model, or a functional one that is a chain, of the
// layers a dense network uses. Its topology is Keras' JSON as TF.js writes it (snake_case
// keys); weights are float32, in the order of weightSpecs. Everything else is refused by name.
import type { ActivationName } from "../activations.js";
import { ArgumentError } from "../errors.js";
import { MAX_IMPORTED_ELEMENTS, MAX_UNITS } from "../limits.js";
import type { Model } from "../model.js";
import {
  assembleStack,
  checkImportOptions,
  stackToModel,
  type DenseStack,
  type ImportOptions,
  type Step,
} from "../onnx/stack.js";

/** The parts of tf.io.ModelArtifacts simdnet reads and writes (no TF.js types needed). */
export interface TfjsArtifacts {
  modelTopology: object;
  weightSpecs: { name: string; shape: number[]; dtype: string; quantization?: unknown }[];
  weightData: ArrayBuffer | ArrayBuffer[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

/** Keras/TF.js activation names and simdnet's. `gelu` there is the exact erf form, refused. */
const ACTIVATIONS: Record<string, [ActivationName, number]> = {
  linear: ["identity", 0],
  relu: ["relu", 0],
  sigmoid: ["sigmoid", 0],
  tanh: ["tanh", 0],
  elu: ["elu", 1],
  selu: ["selu", 0],
  softplus: ["softplus", 0],
  softmax: ["softmax", 0],
  logSoftmax: ["logSoftmax", 0],
  swish: ["silu", 0],
  silu: ["silu", 0],
  gelu_new: ["gelu", 0],
  mish: ["mish", 0],
  // Keras 3's keras.activations.leaky_relu: negative_slope 0.2.
  leaky_relu: ["leakyRelu", 0.2],
};
const REFUSED_ACTIVATIONS: Record<string, string> = {
  gelu: "the exact erf GELU (simdnet's GELU is the tanh form, TF.js' gelu_new)",
};
/** The Keras layer class names fromTfjs reads; any other class is refused with an ArgumentError. */
export const SUPPORTED_LAYERS = [
  "InputLayer",
  "Dense",
  "Activation",
  "LeakyReLU",
  "ELU",
  "ReLU",
  "Softmax",
  "Dropout",
  "Flatten",
  "BatchNormalization",
];

interface LayerJson {
  class_name: string;
  config: Record<string, unknown>;
  name?: string;
  inbound_nodes?: unknown;
}

/**
 * A simdnet Model from TF.js layers-model artifacts (what tf.io.fromMemory takes, or what
 * model.save(tf.io.withSaveHandler(...)) hands over).
 */
export async function fromTfjs(artifacts: TfjsArtifacts, options: ImportOptions = {}): Promise<Model> {
  return stackToModel(readTfjs(artifacts), checkImportOptions(options, []));
}

/** The layers of TF.js artifacts, checked, without building a model. */
export function readTfjs(artifacts: TfjsArtifacts): DenseStack {
  if (artifacts == null || typeof artifacts !== "object")
    throw new ArgumentError("artifacts", "TF.js model artifacts { modelTopology, weightSpecs, weightData }", artifacts);
  const topology = artifacts.modelTopology as { class_name?: string; config?: unknown; model_config?: unknown } | null;
  if (
    topology == null ||
    typeof topology !== "object" ||
    ArrayBuffer.isView(topology) ||
    topology instanceof ArrayBuffer
  ) {
    throw new ArgumentError(
      "artifacts.modelTopology",
      "a layers model's JSON topology (a graph model cannot be imported)",
      topology,
    );
  }
  const root = (topology.model_config ?? topology) as { class_name?: string; config?: unknown };
  const layers = chainOf(root);
  const weights = new WeightReader(artifacts);
  const steps: Step[] = [];
  let width = 0,
    unflattened = false;
  layers.forEach((layer, index) => {
    const name = String(layer.config?.name ?? layer.name ?? "");
    const at = `layer ${index} (${layer.class_name} ${JSON.stringify(name)})`;
    const c = layer.config ?? {};
    const take = (what: string, shape: number[]) => weights.take(name, at, what, shape);
    const shape = (c.batch_input_shape ?? c.batch_shape) as unknown;
    if (Array.isArray(shape) && width === 0) {
      // [null, features], or [null, a, b, ...] that a Flatten turns into rows of a*b*... features.
      const dims = shape.slice(1);
      if (shape.length < 2 || shape.length > 5 || !dims.every((d) => Number.isInteger(d) && d >= 1))
        throw new ArgumentError(
          `${at} batch_input_shape`,
          "[null, features] or [null, a, b, ...] before a Flatten",
          shape,
        );
      width = dims.reduce((p: number, d: number) => p * d, 1);
      if (width > MAX_UNITS) throw new ArgumentError(`${at} batch_input_shape`, `at most ${MAX_UNITS} features`, width);
      unflattened = dims.length > 1;
    }
    if (unflattened && !["InputLayer", "Flatten", "Dropout"].includes(layer.class_name)) {
      throw new ArgumentError(at, "a Flatten before it (its input has more than 2 dimensions)", layer.class_name);
    }
    switch (layer.class_name) {
      case "InputLayer":
      case "Dropout":
        return;
      case "Flatten":
        if (width === 0) throw new ArgumentError(at, "a Flatten of inputs of known shape", "no input shape");
        unflattened = false;
        return;
      case "Dense": {
        const units = c.units as number;
        if (!Number.isInteger(units) || units < 1) throw new ArgumentError(`${at} units`, "an integer >= 1", units);
        if (width === 0)
          throw new ArgumentError(at, "an input shape (batch_input_shape) before the first Dense", "none");
        const kernel = take("kernel", [width, units]);
        const bias = c.use_bias === false ? new Float64Array(units) : take("bias", [units]);
        steps.push({ kind: "dense", at, inputs: width, units, kernel, bias });
        width = units;
        const act = activationOf(`${at} activation`, c.activation ?? "linear");
        if (act[0] !== "identity") steps.push({ kind: "activation", at, activation: act[0], alpha: act[1] });
        return;
      }
      case "Activation": {
        const act = activationOf(`${at} activation`, c.activation);
        if (act[0] !== "identity") steps.push({ kind: "activation", at, activation: act[0], alpha: act[1] });
        return;
      }
      case "LeakyReLU":
        steps.push({
          kind: "activation",
          at,
          activation: "leakyRelu",
          alpha: parameter(at, c, ["alpha", "negative_slope"], 0.3),
        });
        return;
      case "ELU":
        steps.push({ kind: "activation", at, activation: "elu", alpha: parameter(at, c, ["alpha"], 1) });
        return;
      case "ReLU": {
        if (c.max_value != null)
          throw new ArgumentError(`${at} max_value`, "none (a capped ReLU is not imported)", c.max_value);
        if (c.threshold != null && c.threshold !== 0) throw new ArgumentError(`${at} threshold`, "0", c.threshold);
        const slope = parameter(at, c, ["negative_slope"], 0);
        steps.push(
          slope === 0
            ? { kind: "activation", at, activation: "relu", alpha: 0 }
            : { kind: "activation", at, activation: "leakyRelu", alpha: slope },
        );
        return;
      }
      case "Softmax": {
        const axis = c.axis ?? -1;
        if (
          axis !== -1 &&
          axis !== 1 &&
          !(Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 1))
        ) {
          throw new ArgumentError(`${at} axis`, "the last axis (-1 or 1)", axis);
        }
        steps.push({ kind: "activation", at, activation: "softmax", alpha: 0 });
        return;
      }
      case "BatchNormalization": {
        const axis = Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : (c.axis ?? -1);
        if (axis !== -1 && axis !== 1) throw new ArgumentError(`${at} axis`, "the feature axis (-1 or 1)", c.axis);
        if (width === 0) throw new ArgumentError(at, "an input shape before it", "none");
        const epsilon = parameter(at, c, ["epsilon"], 1e-3);
        const gamma = c.scale === false ? new Float64Array(width).fill(1) : take("gamma", [width]);
        const beta = c.center === false ? new Float64Array(width) : take("beta", [width]);
        const mean = take("moving_mean", [width]),
          variance = take("moving_variance", [width]);
        const scale = new Float64Array(width),
          shift = new Float64Array(width);
        for (let j = 0; j < width; j++) {
          if (!(variance[j]! + epsilon > 0))
            throw new ArgumentError(`${at} moving_variance[${j}]`, "variance + epsilon > 0", variance[j]);
          scale[j] = gamma[j]! / Math.sqrt(variance[j]! + epsilon);
          shift[j] = beta[j]! - mean[j]! * scale[j]!;
        }
        steps.push({ kind: "affine", at, op: "batchNormalization", scale, shift });
        return;
      }
      default:
        throw new ArgumentError(at, `a layer simdnet imports (${SUPPORTED_LAYERS.join(", ")})`, layer.class_name);
    }
  });
  weights.finish();
  const first = steps.find((s) => s.kind === "dense") as Extract<Step, { kind: "dense" }> | undefined;
  return assembleStack(steps, first?.inputs ?? 0);
}

/** The layers in order: a Sequential's list, or a functional model's layers when they form a chain. */
function chainOf(root: { class_name?: string; config?: unknown }): LayerJson[] {
  const config = root.config as { layers?: unknown } | unknown[] | undefined;
  const list = Array.isArray(config) ? config : (config as { layers?: unknown } | undefined)?.layers;
  if (!Array.isArray(list) || list.length === 0 || list.length > 10000) {
    throw new ArgumentError(
      "artifacts.modelTopology",
      "a Sequential or functional model with 1 to 10000 layers",
      root.class_name,
    );
  }
  list.forEach((l, i) => {
    if (l == null || typeof l !== "object" || typeof (l as LayerJson).class_name !== "string")
      throw new ArgumentError(`layer ${i}`, "{ class_name, config }", l);
  });
  const layers = list as LayerJson[];
  if (root.class_name === "Sequential") return layers;
  if (root.class_name !== "Model" && root.class_name !== "Functional") {
    throw new ArgumentError(
      "artifacts.modelTopology.class_name",
      '"Sequential", "Model" or "Functional"',
      root.class_name,
    );
  }
  // Functional: each layer must read exactly the layer before it.
  layers.forEach((layer, i) => {
    const inbound = inboundNames(layer.inbound_nodes);
    const name = (layer.name ?? layer.config?.name) as string;
    const previous = i === 0 ? null : ((layers[i - 1]!.name ?? layers[i - 1]!.config?.name) as string);
    const ok = i === 0 ? inbound.length === 0 : inbound.length === 1 && inbound[0] === previous;
    if (!ok)
      throw new ArgumentError(
        `layer ${i} (${layer.class_name} ${JSON.stringify(name)})`,
        `a chain: one input, the layer before (${JSON.stringify(previous)})`,
        `inputs [${inbound.join(", ")}]`,
      );
  });
  return layers;
}

/** The names of the layers a functional layer reads: Keras 2 / TF.js [[[name, node, tensor, {}]]],
 *  or Keras 3's keras_history entries. */
function inboundNames(nodes: unknown): string[] {
  const names: string[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (depth > 8 || v == null || typeof v !== "object") return;
    if (Array.isArray(v)) {
      if (typeof v[0] === "string" && typeof v[1] === "number") {
        names.push(v[0]);
        return;
      }
      for (const e of v) visit(e, depth + 1);
      return;
    }
    const history = (v as { keras_history?: unknown }).keras_history;
    if (Array.isArray(history) && typeof history[0] === "string") {
      names.push(history[0]);
      return;
    }
    for (const e of Object.values(v)) visit(e, depth + 1);
  };
  visit(nodes, 0);
  return names;
}

function activationOf(at: string, name: unknown): [ActivationName, number] {
  if (typeof name === "string" && Object.hasOwn(ACTIVATIONS, name)) return ACTIVATIONS[name]!;
  const why =
    typeof name === "string" && Object.hasOwn(REFUSED_ACTIVATIONS, name)
      ? `; ${name} is ${REFUSED_ACTIVATIONS[name]}`
      : "";
  throw new ArgumentError(at, `one of ${Object.keys(ACTIVATIONS).join(", ")}${why}`, name);
}

function parameter(at: string, c: Record<string, unknown>, keys: string[], fallback: number): number {
  const key = keys.find((k) => c[k] != null);
  const v = key === undefined ? fallback : c[key];
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
    throw new ArgumentError(`${at} ${key}`, "a finite number >= 0", v);
  return v;
}

/** Finds each layer's weights in weightSpecs by name (`<layer>/<weight>`; TF.js lists trainable
 *  weights before the others, so order alone would mismatch BatchNormalization statistics). */
class WeightReader {
  private readonly data: DataView;
  private readonly offsets: number[] = [];
  private readonly used: boolean[];
  constructor(private readonly artifacts: TfjsArtifacts) {
    const specs = artifacts.weightSpecs;
    if (!Array.isArray(specs))
      throw new ArgumentError("artifacts.weightSpecs", "an array of { name, shape, dtype }", specs);
    const parts = Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData];
    if (!parts.every((p) => p instanceof ArrayBuffer))
      throw new ArgumentError("artifacts.weightData", "an ArrayBuffer (or an array of them)", artifacts.weightData);
    let bytes = 0;
    specs.forEach((s, i) => {
      const where = `artifacts.weightSpecs[${i}]`;
      if (s == null || typeof s !== "object" || typeof s.name !== "string")
        throw new ArgumentError(where, "{ name, shape, dtype }", s);
      if (s.dtype !== "float32" || s.quantization !== undefined)
        throw new ArgumentError(
          `${where} (${s.name})`,
          "float32 weights, not quantized",
          s.quantization ? "quantized weights" : s.dtype,
        );
      if (
        !Array.isArray(s.shape) ||
        s.shape.length > 4 ||
        !s.shape.every((d) => Number.isInteger(d) && d >= 0 && d <= MAX_IMPORTED_ELEMENTS)
      )
        throw new ArgumentError(`${where}.shape`, "up to 4 sizes in [0, 2^27]", s.shape);
      this.offsets.push(bytes);
      bytes += 4 * s.shape.reduce((p, d) => p * d, 1);
    });
    const total = parts.reduce((n, p) => n + p.byteLength, 0);
    if (bytes !== total)
      throw new ArgumentError(
        "artifacts.weightData",
        `${bytes} bytes (the weightSpecs' float32 values)`,
        `${total} bytes`,
      );
    const joined = parts.length === 1 ? new Uint8Array(parts[0]!) : new Uint8Array(total);
    if (parts.length > 1)
      parts.reduce((o, p) => {
        joined.set(new Uint8Array(p), o);
        return o + p.byteLength;
      }, 0);
    this.data = new DataView(joined.buffer, joined.byteOffset, joined.byteLength);
    this.used = specs.map(() => false);
  }

  take(layer: string, at: string, what: string, shape: number[]): Float64Array {
    const specs = this.artifacts.weightSpecs;
    const suffix = `${layer}/${what}`;
    const index = specs.findIndex(
      (s, i) => !this.used[i] && (s.name === suffix || s.name.endsWith(`/${suffix}`) || s.name === `${suffix}:0`),
    );
    if (index < 0)
      throw new ArgumentError(`${at} ${what}`, `a weight named ${JSON.stringify(suffix)} in weightSpecs`, "none");
    const spec = specs[index]!;
    this.used[index] = true;
    if (spec.shape.length !== shape.length || spec.shape.some((d, i) => d !== shape[i])) {
      throw new ArgumentError(`${at} ${what} (${spec.name})`, `shape [${shape}]`, `[${spec.shape}]`);
    }
    const n = shape.reduce((p, d) => p * d, 1),
      values = new Float64Array(n),
      offset = this.offsets[index]!;
    for (let i = 0; i < n; i++) values[i] = this.data.getFloat32(offset + 4 * i, true);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new ArgumentError(`${at} ${what} (${spec.name})[${bad}]`, "a finite value", values[bad]);
    return values;
  }

  finish(): void {
    const unused = this.used.indexOf(false);
    if (unused >= 0)
      throw new ArgumentError(
        `artifacts.weightSpecs[${unused}]`,
        "only weights of the layers read",
        this.artifacts.weightSpecs[unused]!.name,
      );
  }
}
