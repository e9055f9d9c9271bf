// The messages of ONNX's onnx.proto that a dense network uses, decoded and encoded with their
// field numbers (github.com/onnx/onnx, onnx/onnx.proto). Fields simdnet has no use for are
// skipped; tensors keep views of their bytes, so reading a file copies no weights.
import { ArgumentError } from "../errors.js";
import { BYTES, FIXED32, ProtoReader, ProtoWriter, VARINT } from "./protobuf.js";

/** TensorProto.DataType values simdnet reads or writes. */
export const FLOAT = 1,
  INT64 = 7,
  DOUBLE = 11;
/** AttributeProto.AttributeType values. */
export const ATTR_FLOAT = 1,
  ATTR_INT = 2,
  ATTR_STRING = 3,
  ATTR_INTS = 7;

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** raw_data, or the packed float_data / double_data / int64 values, as found. */
  raw: Uint8Array | null;
  floatBytes: Uint8Array[];
  int64Data: number[];
  doubleBytes: Uint8Array[];
  /** external_data entries (location, offset, length) when data_location is EXTERNAL. */
  external: Map<string, string> | null;
}

export interface OnnxAttribute {
  name: string;
  type: number;
  f: number;
  i: number;
  s: string;
  t: OnnxTensor | null;
  floats: number[];
  ints: number[];
}

export interface OnnxNode {
  inputs: string[];
  outputs: string[];
  name: string;
  opType: string;
  domain: string;
  attributes: Map<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  name: string;
  elemType: number;
  /** Each dimension's size, or its symbolic name, or null when unknown; null for no shape. */
  shape: (number | string | null)[] | null;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producer: string;
  graph: OnnxGraph;
  metadata: Map<string, string>;
}

