// ONNX import: the dense-network subset, exactly. The graph is walked from its input as a
// chain; each node (or the few multi-node forms exporters write: SiLU as Sigmoid + Mul,
// PyTorch's thresholded Softplus) becomes a step, and everything else is refused by position.
import { ArgumentError } from "../errors.js";
import { MAX_IMPORTED_ELEMENTS, MAX_UNITS } from "../limits.js";
import type { LossConfig } from "../losses.js";
import type { Model } from "../model.js";
import type { NormalizerKind } from "../normalizers.js";
import {
  ATTR_FLOAT,
  ATTR_INT,
  DOUBLE,
  FLOAT,
  INT64,
  decodeModel,
  type OnnxAttribute,
  type OnnxNode,
  type OnnxTensor,
} from "./schema.js";
import {
  assembleStack,
  checkImportOptions,
  stackToModel,
  type DenseStack,
  type ImportOptions,
  type Step,
} from "./stack.js";

/** Options of importOnnx and readOnnx: those every importer takes, and the external data of large models. */
export interface OnnxImportOptions extends ImportOptions {
  /** The bytes of the external data file(s) tensors point to (PyTorch's torch.export-based
   *  exporter writes one beside the .onnx): one file's bytes, bytes by location name, or a
   *  function giving a location's bytes. */
  externalData?:
    | Uint8Array
    | ArrayBuffer
    | Record<string, Uint8Array | ArrayBuffer>
    | ((location: string) => Uint8Array | ArrayBuffer);
}

/** The oldest default-domain opset that importOnnx reads and exportOnnx writes. */
export const MIN_OPSET = 11;
/** The newest default-domain opset that importOnnx reads and exportOnnx writes. */
export const MAX_OPSET = 21;
/** Most values one weight tensor may hold (as a model may hold in all): 2^27 floats. */
const MAX_ELEMENTS = MAX_IMPORTED_ELEMENTS;
/** Below this Softplus threshold PyTorch's `x > t ? x : softplus(x)` is not softplus in float32:
 *  at 15, e^-15 = 3.1e-7 is under half an ulp of 15 (4.8e-7), so both branches agree. */
const MIN_SOFTPLUS_THRESHOLD = 15;
/** SELU's constants (Klambauer et al. 2017), as ONNX's defaults. */
const SELU_ALPHA = 1.67326319217681884765625,
  SELU_GAMMA = 1.05070102214813232421875;

const ACTIVATION_OPS: Record<string, Extract<Step, { kind: "activation" }>["activation"]> = {
  Relu: "relu",
  Sigmoid: "sigmoid",
  Tanh: "tanh",
  LeakyRelu: "leakyRelu",
  Elu: "elu",
  Selu: "selu",
  Softplus: "softplus",
  Gelu: "gelu",
  Softmax: "softmax",
  LogSoftmax: "logSoftmax",
  Mish: "mish",
};
const PASS_THROUGH = ["Identity", "Dropout", "Flatten", "Reshape"];
const AFFINE_OPS = ["Add", "Sub", "Mul", "Div", "BatchNormalization"];
/** The ops simdnet imports; Greater and Where only as PyTorch's softplus threshold. */
export const SUPPORTED_OPS = [
  "Gemm",
  "MatMul",
  ...Object.keys(ACTIVATION_OPS),
  ...PASS_THROUGH,
  ...AFFINE_OPS,
  "Greater",
  "Where",
  "Constant",
];
const REFUSED_WHY: Record<string, string> = {
  Erf: 'PyTorch writes its exact (erf) GELU so; simdnet\'s GELU is the tanh form: export with nn.GELU(approximate="tanh")',
};

/**
 * A simdnet Model from the bytes of an ONNX file holding a dense network (opset 11 to 21).
 * Refuses, with an ArgumentError naming the node, anything it cannot import exactly.
 */
export async function importOnnx(bytes: Uint8Array | ArrayBuffer, options: OnnxImportOptions = {}): Promise<Model> {
  const o = checkImportOptions(options, ["externalData"]) as OnnxImportOptions;
  return stackToModel(readOnnx(bytes, o.externalData), o);
}

