// Save and load: a model as one JSON document. Weights travel as base64 of their float32
// bytes (little-endian), so a round trip is bit-exact. Loading checks the whole document,
// sizes first, before it allocates anything.
import type { Backend } from "./backend/backend.js";
import { ArgumentError } from "./errors.js";
import { layerConfig, MAX_UNITS, type DenseOptions } from "./layers.js";
import type { LossConfig } from "./losses.js";
import { Model, resolveBackend, type MetricName, type ModelOptions } from "./model.js";
import { Normalizer, type NormalizerConfig } from "./normalizers.js";
import { optimizerFromConfig, stateVectors, type OptimizerConfig } from "./optimizers.js";

export const FORMAT = "simdnet-model";
export const FORMAT_VERSION = 1;

export interface ModelDocument {
  format: typeof FORMAT;
  version: number;
  inputs: number;
  seed: number;
  layers: DenseOptions[];
  loss: LossConfig;
  optimizer: OptimizerConfig;
  metrics: MetricName[];
  normalize: ModelOptions["normalize"];
  normalizer: NormalizerConfig | null;
  epochs: number;
  weights: { kernel: string; bias: string }[];
  /** Present when saved with { optimizer: true }: the step count and each state vector. */
  optimizerState?: { step: number; vectors: string[] };
}

/** The model as a JSON-ready document. */
export function saveModel(model: Model, options: { optimizer?: boolean } = {}): ModelDocument {
  if (!(model instanceof Model)) throw new ArgumentError("model", "a Model", model);
  if (options == null || typeof options !== "object") throw new ArgumentError("options", "{ optimizer?: boolean }", options);
  if (options.optimizer !== undefined && typeof options.optimizer !== "boolean") throw new ArgumentError("options.optimizer", "true or false", options.optimizer);
  model.checkUsable("save", false);
  const doc: ModelDocument = {
    format: FORMAT,
    version: FORMAT_VERSION,
    inputs: model.inputs,
    seed: model.seed,
    layers: model.layers.map(layerConfig),
    loss: { ...model.loss },
    optimizer: structuredClone(model.optimizer),
    metrics: [...model.metrics],
    normalize: model.normalize,
    normalizer: model.normalizer?.toConfig() ?? null,
    epochs: model.epochs,
    weights: model.getWeights().map((w) => ({ kernel: encodeFloats(w.kernel), bias: encodeFloats(w.bias) })),
  };
  if (options.optimizer) {
    const runner = model.optimizerRunner;
    doc.optimizerState = { step: runner.step, vectors: runner.state.map((t) => encodeFloats(model.net.backend.read(t))) };
  }
  return doc;
}

/** A model from a document (or its JSON text), on the chosen backend. */
export async function loadModel(document: ModelDocument | string, options: { backend?: ModelOptions["backend"] } = {}): Promise<Model> {
  if (options == null || typeof options !== "object") throw new ArgumentError("options", "{ backend? }", options);
  const doc = parseDocument(document);
  const backend = await resolveBackend(options.backend);
  return buildModel(backend, doc);
}

/** A document checked and decoded in plain JS: nothing is allocated in the backend before
 *  all of it has passed. */
interface Decoded {
  doc: ModelDocument;
  weights: { kernel: Float32Array; bias: Float32Array }[];
  normalizer: Normalizer | null;
  optimizerState: { step: number; vectors: Float32Array[] } | null;
}

const TOP_LEVEL = new Set(["format", "version", "inputs", "seed", "layers", "loss", "optimizer", "metrics", "normalize", "normalizer", "epochs", "weights", "optimizerState"]);
const LAYER_KEYS = new Set(["units", "activation", "alpha", "kernelInitializer", "biasInitializer", "seed", "stream"]);
const FORBIDDEN = ["__proto__", "constructor", "prototype"];
/** Most parameters a document may describe (as a model may hold): 2^27 floats, 512 MB. */
const MAX_PARAMETERS = 1 << 27;

/** Refuses prototype-pollution keys anywhere in the document. */
function checkKeys(value: unknown, path: string, depth = 0): void {
  if (depth > 20) throw new ArgumentError(path, "a document nested at most 20 levels deep", "deeper nesting");
  if (value === null || typeof value !== "object") return;
  for (const key of FORBIDDEN) if (Object.hasOwn(value, key)) throw new ArgumentError(`${path}.${key}`, "no such key (it could pollute prototypes)", key);
  for (const [key, v] of Object.entries(value)) if (typeof v === "object") checkKeys(v, `${path}.${key}`, depth + 1);
}

