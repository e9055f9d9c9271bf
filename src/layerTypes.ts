// The layers besides dense, each keeping its input's width: batch normalization (Ioffe &
// Szegedy 2015), layer normalization (Ba et al. 2016), inverted dropout (Srivastava et al.
// 2014, in Keras's form) and an activation of its own (Keras's Activation layer, so a
// normalization can sit between a dense layer's product and its nonlinearity). What a user
// writes, the resolved form the model keeps, and the JSON form it saves; defaults are Keras's.
import { activationParameter, activationSpec, type ActivationName, type ElementwiseActivation } from "./activations.js";
import { checkSeed } from "./backend/checks.js";
import { ArgumentError, rejectUnknownKeys } from "./errors.js";

/** Batch normalization: each unit normalized over the rows of the batch in training, by the
 *  moving statistics in inference, then scaled by gamma and shifted by beta (learned). */
export interface BatchNormalizationOptions {
  type: "batchNormalization";
  /** The weight of the old value in the moving statistics (Keras's convention): moving =
   *  momentum moving + (1 - momentum) batch. Default 0.99; PyTorch's momentum 0.1 is 0.9 here. */
  momentum?: number;
  /** Added to the variance before its square root. Default 1e-3 (Keras). */
  epsilon?: number;
}

/** Layer normalization: each row normalized over its units, then scaled and shifted (learned). */
export interface LayerNormalizationOptions {
  type: "layerNormalization";
  /** Default 1e-3 (Keras). */
  epsilon?: number;
}

/** Inverted dropout: in training each value is zeroed with probability `rate` and the others
 *  scaled by 1 / (1 - rate); in inference (predict, evaluate) the layer is the identity. */
export interface DropoutOptions {
  type: "dropout";
  /** In [0, 1). */
  rate: number;
  /** The stream its masks draw from (each step its own; see docs/layers.md). Default 2 x the layer's index. */
  stream?: number;
  /** A seed for its masks instead of the model's. */
  seed?: number;
}

/** An elementwise activation as a layer of its own (softmax and log-softmax stay on the output layer). */
export interface ActivationOptions {
  type: "activation";
  activation: ActivationName;
  /** Leaky ReLU's slope or ELU's alpha, as on a dense layer. */
  alpha?: number;
}

/** The options of a layer that keeps its width. */
export type WidthLayerOptions =
  BatchNormalizationOptions | LayerNormalizationOptions | DropoutOptions | ActivationOptions;

interface Width {
  /** The width in, and out. */
  readonly inputs: number;
  readonly units: number;
}
/** A batch normalization as the model keeps it. */
export interface BatchNormalizationLayer extends Width {
  readonly type: "batchNormalization";
  readonly momentum: number;
  readonly epsilon: number;
}
/** A layer normalization as the model keeps it. */
export interface LayerNormalizationLayer extends Width {
  readonly type: "layerNormalization";
  readonly epsilon: number;
}
/** A dropout layer as the model keeps it. */
export interface DropoutLayer extends Width {
  readonly type: "dropout";
  readonly rate: number;
  readonly seed: number;
  readonly stream: number;
}
/** An activation layer as the model keeps it. */
export interface ActivationLayer extends Width {
  readonly type: "activation";
  readonly activation: ElementwiseActivation;
  readonly alpha: number;
}
/** A resolved layer that keeps its width. */
export type WidthLayer = BatchNormalizationLayer | LayerNormalizationLayer | DropoutLayer | ActivationLayer;

/** The type names of the width-keeping layers. */
export const WIDTH_LAYER_TYPES = ["batchNormalization", "layerNormalization", "dropout", "activation"] as const;

/** The keys of each layer type's options, in one place: `saved`, the keys its saved config
 *  always has (a user may leave any of them out for its default), and `optional`, those a
 *  config has only when set. createModel and loadModel refuse any other key. */
export const LAYER_KEYS: Record<
  "dense" | WidthLayer["type"],
  { readonly saved: readonly string[]; readonly optional: readonly string[] }