/** The layers, weights and normalizer of an ONNX dense network, checked, without a backend. */
export function readOnnx(
  bytes: Uint8Array | ArrayBuffer,
  externalData?: OnnxImportOptions["externalData"],
): DenseStack {
  const data = asBytes("bytes", bytes);
  const model = decodeModel(data);
  const opset = model.opsets.find((o) => o.domain === "" || o.domain === "ai.onnx");
  if (!opset || opset.version < MIN_OPSET || opset.version > MAX_OPSET) {
    throw new ArgumentError(
      "onnx opset_import",
      `the default domain at opset ${MIN_OPSET} to ${MAX_OPSET}`,
      opset?.version ?? "none",
    );
  }
  const kind = model.metadata.get("simdnet.normalize");
  const stack = new GraphWalk(model.graph, opset.version, externalData).run(
    kind === "minMax" ? "minMax" : "standardize",
  );
  const loss = model.metadata.get("simdnet.loss");
  if (loss === undefined) return stack;
  try {
    return { ...stack, loss: JSON.parse(loss) as LossConfig };
  } catch {
    throw new ArgumentError("onnx metadata simdnet.loss", "a loss config as JSON", loss);
  }
}

function asBytes(name: string, v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  throw new ArgumentError(name, "a Uint8Array or an ArrayBuffer", v);
}

/** A constant tensor's values, decoded after its size has been checked against its bytes. */
interface Constant {
  dims: number[];
  values: Float64Array;
}

class GraphWalk {
  private readonly constants = new Map<string, OnnxTensor | Constant>();
  private readonly consumers = new Map<string, number[]>();
  private readonly used: boolean[];
  private readonly nodes: OnnxNode[];
  private width = 0;

  constructor(
    private readonly graph: ReturnType<typeof decodeModel>["graph"],
    private readonly opset: number,
    private readonly externalData: OnnxImportOptions["externalData"],
  ) {
    this.nodes = graph.nodes;
    this.used = graph.nodes.map(() => false);
    for (const t of graph.initializers) this.constants.set(t.name, t);
  }

  private at(i: number): string {
    return `node ${i} (${this.nodes[i]!.opType})`;
  }

