// Dense layers: what a user writes, and the resolved form the model keeps and saves. The
// defaults follow the article: He for the ReLU family (He et al. 2015), Xavier/Glorot for
// tanh and logistic (Glorot & Bengio 2010), LeCun normal for SELU (Klambauer et al. 2017).
import { activationParameter, activationSpec, ROW_ACTIVATIONS, type ActivationName } from "./activations.js";
import { checkSeed } from "./backend/checks.js";
import { ArgumentError, rejectUnknownKeys } from "./errors.js";
import * as init from "./initializers.js";
import type { Initializer, InitializerName } from "./initializers.js";
import {
  layerKeys,
  resolveWidthLayer,
  scaleShiftCount,
  widthLayerConfig,
  type WidthLayer,
  type WidthLayerOptions,
} from "./layerTypes.js";
import { MAX_UNITS } from "./limits.js";
import { resolveRegularizer, type Regularizer } from "./regularizers.js";

/** An initializer, its name, or its config (`{ name: "normal", std: 0.05 }`). */
export type InitializerInput = Initializer | InitializerName | { name: InitializerName; [k: string]: unknown };

/** A dense layer as a user writes it: units, activation, initializers; the rest defaults. */
export interface DenseOptions {
  /** "dense", or left out. */
  type?: "dense";
  units: number;
  /** Default: relu for hidden layers; for the output layer, what the loss implies (softmax,
   *  sigmoid, or identity for mean squared error). */
  activation?: ActivationName;
  /** Leaky ReLU's negative slope (default 0.01) or ELU's alpha (default 1). */
  alpha?: number;
  /** Default: heNormal (with the leaky slope) for the ReLU family, lecunNormal for SELU,
   *  glorotUniform otherwise. */
  kernelInitializer?: InitializerInput;
  /** Default: zeros. `"smallPositive"` (0.01) keeps ReLU units active at the start. */
  biasInitializer?: InitializerInput;
  /** false: no bias (z = x W), as before a normalization layer whose beta takes its place. Default true. */
  useBias?: boolean;
  /** The stream this layer's kernel draws from (its bias uses stream + 1). Default 2 x the
   *  layer's index, so no two layers start alike; give two layers the same stream (and
   *  seed) to make them start identical on purpose. */
  stream?: number;
  /** A seed for this layer instead of the model's. */
  seed?: number;
  /** Keras' kernel_regularizer: adds l1 sum|W| + l2 sum W^2 to the loss. Default none. */
  kernelRegularizer?: Partial<Regularizer>;
  /** Keras' bias_regularizer: the same penalty on the bias. Default none. */
  biasRegularizer?: Partial<Regularizer>;
}

/** A dense layer as the model keeps it: everything explicit. */
export interface DenseLayer {
  readonly type: "dense";
  readonly inputs: number;
  readonly units: number;
  readonly activation: ActivationName;
  readonly alpha: number;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  /** Whether it has a bias (it has no bias parameters when not). */
  readonly useBias: boolean;
  readonly seed: number;
  readonly stream: number;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
}

/** A layer as a user writes it: dense (no type, or type "dense"), or one of the layers that
 *  keep their width (batchNormalization, layerNormalization, dropout, activation). */
export type LayerOptions = DenseOptions | WidthLayerOptions;
/** A layer as the model keeps it. */
export type Layer = DenseLayer | WidthLayer;

/** Its trainable parameters: kernel and bias of a dense layer, gamma and beta of a normalization. */
export const parameterCount = (layer: Layer): number =>
  layer.type === "dense" ? layer.inputs * layer.units + (layer.useBias ? layer.units : 0) : scaleShiftCount(layer);

/** The kernel initializer a layer with this activation gets when it names none (its spec row's). */
export function defaultKernelInitializer(activation: ActivationName, alpha: number): Initializer {
  return init.fromConfig({ ...activationSpec(activation).kernelInitializer(alpha) });
}

function toInitializer(name: string, v: InitializerInput): Initializer {
  if (v != null && typeof v === "object" && typeof (v as Initializer).fill === "function") {
    const i = v as Initializer;
    if (
      typeof i.name !== "string" ||
      typeof i.moments !== "function" ||
      i.config == null ||
      typeof i.config !== "object"
    ) {
      throw new ArgumentError(name, "an initializer with a name, a config, moments() and fill()", v);
    }
    return i;
  }
  try {
    return init.fromConfig(v as string);
  } catch (e) {
    throw new ArgumentError(
      name,
      `an initializer, or the name or config of one of ${init.INITIALIZER_NAMES.join(", ")}`,
      v,
    );
  }
}