> = {
  dense: {
    saved: ["units", "activation", "alpha", "kernelInitializer", "biasInitializer", "seed", "stream"],
    optional: ["type", "useBias", "kernelRegularizer", "biasRegularizer"],
  },
  batchNormalization: { saved: ["type", "momentum", "epsilon"], optional: [] },
  layerNormalization: { saved: ["type", "epsilon"], optional: [] },
  dropout: { saved: ["type", "rate", "seed", "stream"], optional: [] },
  activation: { saved: ["type", "activation", "alpha"], optional: [] },
};

/** Every key a layer of this type may have. */
export const layerKeys = (type: keyof typeof LAYER_KEYS): string[] => [
  ...LAYER_KEYS[type].saved,
  ...LAYER_KEYS[type].optional,
];

function number(at: string, v: unknown, fallback: number, ok: (x: number) => boolean, expected: string): number {
  const x = v === undefined ? fallback : v;
  if (typeof x !== "number" || !ok(x)) throw new ArgumentError(at, expected, v);
  return x;
}

/** Validates the options of a width-keeping layer at `index` (its width `inputs`) and fills in the defaults. */
export function resolveWidthLayer(
  options: WidthLayerOptions,
  index: number,
  inputs: number,
  modelSeed: number,
): WidthLayer {
  const at = `layers[${index}]`;
  const type = options.type;
  if (!WIDTH_LAYER_TYPES.includes(type))
    throw new ArgumentError(`${at}.type`, `"dense" or one of ${WIDTH_LAYER_TYPES.join(", ")}`, type);
  rejectUnknownKeys(options, layerKeys(type), at);
  const epsilon = (o: { epsilon?: number }): number =>
    number(`${at}.epsilon`, o.epsilon, 1e-3, (x) => x > 0 && x <= 1, "a number in (0, 1]");
  const width = { inputs, units: inputs };
  switch (options.type) {
    case "batchNormalization":
      return {
        type: "batchNormalization",
        ...width,
        epsilon: epsilon(options),
        momentum: number(`${at}.momentum`, options.momentum, 0.99, (x) => x >= 0 && x <= 1, "a number in [0, 1]"),
      };
    case "layerNormalization":
      return { type: "layerNormalization", ...width, epsilon: epsilon(options) };
    case "dropout":
      return {
        type: "dropout",
        ...width,
        rate: number(`${at}.rate`, options.rate, NaN, (x) => x >= 0 && x < 1, "a number in [0, 1)"),
        seed: options.seed === undefined ? modelSeed : checkSeed(`${at}.seed`, options.seed),
        stream: options.stream === undefined ? 2 * index : checkSeed(`${at}.stream`, options.stream),
      };
    case "activation": {
      const spec = activationSpec(options.activation, `${at}.activation`);
      if (spec.code === null)
        throw new ArgumentError(
          `${at}.activation`,
          `an elementwise activation (${options.activation} only on the output layer)`,
          options.activation,
        );
      return {
        type: "activation",
        ...width,
        activation: options.activation as ElementwiseActivation,
        alpha: activationParameter(options.activation, options.alpha, `${at}.alpha`),
      };
    }
  }
}

/** The JSON form of a width-keeping layer (what save stores and load reads back). */
export function widthLayerConfig(layer: WidthLayer): WidthLayerOptions {
  switch (layer.type) {
    case "batchNormalization":
      return { type: layer.type, momentum: layer.momentum, epsilon: layer.epsilon };
    case "layerNormalization":
      return { type: layer.type, epsilon: layer.epsilon };
    case "dropout":
      return { type: layer.type, rate: layer.rate, seed: layer.seed, stream: layer.stream };
    case "activation":
      return { type: layer.type, activation: layer.activation, alpha: layer.alpha };
  }
}

/** Learned parameters: gamma and beta per unit for the normalizations, none otherwise. */
export const scaleShiftCount = (layer: WidthLayer): number =>
  layer.type === "batchNormalization" || layer.type === "layerNormalization" ? 2 * layer.units : 0;

/** The dropout stream of optimizer step `step`: each step its own mask, the same on every
 *  engine and after a save and load (the golden-ratio increment spreads steps apart). */
export const dropoutStream = (layer: DropoutLayer, step: number): number =>
  (layer.stream + Math.imul(step, 0x9e3779b9)) >>> 0;