  run(normalizeKind: NormalizerKind): DenseStack {
    const { graph } = this;
    // Constant nodes (and Identity of a constant, as the TorchScript exporter writes for
    // BatchNorm statistics) are resolved up front; every other node must be an op we import.
    this.nodes.forEach((n, i) => {
      if (n.domain !== "" && n.domain !== "ai.onnx")
        throw new ArgumentError(this.at(i), "an op of the default ONNX domain", `domain ${JSON.stringify(n.domain)}`);
      if (n.opType === "Constant") {
        this.constants.set(n.outputs[0] ?? "", this.constantNode(n, i));
        this.used[i] = true;
        return;
      }
      if (n.opType === "Identity" && this.constants.has(n.inputs[0] ?? "")) {
        this.constants.set(n.outputs[0] ?? "", this.constants.get(n.inputs[0]!)!);
        this.used[i] = true;
        return;
      }
      if (!SUPPORTED_OPS.includes(n.opType)) {
        throw new ArgumentError(
          this.at(i),
          `an op simdnet imports (it imports dense networks: ${SUPPORTED_OPS.filter((op) => op !== "Constant").join(", ")})` +
            (REFUSED_WHY[n.opType] ? `; ${REFUSED_WHY[n.opType]}` : ""),
          n.opType,
        );
      }
      for (const input of n.inputs)
        if (input !== "") (this.consumers.get(input) ?? this.consumers.set(input, []).get(input)!).push(i);
    });
    const inputs = graph.inputs.filter((v) => !this.constants.has(v.name));
    if (inputs.length !== 1)
      throw new ArgumentError("onnx graph.input", "exactly one input besides the weights", `${inputs.length} inputs`);
    if (graph.outputs.length !== 1)
      throw new ArgumentError("onnx graph.output", "exactly one output", `${graph.outputs.length} outputs`);
    const input = inputs[0]!;
    if (input.elemType !== FLOAT)
      throw new ArgumentError(`onnx input ${input.name}`, "float32 (elem_type 1)", `elem_type ${input.elemType}`);
    if (input.shape && input.shape.length !== 2)
      throw new ArgumentError(
        `onnx input ${input.name}`,
        "a 2-D input [batch, features]",
        `rank ${input.shape.length}`,
      );
    const declared = input.shape?.[1];
    if (typeof declared === "number") {
      if (declared < 1 || declared > MAX_UNITS)
        throw new ArgumentError(`onnx input ${input.name}`, `a width in [1, ${MAX_UNITS}]`, declared);
      this.width = declared;
    }

    const steps: Step[] = [];
    let current = input.name,
      transposed = false;
    for (let guard = 0; ; guard++) {
      if (guard > this.nodes.length) throw new ArgumentError("onnx graph", "an acyclic graph", "a cycle");
      const next = this.consumers.get(current) ?? [];
      if (next.length === 0) break;
      const i = next[0]!;
      if (this.used[i])
        throw new ArgumentError(this.at(i), "an acyclic chain of nodes", "a node reached twice (a cycle)");
      const r = this.step(i, current, next, transposed);
      if (r.step) steps.push(r.step);
      current = r.output;
      transposed = r.transposed ?? transposed;
    }
    const unused = this.used.findIndex((u) => !u);
    if (unused >= 0)
      throw new ArgumentError(
        this.at(unused),
        "a node on the chain from the input to the output",
        "a node off the chain (a branch or an unused node)",
      );
    if (current !== graph.outputs[0]!.name)
      throw new ArgumentError(
        "onnx graph.output",
        `the end of the chain (${JSON.stringify(current)})`,
        graph.outputs[0]!.name,
      );
    if (transposed)
      throw new ArgumentError("onnx graph.output", "rows [batch, outputs]", "a transposed output [outputs, batch]");
    const firstDense = steps.find((s) => s.kind === "dense") as Extract<Step, { kind: "dense" }> | undefined;
    return assembleStack(steps, typeof declared === "number" ? declared : (firstDense?.inputs ?? 0), normalizeKind);
  }

  /** One step of the chain from node i, which reads `x`; marks the nodes it consumes. */
  private step(
    i: number,
    x: string,
    readers: number[],
    transposed: boolean,
  ): { step?: Step; output: string; transposed?: boolean } {
    const n = this.nodes[i]!,
      at = this.at(i);
    const only = (count: number) => {
      if (readers.length !== count)
        throw new ArgumentError(
          at,
          "a chain (each value read by one node)",
          `${readers.length} nodes reading ${JSON.stringify(x)}`,
        );
    };
    const take = (...indices: number[]): void => {
      for (const k of indices) this.used[k] = true;
    };
    const out = n.outputs[0] ?? "";
    if (n.opType === "Gemm" || n.opType === "MatMul") {
      only(1);
      take(i);
      return this.dense(i, x, transposed);
    }
    if (transposed && !(n.opType in ACTIVATION_OPS && n.opType !== "Softmax" && n.opType !== "LogSoftmax")) {
      throw new ArgumentError(
        at,
        "rows [batch, features] (only elementwise activations on a transposed Gemm output)",
        "a transposed value",
      );
    }
    if (n.opType === "Sigmoid" && readers.length === 2) {
      const mul = this.nodes[readers[1]!]!;
      if (mul.opType === "Mul" && sameSet(mul.inputs, [x, out])) {
        take(i, readers[1]!);
        return { step: { kind: "activation", at, activation: "silu", alpha: 0 }, output: mul.outputs[0]! };
      }
    }
    const softplus = readers.find((k) => this.nodes[k]!.opType === "Softplus");
    const mish = softplus === undefined ? null : this.decomposedMish(softplus, x, readers);
    if (mish) return mish;
    if (readers.length > 1 && softplus !== undefined) return this.thresholdedSoftplus(softplus, x, readers);
    only(1);
    take(i);
    if (n.outputs.length > 1 && n.outputs.slice(1).some((o) => o !== "" && this.consumers.has(o))) {
      throw new ArgumentError(
        at,
        "only its first output used",
        `${n.outputs.length} outputs (a Dropout mask or BatchNormalization training statistics)`,
      );
    }
    if (n.opType in ACTIVATION_OPS) return { step: this.activation(i), output: out };
    if (PASS_THROUGH.includes(n.opType)) {
      this.passThrough(i);
      return { output: out };
    }
    if (AFFINE_OPS.includes(n.opType)) return { step: this.affine(i, x), output: out };
    throw new ArgumentError(
      at,
      "Greater and Where only as the threshold of PyTorch's Softplus",
      "a Greater or Where elsewhere",
    );
  }