function onlyKeys(value: object, allowed: Set<string>, path: string): void {
  for (const key of Object.keys(value)) if (!allowed.has(key)) throw new ArgumentError(`${path}.${key}`, `one of the keys ${[...allowed].join(", ")}`, key);
}

function parseDocument(document: ModelDocument | string): Decoded {
  let doc: unknown = document;
  if (typeof document === "string") {
    try {
      doc = JSON.parse(document);
    } catch (e) {
      throw new ArgumentError("document", "JSON text of a saved model", `text that does not parse (${(e as Error).message})`);
    }
  }
  const d = doc as ModelDocument;
  if (d == null || typeof d !== "object" || Array.isArray(d)) throw new ArgumentError("document", "a saved model's JSON document", d);
  checkKeys(d, "document");
  if (d.format !== FORMAT) throw new ArgumentError("document.format", `"${FORMAT}"`, d.format);
  if (d.version !== FORMAT_VERSION) throw new ArgumentError("document.version", `${FORMAT_VERSION}`, d.version);
  onlyKeys(d, TOP_LEVEL, "document");
  if (!Number.isInteger(d.inputs) || d.inputs < 1 || d.inputs > MAX_UNITS) throw new ArgumentError("document.inputs", `an integer in [1, ${MAX_UNITS}]`, d.inputs);
  if (!Array.isArray(d.layers) || d.layers.length === 0 || d.layers.length > 1000) throw new ArgumentError("document.layers", "an array of 1 to 1000 layers", d.layers);
  if (!Array.isArray(d.weights) || d.weights.length !== d.layers.length) {
    throw new ArgumentError("document.weights", `one { kernel, bias } per layer (${d.layers.length})`, d.weights);
  }
  if (!Number.isInteger(d.epochs) || d.epochs < 0) throw new ArgumentError("document.epochs", "an integer >= 0", d.epochs);
  // Sizes before anything else: a document must not make us allocate what it does not carry.
  let width = d.inputs, parameters = 0;
  d.layers.forEach((l, i) => {
    if (l == null || typeof l !== "object" || Array.isArray(l)) throw new ArgumentError(`document.layers[${i}]`, "a layer { units, activation, ... }", l);
    onlyKeys(l, LAYER_KEYS, `document.layers[${i}]`);
    const units = l.units;
    if (!Number.isInteger(units) || units < 1 || units > MAX_UNITS) throw new ArgumentError(`document.layers[${i}].units`, `an integer in [1, ${MAX_UNITS}]`, units);
    parameters += (width + 1) * units;
    if (parameters > MAX_PARAMETERS) throw new ArgumentError("document.layers", `at most ${MAX_PARAMETERS} parameters in all`, `more (at layer ${i})`);
    const w = d.weights[i];
    if (w == null || typeof w !== "object") throw new ArgumentError(`document.weights[${i}]`, "{ kernel, bias }", w);
    onlyKeys(w, new Set(["kernel", "bias"]), `document.weights[${i}]`);
    checkEncoded(`document.weights[${i}].kernel`, w.kernel, width * units);
    checkEncoded(`document.weights[${i}].bias`, w.bias, units);
    width = units;
  });
  const weights = d.weights.map((w, i) => ({
    kernel: decodeFinite(`document.weights[${i}].kernel`, w.kernel),
    bias: decodeFinite(`document.weights[${i}].bias`, w.bias),
  }));
  const normalizer = d.normalizer == null ? null : Normalizer.fromConfig(d.normalizer, d.inputs);
  if (normalizer && normalizer.kind !== d.normalize) {
    throw new ArgumentError("document.normalizer.kind", `the document's normalize (${JSON.stringify(d.normalize)})`, normalizer.kind);
  }
  let optimizerState: Decoded["optimizerState"] = null;
  if (d.optimizerState !== undefined) {
    const st = d.optimizerState;
    if (st == null || typeof st !== "object") throw new ArgumentError("document.optimizerState", "{ step, vectors }", st);
    onlyKeys(st, new Set(["step", "vectors"]), "document.optimizerState");
    if (!Number.isInteger(st.step) || st.step < 0) throw new ArgumentError("document.optimizerState.step", "an integer >= 0", st.step);
    const expected = stateVectors(optimizerFromConfig(d.optimizer));
    if (!Array.isArray(st.vectors) || st.vectors.length !== expected) {
      throw new ArgumentError("document.optimizerState.vectors", `${expected} state vectors for ${String(d.optimizer?.name)}`, st.vectors);
    }
    st.vectors.forEach((v, i) => checkEncoded(`document.optimizerState.vectors[${i}]`, v, parameters));
    optimizerState = { step: st.step, vectors: st.vectors.map((v, i) => decodeFinite(`document.optimizerState.vectors[${i}]`, v)) };
    // Adam's second moments (vector 1) and RMSprop's (vector 0) are sums of squares: never negative.
    const moments = d.optimizer.name === "rmsprop" ? 0 : d.optimizer.name === "sgd" ? -1 : 1;
    const bad = moments < 0 ? -1 : optimizerState.vectors[moments]!.findIndex((v) => v < 0);
    if (bad >= 0) throw new ArgumentError(`document.optimizerState.vectors[${moments}][${bad}]`, "a second moment >= 0", optimizerState.vectors[moments]![bad]);
  }
  return { doc: d, weights, normalizer, optimizerState };
}

