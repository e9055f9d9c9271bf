// A dense network as the other formats describe it (ONNX, TF.js): a chain of steps (dense
// layers, activations, per-feature affine maps such as batch normalization) assembled into
// simdnet's layers, then built as a full Model through createModel and setWeights. Affine maps
// are folded into the neighbouring dense layer; leading Sub/Mul become the input normalizer.
import { activationSpec, type ActivationName } from "../activations.js";
import { ArgumentError, rejectUnknownKeys } from "../errors.js";
import { createModel, type Model, type ModelOptions } from "../model.js";
import { Normalizer, type NormalizerConfig, type NormalizerKind } from "../normalizers.js";
import type { LossConfig, LossName } from "../losses.js";

/** One step of an imported chain; `at` names where it came from, for errors. */
export type Step =
  | { kind: "dense"; at: string; inputs: number; units: number; kernel: Float64Array; bias: Float64Array }
  | { kind: "activation"; at: string; activation: ActivationName; alpha: number }
  /** y = x * scale + shift per feature; `op` says which ONNX op wrote it (normalizer detection). */
  | {
      kind: "affine";
      at: string;
      op: "sub" | "mul" | "div" | "add" | "batchNormalization";
      scale: Float64Array;
      shift: Float64Array;
    };

/** A chain of simdnet layers with their weights: what a Model is built from and exported as. */
export interface DenseStack {
  inputs: number;
  layers: { units: number; activation: ActivationName; alpha: number; kernel: Float32Array; bias: Float32Array }[];
  normalizer: NormalizerConfig | null;
  /** The loss the file recorded (simdnet's own exports do); checked by createModel. */
  loss?: LossConfig;
}

/** Options every importer takes besides its input. */
export interface ImportOptions {
  /** The backend the model runs on (as createModel's). */
  backend?: ModelOptions["backend"];
  /** The loss for further training. Default: the one a simdnet export recorded, else
   *  softmaxCrossEntropy for a softmax output, binaryCrossEntropy for a sigmoid output,
   *  meanSquaredError otherwise. */
  loss?: LossName | Partial<LossConfig>;
  optimizer?: ModelOptions["optimizer"];
  seed?: number;
}

type Affine = Extract<Step, { kind: "affine" }>;

/** The layers a chain of steps describes: affine steps folded, leading Sub/Mul(or Div) kept as
 *  the normalizer, each dense layer followed by at most one activation. */
export function assembleStack(
  steps: Step[],
  inputs: number,
  normalizeKind: NormalizerKind = "standardize",
): DenseStack {
  const firstDense = steps.findIndex((s) => s.kind === "dense");
  if (firstDense < 0) throw new ArgumentError("model", "at least one dense layer (Gemm, MatMul or Dense)", "none");
  const leading = steps.slice(0, firstDense);
  const before = leading.find((s) => s.kind !== "affine");
  if (before)
    throw new ArgumentError(before.at, "a dense layer before the first activation", `an activation on the inputs`);
  const chain: Step[] = steps
    .slice(firstDense)
    .map((s) => (s.kind === "dense" ? { ...s, kernel: s.kernel.slice(), bias: s.bias.slice() } : s));
  let normalizer: NormalizerConfig | null = null;
  const ops = leading.map((s) => (s as Affine).op).join(",");
  if (["sub", "mul", "div", "sub,mul", "sub,div"].includes(ops)) {
    const sub = leading.find((s) => (s as Affine).op === "sub") as Affine | undefined;
    const mul = leading.find((s) => (s as Affine).op !== "sub") as Affine | undefined;
    normalizer = {
      kind: normalizeKind,
      shift: sub ? Array.from(sub.shift, (v) => Math.fround(-v)) : new Array(inputs).fill(0),
      scale: mul ? Array.from(mul.scale, Math.fround) : new Array(inputs).fill(1),
    };
  } else if (leading.length) {
    foldIntoNext(composeAffine(leading as Affine[]), chain[0] as Extract<Step, { kind: "dense" }>);
  }

  type Dense = Extract<Step, { kind: "dense" }>;
  const layers: { dense: Dense; activation: ActivationName; alpha: number }[] = [];
  for (let i = 0; i < chain.length; i++) {
    const step = chain[i]!;
    if (step.kind === "affine") {
      const run: Affine[] = [];
      while (chain[i]?.kind === "affine") run.push(chain[i++] as Affine);
      i--;
      const previous = chain[i - run.length],
        next = chain[i + 1];
      if (previous?.kind === "dense") foldIntoPrevious(composeAffine(run), previous);
      else if (next?.kind === "dense") foldIntoNext(composeAffine(run), next);
      else
        throw new ArgumentError(
          run[0]!.at,
          "a per-feature affine map next to a dense layer it can be folded into",
          `${run[0]!.op} between activations`,
        );
    } else if (step.kind === "activation") {
      const last = layers[layers.length - 1]!;
      if (last.activation !== "identity" || chain[i - 1]?.kind === "activation") {
        throw new ArgumentError(
          step.at,
          "one activation after each dense layer",
          `a second activation (${step.activation})`,
        );
      }
      last.activation = step.activation;
      last.alpha = step.alpha;
    } else {
      layers.push({ dense: step, activation: "identity", alpha: 0 });
    }
  }
  layers.slice(0, -1).forEach((l, i) => {
    if (l.activation === "softmax" || l.activation === "logSoftmax") {
      throw new ArgumentError(
        `layer ${i + 1}`,
        `${l.activation} only on the output`,
        `${l.activation} on a hidden layer`,
      );
    }
  });
  // Kernels are final only after every fold: rounded to float32 here, once.
  return {
    inputs,
    normalizer,
    layers: layers.map(({ dense, activation, alpha }) => ({
      units: dense.units,
      activation,
      alpha,
      kernel: Float32Array.from(dense.kernel),
      bias: Float32Array.from(dense.bias),
    })),
  };
}