  private dense(i: number, x: string, transposed: boolean): { step: Step; output: string; transposed: boolean } {
    const n = this.nodes[i]!,
      at = this.at(i);
    let kernel: Float64Array,
      inputs: number,
      units: number,
      bias: Float64Array,
      output = n.outputs[0]!,
      outTransposed = false;
    if (n.opType === "MatMul") {
      if (n.inputs[0] !== x || transposed)
        throw new ArgumentError(at, "MatMul(x, W) on rows [batch, features]", "the input as its second operand");
      const w = this.matrix(n.inputs[1], at, "B");
      [inputs, units] = w.dims as [number, number];
      kernel = w.values;
      bias = new Float64Array(units);
      // MatMul + Add: the Add is the bias, read here so the layer is whole.
      const add = this.consumers.get(output) ?? [];
      const addNode = add.length === 1 ? this.nodes[add[0]!]! : null;
      if (addNode?.opType === "Add") {
        const other = addNode.inputs[0] === output ? addNode.inputs[1] : addNode.inputs[0];
        if (other !== undefined && this.isConstant(other)) {
          bias = this.vector(other, units, this.at(add[0]!), "bias");
          this.used[add[0]!] = true;
          output = addNode.outputs[0]!;
        }
      }
    } else {
      const transA = this.int(n, "transA", 0),
        transB = this.int(n, "transB", 0);
      const alpha = this.float(n, "alpha", 1),
        beta = this.float(n, "beta", 1);
      const xIsA = n.inputs[0] === x;
      if (!xIsA && n.inputs[1] !== x) throw new ArgumentError(at, "the chain's value as A or B", "neither");
      // Y = alpha op(A) op(B) + beta C. With x as A the layer is W = alpha op(B); with x as B,
      // Y is transposed ([units, batch]) and W = alpha op(A)^T.
      const xRows = xIsA ? (transA === 1) === transposed : (transB === 1) !== transposed;
      if (!xRows)
        throw new ArgumentError(
          at,
          "a Gemm whose product is a dense layer of the rows",
          "operands that multiply across the batch",
        );
      const w = this.matrix(n.inputs[xIsA ? 1 : 0], at, xIsA ? "B" : "A");
      const [r, c] = w.dims as [number, number];
      const wT = xIsA ? transB === 1 : transA === 0; // W^T is stored, [units, inputs]
      [inputs, units] = wT ? [c, r] : [r, c];
      kernel = new Float64Array(inputs * units);
      for (let p = 0; p < inputs; p++)
        for (let q = 0; q < units; q++) kernel[p * units + q] = alpha * w.values[wT ? q * inputs + p : p * units + q]!;
      bias = new Float64Array(units);
      const cName = n.inputs[2];
      if (cName) {
        const cv = this.constant(cName, at, "C");
        const along = xIsA ? cv.dims[cv.dims.length - 1] : cv.dims[0];
        const broadcast =
          cv.values.length === 1 || (cv.values.length === units && (cv.dims.length === 1 ? xIsA : along === units));
        if (!broadcast)
          throw new ArgumentError(
            `${at} input C`,
            `a bias of ${units} values along the units, or one value`,
            `dims [${cv.dims}]`,
          );
        for (let q = 0; q < units; q++) bias[q] = beta * cv.values[cv.values.length === 1 ? 0 : q]!;
      }
      outTransposed = !xIsA;
    }
    if (this.width !== 0 && inputs !== this.width)
      throw new ArgumentError(at, `a layer of ${this.width} inputs`, `${inputs} inputs`);
    if (units < 1) throw new ArgumentError(at, "at least one unit", units);
    this.width = units;
    return { step: { kind: "dense", at, inputs, units, kernel, bias }, output, transposed: outTransposed };
  }