function decodeFinite(name: string, text: string): Float32Array {
  const values = decodeFloats(text, name);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ArgumentError(`${name}[${bad}]`, "a finite float32 value", values[bad]);
  return values;
}

/** The model, built (its constructor checks every option before it allocates) and filled
 *  with the decoded values, which cannot fail any more. */
function buildModel(backend: Backend, { doc: d, weights, normalizer, optimizerState }: Decoded): Model {
  const model = new Model(backend, {
    inputs: d.inputs, layers: d.layers, loss: d.loss, optimizer: d.optimizer, metrics: d.metrics, normalize: d.normalize, seed: d.seed, backend,
  });
  model.normalizerState = normalizer;
  model.setWeights(weights);
  model.epochCount = d.epochs;
  if (optimizerState) {
    const runner = model.optimizerRunner;
    optimizerState.vectors.forEach((v, i) => backend.write(runner.state[i]!, v));
    runner.step = optimizerState.step;
  }
  return model;
}

// ---- base64 of float32 --------------------------------------------------------------------

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function bytesOf(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const swapped = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 4) for (let k = 0; k < 4; k++) swapped[i + k] = bytes[i + 3 - k]!;
  return swapped;
}

/** Standard base64 (RFC 4648, with padding) of the little-endian float32 bytes. */
export function encodeFloats(values: Float32Array): string {
  const bytes = bytesOf(values);
  const parts: string[] = [];
  const CHUNK = 3 * 4096;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    let s = "";
    const end = Math.min(bytes.length, start + CHUNK);
    for (let i = start; i < end; i += 3) {
      const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
      s += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]!
        + (i + 1 < end ? ALPHABET[(n >>> 6) & 63]! : "=") + (i + 2 < end ? ALPHABET[n & 63]! : "=");
    }
    parts.push(s);
  }
  return parts.join("");
}

function checkEncoded(name: string, text: unknown, floats: number): void {
  const want = 4 * Math.ceil((floats * 4) / 3);
  if (typeof text !== "string") throw new ArgumentError(name, `base64 text of ${floats} float32 values`, text);
  if (text.length !== want) throw new ArgumentError(name, `${want} base64 characters (${floats} float32 values)`, `${text.length} characters`);
}

export function decodeFloats(text: string, name = "weights"): Float32Array {
  if (text.length % 4 !== 0) throw new ArgumentError(name, "base64 text (a multiple of 4 characters)", `${text.length} characters`);
  const pad = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - pad);
  if (bytes.length % 4 !== 0) throw new ArgumentError(name, "whole float32 values (a multiple of 4 bytes)", `${bytes.length} bytes`);
  for (let i = 0, o = 0; i < text.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const c = text.charCodeAt(i + k);
      const v = c === 61 && i + k >= text.length - pad ? 0 : c < 128 ? DECODE[c]! : -1;
      if (v < 0) throw new ArgumentError(name, "base64 characters only", `${JSON.stringify(text[i + k])} at ${i + k}`);
      n = (n << 6) | v;
    }
    bytes[o++] = n >>> 16;
    if (o < bytes.length) bytes[o++] = (n >>> 8) & 255;
    if (o < bytes.length) bytes[o++] = n & 255;
  }
  if (!LITTLE_ENDIAN) for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  return new Float32Array(bytes.buffer);
}
