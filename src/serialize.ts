// Save and load: a model as one JSON document. Weights travel as base64 of their float32
// bytes (little-endian), so a round trip is bit-exact. Loading checks the whole document,
// sizes first, before it allocates anything.
import type { Backend } from "./backend/backend.js";
import { checkSeed } from "./backend/checks.js";
import {
  readArray,
  readConfig,
  readFloats,
  readRecord,
  readScalar,
  requireComplete,
  shown,
  within,
} from "./document.js";
import { ArgumentError, rejectUnknownKeys } from "./errors.js";
import { fromConfig as initializerFromConfig } from "./initializers.js";
import { layerConfig, resolveLayer, type Layer, type LayerOptions } from "./layers.js";
import { MAX_LAYERS, MAX_PARAMETERS, MAX_UNITS } from "./limits.js";
import { LAYER_KEYS, WIDTH_LAYER_TYPES } from "./layerTypes.js";
import { defaultOutputActivation, lossFromConfig, type LossConfig } from "./losses.js";
import { METRIC_NAMES, resolveMetrics, type Metric } from "./metrics.js";
import { resolveBackend } from "./backend/choose.js";
import { Model, type ModelOptions } from "./model.js";
import { Normalizer, type NormalizerConfig, type NormalizerKind } from "./normalizers.js";
import { optimizerFromConfig, stateVectorsOf, type OptimizerConfig } from "./optimizers.js";
import { validateSchedule } from "./schedules.js";

export const FORMAT = "simdnet-model";
/** The version of the saved-model document this library writes. */
export const FORMAT_VERSION = 1;

/**
 * A saved model: JSON with format and version, architecture, normalizer, optional optimizer state and base64 weights.
 */
export interface ModelDocument {
  format: typeof FORMAT;
  version: number;
  inputs: number;
  seed: number;
  layers: LayerOptions[];
  loss: LossConfig;
  optimizer: OptimizerConfig;
  metrics: Metric[];
  normalize: ModelOptions["normalize"];
  normalizer: NormalizerConfig | null;
  epochs: number;
  /** Per layer: a dense layer's { kernel, bias }; a normalization's { gamma, beta } and batch
   *  normalization's { movingMean, movingVariance } too; {} for dropout and activation layers. */
  weights: Record<string, string>[];
  /** Present when saved with { optimizer: true }: the step count and each state vector. */
  optimizerState?: { step: number; vectors: string[] };
}

/** The model as a JSON-ready document. */
export function saveModel(model: Model, options: { optimizer?: boolean } = {}): ModelDocument {
  if (!(model instanceof Model)) throw new ArgumentError("model", "a Model", model);
  if (options == null || typeof options !== "object")
    throw new ArgumentError("options", "{ optimizer?: boolean }", options);
  rejectUnknownKeys(options, ["optimizer"], "options");
  if (options.optimizer !== undefined && typeof options.optimizer !== "boolean")
    throw new ArgumentError("options.optimizer", "true or false", options.optimizer);
  model.checkUsable("save", false);
  const doc: ModelDocument = {
    format: FORMAT,
    version: FORMAT_VERSION,
    inputs: model.inputs,
    seed: model.seed,
    layers: model.layers.map(layerConfig),
    loss: { ...model.loss },
    optimizer: structuredClone(model.optimizer),
    metrics: model.metrics.map((m) => (typeof m === "string" ? m : { ...m })),
    normalize: model.normalize,
    normalizer: model.normalizer?.toConfig() ?? null,
    epochs: model.epochs,
    weights: model
      .getWeights()
      .map((w, i) =>
        Object.fromEntries(
          WEIGHT_KEYS[model.layers[i]!.type].map((key) => [key, encodeFloats(w[key as keyof typeof w]!)]),
        ),
      ),
  };
  if (options.optimizer) {
    const runner = model.optimizerRunner;
    doc.optimizerState = {
      step: runner.step,
      vectors: runner.state.map((t) => encodeFloats(model.net.backend.read(t))),
    };
  }
  return doc;
}