  private activation(i: number): Step {
    const n = this.nodes[i]!,
      at = this.at(i);
    const activation = ACTIVATION_OPS[n.opType]!;
    let alpha = 0;
    if (n.opType === "LeakyRelu") alpha = this.float(n, "alpha", 0.01);
    if (n.opType === "Elu") alpha = this.float(n, "alpha", 1);
    if ((n.opType === "LeakyRelu" || n.opType === "Elu") && !(alpha >= 0))
      throw new ArgumentError(`${at} alpha`, "a number >= 0", alpha);
    if (n.opType === "Selu") {
      const a = this.float(n, "alpha", SELU_ALPHA),
        g = this.float(n, "gamma", SELU_GAMMA);
      if (Math.abs(a - SELU_ALPHA) > 1e-6 || Math.abs(g - SELU_GAMMA) > 1e-6) {
        throw new ArgumentError(`${at} alpha, gamma`, `SELU's constants (${SELU_ALPHA}, ${SELU_GAMMA})`, `${a}, ${g}`);
      }
    }
    if (n.opType === "Gelu") {
      const approximate = n.attributes.get("approximate")?.s ?? "none";
      if (approximate !== "tanh") {
        throw new ArgumentError(
          `${at} approximate`,
          '"tanh" (simdnet\'s GELU is the tanh form; the exact erf form is not imported, as the outputs would differ)',
          approximate,
        );
      }
    }
    if (n.opType === "Softmax" || n.opType === "LogSoftmax") {
      // Opset 13 made -1 the default; before it, 1, which is also the last axis of a 2-D value.
      const axis = this.int(n, "axis", this.opset >= 13 ? -1 : 1);
      if (axis !== -1 && axis !== 1) throw new ArgumentError(`${at} axis`, "the last axis (-1 or 1)", axis);
      if (this.width < 2) throw new ArgumentError(at, `a ${activation} over at least 2 units`, this.width);
    }
    return { kind: "activation", at, activation, alpha };
  }

  /** Mish as ONNX before opset 18 (and PyTorch's export there) writes it: Mul(x, Tanh(Softplus(x))). */
  private decomposedMish(i: number, x: string, readers: number[]): { step: Step; output: string } | null {
    const mulIndex = readers.find((k) => this.nodes[k]!.opType === "Mul");
    const tanhReaders = this.consumers.get(this.nodes[i]!.outputs[0]!) ?? [];
    if (readers.length !== 2 || mulIndex === undefined || tanhReaders.length !== 1) return null;
    const tanh = this.nodes[tanhReaders[0]!]!,
      mul = this.nodes[mulIndex]!;
    const mulReaders = this.consumers.get(tanh.outputs[0]!) ?? [];
    if (
      tanh.opType !== "Tanh" ||
      mulReaders.length !== 1 ||
      mulReaders[0] !== mulIndex ||
      !sameSet(mul.inputs, [x, tanh.outputs[0]!])
    )
      return null;
    this.used[i] = this.used[tanhReaders[0]!] = this.used[mulIndex] = true;
    return { step: { kind: "activation", at: this.at(i), activation: "mish", alpha: 0 }, output: mul.outputs[0]! };
  }