/** Parses an ONNX ModelProto. Every length and varint is checked against the bytes. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const r = new ProtoReader(bytes, "onnx model");
  const model: OnnxModel = { irVersion: 0, opsets: [], producer: "", graph: null!, metadata: new Map() };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === VARINT) model.irVersion = r.int64();
    else if (field === 2 && wire === BYTES) model.producer = r.string();
    else if (field === 7 && wire === BYTES) model.graph = decodeGraph(r.message("onnx graph"));
    else if (field === 8 && wire === BYTES) model.opsets.push(decodeOpset(r.message("onnx opset_import")));
    else if (field === 14 && wire === BYTES) decodeEntry(r.message("onnx metadata_props"), model.metadata);
    else r.skip(wire);
  }
  if (!model.graph)
    throw new ArgumentError("onnx model", "a ModelProto with a graph", "no graph (is this an ONNX file?)");
  return model;
}

function decodeOpset(r: ProtoReader): { domain: string; version: number } {
  const o = { domain: "", version: 0 };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === BYTES) o.domain = r.string();
    else if (field === 2 && wire === VARINT) o.version = r.int64();
    else r.skip(wire);
  }
  return o;
}

function decodeEntry(r: ProtoReader, into: Map<string, string>): void {
  let key = "",
    value = "";
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === BYTES) key = r.string();
    else if (field === 2 && wire === BYTES) value = r.string();
    else r.skip(wire);
  }
  into.set(key, value);
}

function decodeGraph(r: ProtoReader): OnnxGraph {
  const g: OnnxGraph = { name: "", nodes: [], initializers: [], inputs: [], outputs: [] };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === BYTES) g.nodes.push(decodeNode(r.message(`onnx node ${g.nodes.length}`)));
    else if (field === 2 && wire === BYTES) g.name = r.string();
    else if (field === 5 && wire === BYTES)
      g.initializers.push(decodeTensor(r.message(`onnx initializer ${g.initializers.length}`)));
    else if (field === 11 && wire === BYTES) g.inputs.push(decodeValueInfo(r.message("onnx graph input")));
    else if (field === 12 && wire === BYTES) g.outputs.push(decodeValueInfo(r.message("onnx graph output")));
    else if (field === 15 && wire === BYTES)
      throw new ArgumentError("onnx graph", "dense initializers", "a sparse initializer");
    else r.skip(wire);
  }
  return g;
}

function decodeNode(r: ProtoReader): OnnxNode {
  const n: OnnxNode = { inputs: [], outputs: [], name: "", opType: "", domain: "", attributes: new Map() };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === BYTES) n.inputs.push(r.string());
    else if (field === 2 && wire === BYTES) n.outputs.push(r.string());
    else if (field === 3 && wire === BYTES) n.name = r.string();
    else if (field === 4 && wire === BYTES) n.opType = r.string();
    else if (field === 7 && wire === BYTES) n.domain = r.string();
    else if (field === 5 && wire === BYTES) {
      const a = decodeAttribute(r.message(`${r.what} attribute`));
      n.attributes.set(a.name, a);
    } else r.skip(wire);
  }
  return n;
}

function decodeAttribute(r: ProtoReader): OnnxAttribute {
  const a: OnnxAttribute = { name: "", type: 0, f: 0, i: 0, s: "", t: null, floats: [], ints: [] };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === BYTES) a.name = r.string();
    else if (field === 20 && wire === VARINT) a.type = r.uint();
    else if (field === 2 && wire === FIXED32) a.f = r.float();
    else if (field === 3 && wire === VARINT) a.i = r.int64();
    else if (field === 4 && wire === BYTES) a.s = r.string();
    else if (field === 5 && wire === BYTES) a.t = decodeTensor(r.message(`${r.what} tensor`));
    else if (field === 7) r.floats(wire, a.floats);
    else if (field === 8) r.int64s(wire, a.ints);
    else r.skip(wire);
  }
  return a;
}

export function decodeTensor(r: ProtoReader): OnnxTensor {
  const t: OnnxTensor = {
    name: "",
    dims: [],
    dataType: 0,
    raw: null,
    floatBytes: [],
    int64Data: [],
    doubleBytes: [],
    external: null,
  };
  let location = 0;
  const external = new Map<string, string>();
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) r.int64s(wire, t.dims);
    else if (field === 2 && wire === VARINT) t.dataType = r.uint();
    else if (field === 8 && wire === BYTES) t.name = r.string();
    else if (field === 9 && wire === BYTES) t.raw = r.bytesField();
    else if (field === 4) t.floatBytes.push(fixedRun(r, wire, FIXED32, 4));
    else if (field === 10) t.doubleBytes.push(fixedRun(r, wire, 1, 8));
    else if (field === 7) r.int64s(wire, t.int64Data);
    else if (field === 13 && wire === BYTES) decodeEntry(r.message(`${r.what} external_data`), external);
    else if (field === 14 && wire === VARINT) location = r.uint();
    else if (field === 3) throw new ArgumentError(r.what, "a tensor in one piece", "a segmented tensor");
    else r.skip(wire);
  }
  if (location === 1) t.external = external;
  return t;
}

/** One packed run, or one unpacked value, of a fixed-size repeated field, as bytes. */
function fixedRun(r: ProtoReader, wire: number, unpackedWire: number, size: number): Uint8Array {
  if (wire === BYTES) {
    const b = r.bytesField();
    if (b.length % size !== 0) r.fail(`packed ${size}-byte values`, `${b.length} bytes`);
    return b;
  }
  r.expectWire(wire, unpackedWire);
  const start = r.pos;
  r.skip(wire);
  return r.bytes.subarray(start, r.pos);
}

function decodeValueInfo(r: ProtoReader): OnnxValueInfo {
  const v: OnnxValueInfo = { name: "", elemType: 0, shape: null };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === BYTES) v.name = r.string();
    else if (field === 2 && wire === BYTES) {
      const type = r.message("onnx value type");
      while (!type.done) {
        const f = type.tag();
        if (f.field !== 1 || f.wire !== BYTES) {
          type.skip(f.wire);
          continue;
        }
        const tensorType = type.message("onnx tensor type");
        while (!tensorType.done) {
          const g = tensorType.tag();
          if (g.field === 1 && g.wire === VARINT) v.elemType = tensorType.uint();
          else if (g.field === 2 && g.wire === BYTES) v.shape = decodeShape(tensorType.message("onnx tensor shape"));
          else tensorType.skip(g.wire);
        }
      }
    } else r.skip(wire);
  }
  return v;
}

function decodeShape(r: ProtoReader): (number | string | null)[] {
  const dims: (number | string | null)[] = [];
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field !== 1 || wire !== BYTES) {
      r.skip(wire);
      continue;
    }
    const d = r.message("onnx dimension");
    let dim: number | string | null = null;
    while (!d.done) {
      const f = d.tag();
      if (f.field === 1 && f.wire === VARINT) dim = d.int64();
      else if (f.field === 2 && f.wire === BYTES) dim = d.string();
      else d.skip(f.wire);
    }
    dims.push(dim);
  }
  return dims;
}

// ---- encoding ---------------------------------------------------------------------------