/** Validates one layer's options and fills in the defaults. The output layer must be dense. */
export function resolveLayer(
  options: LayerOptions,
  index: number,
  inputs: number,
  isOutput: boolean,
  outputDefault: ActivationName,
  modelSeed: number,
): Layer {
  const at = `layers[${index}]`;
  if (options == null || typeof options !== "object")
    throw new ArgumentError(at, "a layer's options { units, activation, ... }", options);
  if (options.type !== undefined && options.type !== "dense") {
    if (isOutput)
      throw new ArgumentError(`${at}.type`, "a dense output layer (the loss reads its pre-activations)", options.type);
    return resolveWidthLayer(options as WidthLayerOptions, index, inputs, modelSeed);
  }
  return resolveDense(options as DenseOptions, at, index, inputs, isOutput, outputDefault, modelSeed);
}

function resolveDense(
  options: DenseOptions,
  at: string,
  index: number,
  inputs: number,
  isOutput: boolean,
  outputDefault: ActivationName,
  modelSeed: number,
): DenseLayer {
  rejectUnknownKeys(options, layerKeys("dense"), at);
  const useBias = options.useBias ?? true;
  if (typeof useBias !== "boolean") throw new ArgumentError(`${at}.useBias`, "true or false", options.useBias);
  if (!useBias && options.biasRegularizer !== undefined)
    throw new ArgumentError(`${at}.biasRegularizer`, "none on a layer without bias", options.biasRegularizer);
  const { units } = options;
  if (!Number.isInteger(units) || units < 1 || units > MAX_UNITS)
    throw new ArgumentError(`${at}.units`, `an integer in [1, ${MAX_UNITS}]`, units);
  const activation = options.activation ?? (isOutput ? outputDefault : "relu");
  const rowWise = activationSpec(activation, `${at}.activation`).code === null;
  if (rowWise && !isOutput)
    throw new ArgumentError(`${at}.activation`, `${activation} only on the output layer`, activation);
  const alpha = activationParameter(activation, options.alpha, `${at}.alpha`);
  const kernelInitializer =
    options.kernelInitializer === undefined
      ? defaultKernelInitializer(activation, alpha)
      : toInitializer(`${at}.kernelInitializer`, options.kernelInitializer);
  const biasInitializer =
    options.biasInitializer === undefined
      ? init.zeros()
      : toInitializer(`${at}.biasInitializer`, options.biasInitializer);
  // Up front, before anything is allocated: values beyond float32, or a matrix initializer for the bias.
  init.checkInitializer(kernelInitializer, inputs, units, inputs * units, `${at}.kernelInitializer`);
  init.checkInitializer(biasInitializer, units, units, units, `${at}.biasInitializer`);
  return {
    type: "dense",
    inputs,
    units,
    activation,
    alpha,
    kernelInitializer,
    biasInitializer,
    useBias,
    seed: options.seed === undefined ? modelSeed : checkSeed(`${at}.seed`, options.seed),
    stream: options.stream === undefined ? 2 * index : checkSeed(`${at}.stream`, options.stream),
    kernelRegularizer: resolveRegularizer(`${at}.kernelRegularizer`, options.kernelRegularizer),
    biasRegularizer: resolveRegularizer(`${at}.biasRegularizer`, options.biasRegularizer),
  };
}

/** The JSON form of a resolved layer (what save stores and load reads back through resolveLayer).
 *  A dense layer's has no type, and useBias only when false, as before those existed. */
export function layerConfig(layer: Layer): LayerOptions {
  if (layer.type !== "dense") return widthLayerConfig(layer);
  return {
    units: layer.units,
    activation: layer.activation,
    alpha: layer.alpha,
    // A built-in's config, or a custom initializer's (which loadModel then refuses by name).
    kernelInitializer: layer.kernelInitializer.config as InitializerInput,
    biasInitializer: layer.biasInitializer.config as InitializerInput,
    ...(layer.useBias ? {} : { useBias: false }),
    seed: layer.seed,
    stream: layer.stream,
    // Only when set: a document without regularizers reads as it always did.
    ...(layer.kernelRegularizer ? { kernelRegularizer: { ...layer.kernelRegularizer } } : {}),
    ...(layer.biasRegularizer ? { biasRegularizer: { ...layer.biasRegularizer } } : {}),
  };
}