  /** PyTorch's Softplus: Where(x > threshold, x, Softplus(x)), three nodes reading x. */
  private thresholdedSoftplus(i: number, x: string, readers: number[]): { step: Step; output: string } {
    const at = this.at(i),
      softplus = this.nodes[i]!;
    const find = (op: string) => readers.find((k) => this.nodes[k]!.opType === op);
    const greaterIndex = find("Greater"),
      whereIndex = find("Where");
    const greater = greaterIndex === undefined ? null : this.nodes[greaterIndex]!;
    const where = whereIndex === undefined ? null : this.nodes[whereIndex]!;
    const ok =
      readers.length === 3 &&
      greater &&
      where &&
      greater.inputs[0] === x &&
      where.inputs[0] === greater.outputs[0] &&
      where.inputs[1] === x &&
      where.inputs[2] === softplus.outputs[0] &&
      (this.consumers.get(greater.outputs[0]!) ?? []).length === 1 &&
      (this.consumers.get(softplus.outputs[0]!) ?? []).length === 1;
    if (!ok)
      throw new ArgumentError(
        at,
        "Softplus alone, or PyTorch's Where(x > threshold, x, Softplus(x))",
        "another use of its input",
      );
    const t = this.constant(greater.inputs[1]!, this.at(greaterIndex!), "threshold").values;
    if (t.length !== 1 || !(t[0]! >= MIN_SOFTPLUS_THRESHOLD)) {
      throw new ArgumentError(
        `${this.at(greaterIndex!)} threshold`,
        `one value >= ${MIN_SOFTPLUS_THRESHOLD} (below it the thresholded form is not softplus in float32)`,
        t[0],
      );
    }
    this.used[i] = this.used[greaterIndex!] = this.used[whereIndex!] = true;
    return { step: { kind: "activation", at, activation: "softplus", alpha: 0 }, output: where.outputs[0]! };
  }

  private passThrough(i: number): void {
    const n = this.nodes[i]!,
      at = this.at(i);
    if (n.opType === "Dropout" && n.inputs[2]) {
      const training = this.constant(n.inputs[2], at, "training_mode").values;
      if (training[0] !== 0) throw new ArgumentError(`${at} training_mode`, "false (inference)", true);
    }
    if (n.opType === "Flatten" && this.int(n, "axis", 1) !== 1)
      throw new ArgumentError(`${at} axis`, "1 (a 2-D value stays [batch, features])", this.int(n, "axis", 1));
    if (n.opType === "Reshape") {
      const shape = this.constant(n.inputs[1] ?? "", at, "shape").values;
      const keeps =
        shape.length === 2 &&
        (shape[1] === this.width || (shape[1] === -1 && shape[0]! <= 0)) &&
        shape[0] !== undefined &&
        (shape[0] <= 0 || shape[1] !== -1);
      if (!keeps || this.width === 0)
        throw new ArgumentError(
          `${at} shape`,
          `[-1 or 0, ${this.width || "features"}] (2-D, same width)`,
          `[${Array.from(shape)}]`,
        );
    }
  }