/**
 * A model from a document (or its JSON text), on the chosen backend. The document is read
 * once into plain data and checked whole, shape and sizes before values, before anything is
 * allocated; every field a save writes must be there. A refusal is an ArgumentError naming
 * the field and costs at most about what parsing the text costs.
 */
export async function loadModel(
  document: ModelDocument | string,
  options: { backend?: ModelOptions["backend"] } = {},
): Promise<Model> {
  if (options == null || typeof options !== "object") throw new ArgumentError("options", "{ backend? }", options);
  rejectUnknownKeys(options, ["backend"], "options");
  const decoded = parseDocument(document);
  const backend = await resolveBackend(options.backend);
  return buildModel(backend, decoded);
}

/** A document checked and decoded in plain JS: nothing is allocated in the backend before
 *  all of it has passed. */
interface Decoded {
  options: ModelOptions;
  epochs: number;
  weights: Record<string, Float32Array>[];
  normalizer: Normalizer | null;
  optimizerState: { step: number; vectors: Float32Array[] } | null;
}

/** The fields every saved document has (optimizerState only when saved with the optimizer). */
const DOCUMENT_KEYS = [
  "format",
  "version",
  "inputs",
  "seed",
  "layers",
  "loss",
  "optimizer",
  "metrics",
  "normalize",
  "normalizer",
  "epochs",
  "weights",
];
/** A dense layer's optional keys that hold an object: its regularizers, each { l1, l2 }. */
const REGULARIZER_KEYS = ["kernelRegularizer", "biasRegularizer"];
/** The weights a saved layer of each type has. */
const WEIGHT_KEYS: Record<Layer["type"], readonly string[]> = {
  dense: ["kernel", "bias"],
  batchNormalization: ["gamma", "beta", "movingMean", "movingVariance"],
  layerNormalization: ["gamma", "beta"],
  dropout: [],
  activation: [],
};

// A saved layer's record, its keys checked against those of its type (no type: dense).
function readLayer(value: unknown, at: string): { type: Layer["type"]; record: Record<string, unknown> } {
  let type: Layer["type"] = "dense";
  const keys = { required: [] as string[], optional: [] as string[] };
  const record = readRecord(
    value,
    at,
    "a layer { units, activation, ... } or { type, ... }",
    keys.required,
    keys.optional,
    {
      keys: ["type"],
      check: (first) => {
        if (first.type !== undefined && first.type !== "dense" && !WIDTH_LAYER_TYPES.includes(first.type as never)) {
          throw new ArgumentError(`${at}.type`, `"dense" or one of ${WIDTH_LAYER_TYPES.join(", ")}`, shown(first.type));
        }
        if (first.type !== undefined) type = first.type as Layer["type"];
        keys.required.push(...LAYER_KEYS[type].saved);
        keys.optional.push(...LAYER_KEYS[type].optional);
      },
    },
  );
  return { type, record };
}

function parseJson(document: unknown): unknown {
  if (typeof document !== "string") return document;
  try {
    return JSON.parse(document);
  } catch (e) {
    throw new ArgumentError(
      "document",
      "JSON text of a saved model",
      `text that does not parse (${(e as Error).message})`,
    );
  }
}

const count = (name: string, v: unknown): number => {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new ArgumentError(name, "an integer in [0, 2^53)", shown(v));
  return v as number;
};