/** What exportOnnx writes: nodes with attributes, float32 initializers, a 2-D input and output. */
export interface NodeSpec {
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, number | string | number[]>;
  /** Attributes that are floats although their value is a whole number. */
  floatAttributes?: string[];
}

export interface ModelSpec {
  opset: number;
  producer: string;
  producerVersion: string;
  graphName: string;
  nodes: NodeSpec[];
  initializers: TensorSpec[];
  /** The 2-D input and output; the batch dimension is symbolic ("batch") unless `batch` is given. */
  input: { name: string; width: number; batch?: number };
  output: { name: string; width: number; batch?: number };
  metadata: Record<string, string>;
  /** List the initializers among the graph inputs too, as exporters before IR 4 did. */
  weightsAsInputs?: boolean;
}

export interface TensorSpec {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
  /** Store the data in an external file instead: where, and the byte offset in it. */
  external?: { location: string; offset: number };
}

/** ONNX's IR version for each opset it introduced (onnx/helper.py's VERSION_TABLE): ORT refuses a
 *  model whose IR version is older than its opset needs. */
export function irVersionFor(opset: number): number {
  return opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

export function encodeModel(spec: ModelSpec): Uint8Array {
  const graph = new ProtoWriter();
  spec.nodes.forEach((n, i) => graph.message(1, encodeNode(n, `${n.opType.toLowerCase()}_${i}`)));
  graph.string(2, spec.graphName);
  for (const t of spec.initializers) graph.message(5, encodeTensor(t));
  graph.message(
    11,
    encodeValueInfo(
      spec.input.name,
      spec.input.width,
      spec.input.batch === undefined ? undefined : [spec.input.batch, spec.input.width],
    ),
  );
  if (spec.weightsAsInputs)
    for (const t of spec.initializers)
      graph.message(11, encodeValueInfo(t.name, 0, t.dims, t.data instanceof Float32Array ? FLOAT : INT64));
  graph.message(
    12,
    encodeValueInfo(
      spec.output.name,
      spec.output.width,
      spec.output.batch === undefined ? undefined : [spec.output.batch, spec.output.width],
    ),
  );
  const model = new ProtoWriter()
    .int(1, irVersionFor(spec.opset))
    .string(2, spec.producer)
    .string(3, spec.producerVersion)
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, "").int(2, spec.opset));
  for (const [key, value] of Object.entries(spec.metadata))
    model.message(14, new ProtoWriter().string(1, key).string(2, value));
  return model.finish();
}

function encodeNode(n: NodeSpec, name: string): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, name).string(4, n.opType);
  for (const [key, value] of Object.entries(n.attributes ?? {})) {
    const a = new ProtoWriter().string(1, key);
    if (typeof value === "string") a.string(4, value).int(20, ATTR_STRING);
    else if (Array.isArray(value)) a.int64s(8, value).int(20, ATTR_INTS);
    else if (Number.isInteger(value) && !n.floatAttributes?.includes(key)) a.int(3, value).int(20, ATTR_INT);
    else a.float(2, value).int(20, ATTR_FLOAT);
    w.message(5, a);
  }
  return w;
}

/** A tensor's values as little-endian bytes (its raw_data). */
export function tensorBytes(data: Float32Array | BigInt64Array): Uint8Array {
  const little = new Uint8Array(data.byteLength);
  const view = new DataView(little.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(4 * i, v, true));
  else data.forEach((v, i) => view.setBigInt64(8 * i, v, true));
  return little;
}

function encodeTensor(t: TensorSpec): ProtoWriter {
  const w = new ProtoWriter()
    .int64s(1, t.dims)
    .int(2, t.data instanceof Float32Array ? FLOAT : INT64)
    .string(8, t.name);
  if (!t.external) return w.bytes(9, tensorBytes(t.data));
  const entry = (key: string, value: string) => new ProtoWriter().string(1, key).string(2, value);
  return w
    .message(13, entry("location", t.external.location))
    .message(13, entry("offset", String(t.external.offset)))
    .message(13, entry("length", String(t.data.byteLength)))
    .int(14, 1);
}

/** A tensor [batch, width] with a symbolic batch dimension, or of the given dims. */
function encodeValueInfo(name: string, width: number, dims?: number[], elemType = FLOAT): ProtoWriter {
  const shape = new ProtoWriter();
  if (dims) for (const d of dims) shape.message(1, new ProtoWriter().int(1, d));
  else shape.message(1, new ProtoWriter().string(2, "batch")).message(1, new ProtoWriter().int(1, width));
  const tensorType = new ProtoWriter().int(1, elemType).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}