  private affine(i: number, x: string): Step {
    const n = this.nodes[i]!,
      at = this.at(i);
    const width = this.width;
    if (width === 0)
      throw new ArgumentError(at, "an input of known width (a static feature dimension)", "an unknown width");
    if (n.opType === "BatchNormalization") {
      if (n.inputs[0] !== x) throw new ArgumentError(at, "the chain's value as X", "another input");
      if (this.int(n, "training_mode", 0) !== 0) throw new ArgumentError(`${at} training_mode`, "0 (inference)", 1);
      const eps = this.float(n, "epsilon", 1e-5);
      const [gamma, beta, mean, variance] = ["scale", "B", "mean", "var"].map((name, k) =>
        this.vector(n.inputs[k + 1] ?? "", width, at, name),
      ) as Float64Array[];
      const scale = new Float64Array(width),
        shift = new Float64Array(width);
      for (let j = 0; j < width; j++) {
        if (!(variance![j]! + eps > 0))
          throw new ArgumentError(`${at} var[${j}]`, "a variance with var + epsilon > 0", variance![j]);
        scale[j] = gamma![j]! / Math.sqrt(variance![j]! + eps);
        shift[j] = beta![j]! - mean![j]! * scale[j]!;
      }
      return { kind: "affine", at, op: "batchNormalization", scale, shift };
    }
    const [a, b] = n.inputs;
    const other = a === x ? b : a;
    if (other === undefined || other === x || !this.isConstant(other))
      throw new ArgumentError(at, `${n.opType} of the chain's value and a constant`, "two computed values");
    if ((n.opType === "Sub" || n.opType === "Div") && a !== x)
      throw new ArgumentError(at, `x ${n.opType === "Sub" ? "-" : "/"} constant`, "the constant first");
    const c = this.vector(other, width, at, "constant");
    const ones = new Float64Array(width).fill(1),
      zeros = new Float64Array(width);
    switch (n.opType) {
      case "Add":
        return { kind: "affine", at, op: "add", scale: ones, shift: c };
      case "Sub":
        return { kind: "affine", at, op: "sub", scale: ones, shift: c.map((v) => -v) };
      case "Mul":
        return { kind: "affine", at, op: "mul", scale: c, shift: zeros };
      default:
        return { kind: "affine", at, op: "div", scale: c.map((v) => 1 / v), shift: zeros };
    }
  }

  // ---- constants ------------------------------------------------------------------------

  private isConstant(name: string): boolean {
    return this.constants.has(name);
  }

  private constant(name: string, at: string, what: string): Constant {
    const c = this.constants.get(name);
    if (!c)
      throw new ArgumentError(
        `${at} input ${what}`,
        "a constant (an initializer or a Constant node)",
        `the computed value ${JSON.stringify(name)}`,
      );
    if ("values" in c) return c;
    const decoded = this.decodeTensor(c, `${at} input ${what} (${JSON.stringify(name)})`);
    this.constants.set(name, decoded);
    return decoded;
  }

  private matrix(name: string | undefined, at: string, what: string): Constant {
    const m = this.constant(name ?? "", at, what);
    if (m.dims.length !== 2) throw new ArgumentError(`${at} input ${what}`, "a 2-D weight matrix", `dims [${m.dims}]`);
    if (m.values.some((v) => !Number.isFinite(v)))
      throw new ArgumentError(`${at} input ${what}`, "finite weights", "NaN or infinity");
    return m;
  }

  /** A per-feature vector: `width` values or one, broadcast (dims [w], [1, w], [1] or []). */
  private vector(name: string, width: number, at: string, what: string): Float64Array {
    const c = this.constant(name, at, what);
    const leadingOnes = c.dims.slice(0, -1).every((d) => d === 1);
    if (!(c.values.length === 1 || (c.values.length === width && leadingOnes))) {
      throw new ArgumentError(`${at} input ${what}`, `${width} values along the features, or one`, `dims [${c.dims}]`);
    }
    if (c.values.some((v) => !Number.isFinite(v)))
      throw new ArgumentError(`${at} input ${what}`, "finite values", "NaN or infinity");
    return c.values.length === width ? c.values : new Float64Array(width).fill(c.values[0]!);
  }

  private constantNode(n: OnnxNode, i: number): Constant {
    const [a] = n.attributes.values();
    const at = this.at(i);
    if (!a || n.attributes.size !== 1)
      throw new ArgumentError(at, "one value attribute", `${n.attributes.size} attributes`);
    if (a.name === "value" && a.t) return this.decodeTensor(a.t, at);
    if (a.name === "value_float") return { dims: [], values: Float64Array.of(a.f) };
    if (a.name === "value_int") return { dims: [], values: Float64Array.of(a.i) };
    if (a.name === "value_floats") return { dims: [a.floats.length], values: Float64Array.from(a.floats) };
    if (a.name === "value_ints") return { dims: [a.ints.length], values: Float64Array.from(a.ints) };
    throw new ArgumentError(`${at} ${a.name}`, "a numeric value (value, value_float(s), value_int(s))", a.name);
  }