function composeAffine(run: Affine[]): { scale: Float64Array; shift: Float64Array } {
  const scale = run[0]!.scale.slice(),
    shift = run[0]!.shift.slice();
  for (const a of run.slice(1)) {
    for (let j = 0; j < scale.length; j++) {
      scale[j] = scale[j]! * a.scale[j]!;
      shift[j] = shift[j]! * a.scale[j]! + a.shift[j]!;
    }
  }
  return { scale, shift };
}

/** dense then y*s + t: column j of the kernel and bias j scaled, t added to the bias. */
function foldIntoPrevious(a: { scale: Float64Array; shift: Float64Array }, d: Extract<Step, { kind: "dense" }>): void {
  for (let i = 0; i < d.inputs; i++)
    for (let j = 0; j < d.units; j++) d.kernel[i * d.units + j] = d.kernel[i * d.units + j]! * a.scale[j]!;
  for (let j = 0; j < d.units; j++) d.bias[j] = d.bias[j]! * a.scale[j]! + a.shift[j]!;
}

/** x*s + t then dense: row i of the kernel scaled by s_i; the bias gains t·W. */
function foldIntoNext(a: { scale: Float64Array; shift: Float64Array }, d: Extract<Step, { kind: "dense" }>): void {
  for (let i = 0; i < d.inputs; i++) {
    for (let j = 0; j < d.units; j++) {
      const w = d.kernel[i * d.units + j]!;
      d.bias[j] = d.bias[j]! + a.shift[i]! * w;
      d.kernel[i * d.units + j] = w * a.scale[i]!;
    }
  }
}

/** The loss an imported model trains with unless told otherwise. */
function defaultLoss(output: ActivationName): LossName {
  return output === "softmax" || output === "logSoftmax"
    ? "softmaxCrossEntropy"
    : output === "sigmoid"
      ? "binaryCrossEntropy"
      : "meanSquaredError";
}

/** A full Model (it predicts, trains, diagnoses, saves) holding the stack's weights. */
export async function stackToModel(stack: DenseStack, options: ImportOptions): Promise<Model> {
  const output = stack.layers[stack.layers.length - 1]!.activation;
  const model = await createModel({
    inputs: stack.inputs,
    layers: stack.layers.map((l) => ({
      units: l.units,
      activation: l.activation,
      ...(activationSpec(l.activation).parameter ? { alpha: l.alpha } : {}),
    })),
    loss: options.loss ?? stack.loss ?? defaultLoss(output),
    ...(options.optimizer !== undefined ? { optimizer: options.optimizer } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.backend !== undefined ? { backend: options.backend } : {}),
    normalize: stack.normalizer?.kind ?? "none",
  });
  try {
    if (stack.normalizer) model.normalizerState = Normalizer.fromConfig(stack.normalizer, stack.inputs);
    model.setWeights(stack.layers);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** The layers, weights and normalizer of a model, for the exporters. */
export function modelToStack(model: Model): DenseStack {
  const weights = model.getWeights();
  const layers = model.layers.map((l, i) => {
    if (l.type !== "dense")
      throw new ArgumentError(
        "model",
        "a model of dense layers only for this export",
        `a ${l.type} layer at layers[${i}]`,
      );
    return { units: l.units, activation: l.activation, alpha: l.alpha, ...weights[i]! };
  });
  return {
    inputs: model.inputs,
    layers,
    normalizer: model.normalizer?.toConfig() ?? null,
  };
}

/** Checks the options every importer shares (unknown keys refused). */
export function checkImportOptions(options: unknown, extra: readonly string[]): ImportOptions {
  if (options == null || typeof options !== "object") throw new ArgumentError("options", "an options object", options);
  rejectUnknownKeys(options, [...extra, "backend", "loss", "optimizer", "seed"], "options");
  return options as ImportOptions;
}

/** The stack with its normalizer folded into the first layer (for formats that have no
 *  per-feature normalizer): W'[i,:] = scale_i W[i,:], b' = b - sum_i shift_i scale_i W[i,:]. */
export function foldNormalizer(stack: DenseStack): DenseStack {
  if (!stack.normalizer) return stack;
  const first = stack.layers[0]!;
  const dense = {
    kind: "dense" as const,
    at: "layer 0",
    inputs: stack.inputs,
    units: first.units,
    kernel: Float64Array.from(first.kernel),
    bias: Float64Array.from(first.bias),
  };
  const scale = Float64Array.from(stack.normalizer.scale);
  foldIntoNext({ scale, shift: Float64Array.from(stack.normalizer.shift, (s, i) => -s * scale[i]!) }, dense);
  return {
    inputs: stack.inputs,
    normalizer: null,
    layers: [
      { ...first, kernel: Float32Array.from(dense.kernel), bias: Float32Array.from(dense.bias) },
      ...stack.layers.slice(1),
    ],
  };
}