function parseDocument(document: ModelDocument | string): Decoded {
  // Shape and sizes first, reading each value once; values (base64, configs) after.
  const d = readRecord(
    parseJson(document),
    "document",
    "a saved model's JSON document",
    DOCUMENT_KEYS,
    ["optimizerState"],
    {
      keys: ["format", "version"],
      check: (first) => {
        if (first.format !== FORMAT) throw new ArgumentError("document.format", `"${FORMAT}"`, shown(first.format));
        if (first.version !== FORMAT_VERSION)
          throw new ArgumentError("document.version", `${FORMAT_VERSION}`, shown(first.version));
      },
    },
  );
  const inputs = d.inputs;
  if (!Number.isInteger(inputs) || (inputs as number) < 1 || (inputs as number) > MAX_UNITS)
    throw new ArgumentError("document.inputs", `an integer in [1, ${MAX_UNITS}]`, shown(inputs));
  const epochs = count("document.epochs", d.epochs);
  const layers = readArray(
    d.layers,
    "document.layers",
    `an array of 1 to ${MAX_LAYERS} layers`,
    1,
    MAX_LAYERS,
    (l, i) => readLayer(l, `document.layers[${i}]`),
  );
  const weightTexts = readArray(
    d.weights,
    "document.weights",
    `one record of weights per layer (${layers.length})`,
    layers.length,
    layers.length,
    (w, i) =>
      readRecord(
        w,
        `document.weights[${i}]`,
        `{ ${WEIGHT_KEYS[layers[i]!.type].join(", ")} }`,
        WEIGHT_KEYS[layers[i]!.type],
      ),
  );
  let width = inputs as number,
    parameters = 0;
  layers.forEach(({ type, record: l }, i) => {
    const units = type === "dense" ? l.units : width;
    if (!Number.isInteger(units) || (units as number) < 1 || (units as number) > MAX_UNITS)
      throw new ArgumentError(`document.layers[${i}].units`, `an integer in [1, ${MAX_UNITS}]`, shown(units));
    const floats: Record<string, number> =
      type === "dense"
        ? { kernel: width * (units as number), bias: l.useBias === false ? 0 : (units as number) }
        : Object.fromEntries(WEIGHT_KEYS[type].map((key) => [key, units as number]));
    if (type !== "dropout" && type !== "activation")
      parameters += type === "dense" ? floats.kernel! + floats.bias! : 2 * (units as number);
    if (parameters > MAX_PARAMETERS)
      throw new ArgumentError("document.layers", `at most ${MAX_PARAMETERS} parameters in all`, `more (at layer ${i})`);
    for (const key of WEIGHT_KEYS[type])
      checkEncoded(`document.weights[${i}].${key}`, weightTexts[i]![key], floats[key]!);
    width = units as number;
  });
  const normalizerConfig =
    d.normalizer === null
      ? null
      : readRecord(d.normalizer, "document.normalizer", "null or { kind, shift, scale }", ["kind", "shift", "scale"]);
  const normalizer =
    normalizerConfig &&
    within("document.normalizer", "normalizer", () =>
      Normalizer.fromConfig(
        {
          kind: readScalar(
            normalizerConfig.kind,
            "document.normalizer.kind",
            '"standardize" or "minMax"',
          ) as NormalizerKind,
          shift: readFloats(normalizerConfig.shift, "document.normalizer.shift", inputs as number),
          scale: readFloats(normalizerConfig.scale, "document.normalizer.scale", inputs as number),
        },
        inputs as number,
      ),
    );
  const state =
    d.optimizerState === undefined
      ? null
      : readRecord(d.optimizerState, "document.optimizerState", "{ step, vectors }", ["step", "vectors"]);
  const stateTexts =
    state && readArray(state.vectors, "document.optimizerState.vectors", "at most 2 state vectors", 0, 2);
  stateTexts?.forEach((v, i) => checkEncoded(`document.optimizerState.vectors[${i}]`, v, parameters));

  // The configurations, each complete as a save writes it (a name stands for its defaults).
  const lossGiven = readConfig(d.loss, "document.loss", "a loss name or config");
  const loss = within("document.loss", "loss", () => lossFromConfig(lossGiven as never));
  requireComplete(lossGiven, loss, "document.loss");
  const optimizerGiven = readConfig(d.optimizer, "document.optimizer", "an optimizer name or config");
  if (typeof optimizerGiven !== "string" && optimizerGiven.schedule !== undefined) {
    // its errors name only the option
    within("document.optimizer.schedule", "schedule", () => validateSchedule(optimizerGiven.schedule));
  }
  const optimizer = within("document.optimizer", "optimizer", () => optimizerFromConfig(optimizerGiven as never));
  requireComplete(optimizerGiven, optimizer, "document.optimizer");
  const outputDefault = defaultOutputActivation(loss);
  width = inputs as number;
  const layerOptions = layers.map(({ type, record: l }, i) => {
    const at = `document.layers[${i}]`,
      given: Record<string, unknown> = Object.create(null);
    for (const key of [
      ...LAYER_KEYS[type].saved,
      ...LAYER_KEYS[type].optional.filter((k) => k in l && !REGULARIZER_KEYS.includes(k)),
    ]) {
      if (!key.endsWith("Initializer")) {
        given[key] = readScalar(l[key], `${at}.${key}`, "a number or a name");
        continue;
      }
      const config = (given[key] = readConfig(l[key], `${at}.${key}`, "an initializer name or config"));
      within(`${at}.${key}`, "initializer", () => initializerFromConfig(config as never));
    }
    for (const key of REGULARIZER_KEYS) {
      if (l[key] === undefined) continue;
      const r = readRecord(l[key], `${at}.${key}`, "{ l1, l2 }", ["l1", "l2"]);
      given[key] = {
        l1: readScalar(r.l1, `${at}.${key}.l1`, "a number"),
        l2: readScalar(r.l2, `${at}.${key}.l2`, "a number"),
      };
    }
    const layer = within(at, `layers[${i}]`, () =>
      resolveLayer(given as unknown as LayerOptions, i, width, i === layers.length - 1, outputDefault, 0),
    );
    requireComplete(given, layerConfig(layer), at);
    width = layer.units;
    return given as unknown as LayerOptions;
  });
  // Names, or topKAccuracy's { name, k }; createModel checks them against the output.
  const metrics = readArray(
    d.metrics,
    "document.metrics",
    "an array of metric names",
    0,
    METRIC_NAMES.length,
    (m, i) => {
      if (m === null || typeof m !== "object")
        return readScalar(m, `document.metrics[${i}]`, "a metric name") as Metric;
      const r = readRecord(m, `document.metrics[${i}]`, '{ name: "topKAccuracy", k }', ["name", "k"]);
      return {
        name: readScalar(r.name, `document.metrics[${i}].name`, '"topKAccuracy"'),
        k: readScalar(r.k, `document.metrics[${i}].k`, "an integer"),
      } as Metric;
    },
  );
  within("document", "", () => resolveMetrics("metrics", metrics, width)); // its errors then name document.metrics[i]
  const normalize = readScalar(d.normalize, "document.normalize", '"standardize", "minMax" or "none"');
  if (normalizer && normalizer.kind !== normalize) {
    throw new ArgumentError(
      "document.normalizer.kind",
      `the document's normalize (${JSON.stringify(normalize)})`,
      normalizer.kind,
    );
  }
  const seed = checkSeed("document.seed", readScalar(d.seed, "document.seed", "an integer in [0, 2^32)"));

  // Values last: the base64 weights and optimizer state, all finite.
  const weights = weightTexts.map((w, i) =>
    Object.fromEntries(
      WEIGHT_KEYS[layers[i]!.type].map((key) => {
        const values = decodeFinite(`document.weights[${i}].${key}`, w[key] as string);
        const negative = key === "movingVariance" ? values.findIndex((v) => v < 0) : -1;
        if (negative >= 0)
          throw new ArgumentError(
            `document.weights[${i}].movingVariance[${negative}]`,
            "a variance >= 0",
            values[negative],
          );
        return [key, values];
      }),
    ),
  );
  let optimizerState: Decoded["optimizerState"] = null;
  if (state && stateTexts) {
    const step = count("document.optimizerState.step", state.step);
    const expected = stateVectorsOf(optimizer);
    if (stateTexts.length !== expected.length) {
      throw new ArgumentError(
        "document.optimizerState.vectors",
        `${expected.length} state vectors for this ${optimizer.name} config`,
        `${stateTexts.length}`,
      );
    }
    const vectors = stateTexts.map((v, i) => decodeFinite(`document.optimizerState.vectors[${i}]`, v as string));
    // A mean of squares (Adam's and RMSprop's second moments) is never negative.
    expected.forEach(({ name, nonNegative }, i) => {
      const bad = nonNegative ? vectors[i]!.findIndex((v) => v < 0) : -1;
      if (bad >= 0)
        throw new ArgumentError(`document.optimizerState.vectors[${i}][${bad}]`, `a ${name} >= 0`, vectors[i]![bad]);
    });
    optimizerState = { step, vectors };
  }
  return {
    options: {
      inputs: inputs as number,
      layers: layerOptions,
      loss,
      optimizer,
      metrics,
      normalize: normalize as ModelOptions["normalize"],
      seed,
    },
    epochs,
    weights,
    normalizer,
    optimizerState,
  };
}