  /** A tensor's values: dims checked against its bytes before anything is allocated. */
  private decodeTensor(t: OnnxTensor, where: string): Constant {
    if (t.dims.length > 8 || t.dims.some((d) => !Number.isInteger(d) || d < 0 || d > MAX_ELEMENTS)) {
      throw new ArgumentError(`${where} dims`, `at most 8 dimensions in [0, ${MAX_ELEMENTS}]`, `[${t.dims}]`);
    }
    const count = t.dims.reduce((p, d) => p * d, 1);
    if (count > MAX_ELEMENTS)
      throw new ArgumentError(`${where} dims`, `at most ${MAX_ELEMENTS} elements`, `[${t.dims}] (${count})`);
    const size = t.dataType === FLOAT ? 4 : t.dataType === DOUBLE || t.dataType === INT64 ? 8 : 0;
    if (size === 0) throw new ArgumentError(`${where} data_type`, "float32, float64 or int64", t.dataType);
    let bytes: Uint8Array;
    if (t.external) bytes = this.external(t.external, where);
    else if (t.raw) bytes = t.raw;
    else if (t.dataType === INT64)
      return checkCount({ dims: t.dims, values: Float64Array.from(t.int64Data) }, count, where);
    else bytes = concat(t.dataType === FLOAT ? t.floatBytes : t.doubleBytes);
    if (bytes.length !== count * size)
      throw new ArgumentError(`${where} data`, `${count * size} bytes for dims [${t.dims}]`, `${bytes.length} bytes`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const values = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      values[k] =
        size === 4
          ? view.getFloat32(4 * k, true)
          : t.dataType === DOUBLE
            ? view.getFloat64(8 * k, true)
            : Number(view.getBigInt64(8 * k, true));
    }
    return { dims: t.dims, values };
  }

  private external(entries: Map<string, string>, where: string): Uint8Array {
    const location = entries.get("location") ?? "";
    const given = this.externalData;
    let file: unknown;
    if (given instanceof Uint8Array || given instanceof ArrayBuffer) file = given;
    else if (typeof given === "function") file = given(location);
    else if (given && typeof given === "object") file = Object.hasOwn(given, location) ? given[location] : undefined;
    if (file === undefined)
      throw new ArgumentError(
        "options.externalData",
        `the bytes of ${JSON.stringify(location)} (${where} is stored there)`,
        given,
      );
    const bytes = asBytes(`options.externalData[${JSON.stringify(location)}]`, file);
    const offset = Number(entries.get("offset") ?? 0);
    const length = entries.has("length") ? Number(entries.get("length")) : bytes.length - offset;
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > bytes.length
    ) {
      throw new ArgumentError(
        `${where} external_data`,
        `offset and length within the ${bytes.length} bytes of ${JSON.stringify(location)}`,
        `offset ${entries.get("offset")}, length ${entries.get("length")}`,
      );
    }
    return bytes.subarray(offset, offset + length);
  }

  // ---- attributes -----------------------------------------------------------------------

  private attribute(n: OnnxNode, name: string, type: number): OnnxAttribute | undefined {
    const a = n.attributes.get(name);
    if (a && a.type !== 0 && a.type !== type)
      throw new ArgumentError(`${n.opType} attribute ${name}`, `attribute type ${type}`, a.type);
    return a;
  }
  private int(n: OnnxNode, name: string, fallback: number): number {
    return this.attribute(n, name, ATTR_INT)?.i ?? fallback;
  }
  private float(n: OnnxNode, name: string, fallback: number): number {
    return this.attribute(n, name, ATTR_FLOAT)?.f ?? fallback;
  }
}

function checkCount(c: Constant, count: number, where: string): Constant {
  if (c.values.length !== count)
    throw new ArgumentError(`${where} data`, `${count} values for dims [${c.dims}]`, `${c.values.length} values`);
  return c;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v) => b.includes(v)) && b.every((v) => a.includes(v));
}