function decodeFinite(name: string, text: string): Float32Array {
  const values = decodeFloats(text, name);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ArgumentError(`${name}[${bad}]`, "a finite float32 value", values[bad]);
  return values;
}

/** The model, built (its constructor checks every option before it allocates, and skips the
 *  initializers: every weight is overwritten here) and filled with the decoded values. */
function buildModel(backend: Backend, { options, epochs, weights, normalizer, optimizerState }: Decoded): Model {
  const model = Model.build(backend, { ...options, backend }, false);
  try {
    model.normalizerState = normalizer;
    model.setWeights(weights);
    model.epochCount = epochs;
    if (optimizerState) {
      const runner = model.optimizerRunner;
      optimizerState.vectors.forEach((v, i) => backend.write(runner.state[i]!, v));
      runner.step = optimizerState.step;
    }
  } catch (e) {
    model.dispose(); // cannot happen with checked values; if it does, nothing stays allocated
    throw e;
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

const ENCODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const ASCII = new TextDecoder();

/** Standard base64 (RFC 4648, with padding) of the little-endian float32 bytes: written as
 *  ASCII bytes and decoded to a string once (no string is built per character). */
export function encodeFloats(values: Float32Array): string {
  const bytes = bytesOf(values),
    n = bytes.length;
  const out = new Uint8Array(4 * Math.ceil(n / 3));
  let o = 0,
    i = 0;
  for (; n - i >= 3; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = ENCODE[v >>> 18]!;
    out[o++] = ENCODE[(v >>> 12) & 63]!;
    out[o++] = ENCODE[(v >>> 6) & 63]!;
    out[o++] = ENCODE[v & 63]!;
  }
  if (n - i > 0) {
    const v = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8);
    out[o++] = ENCODE[v >>> 18]!;
    out[o++] = ENCODE[(v >>> 12) & 63]!;
    out[o++] = n - i === 2 ? ENCODE[(v >>> 6) & 63]! : 61;
    out[o++] = 61; // "="
  }
  return ASCII.decode(out);
}

function checkEncoded(name: string, text: unknown, floats: number): void {
  const want = 4 * Math.ceil((floats * 4) / 3);
  if (typeof text !== "string") throw new ArgumentError(name, `base64 text of ${floats} float32 values`, shown(text));
  if (text.length !== want)
    throw new ArgumentError(name, `${want} base64 characters (${floats} float32 values)`, `${text.length} characters`);
}

export function decodeFloats(text: string, name = "weights"): Float32Array {
  if (text.length % 4 !== 0)
    throw new ArgumentError(name, "base64 text (a multiple of 4 characters)", `${text.length} characters`);
  const pad = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - pad);
  if (bytes.length % 4 !== 0)
    throw new ArgumentError(name, "whole float32 values (a multiple of 4 bytes)", `${bytes.length} bytes`);
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
