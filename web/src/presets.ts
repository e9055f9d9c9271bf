// Lessons the playground replays: each states a claim of the article "Activation Functions and
// Initialization Methods", sets up the case, and names the moment (an epoch) at which the
// numbers and warnings on the page show it. web/test/e2e.ts drives every lesson to that moment
// in Chromium and checks the claim from the page.
import { DEFAULT_SETUP, sanitize, type LayerSetup, type Setup } from "./config.js";

export interface Preset {
  id: string;
  label: string;
  /** What the lesson claims, in a sentence. */
  claim: string;
  /** The epoch at which to look (0: before any training). */
  at: number;
  /** What the page shows at that epoch. */
  look: string;
  /** Why, in a few sentences. */
  why: string;
  /** The library's lesson of the same subject (src/lessons/<name>.ts, `npx simdnet lessons <name>`). */
  lesson?: string;
  setup: Setup;
  /** A change that cures the failure, and what it shows. */
  fix?: { label: string; look: string; apply: (s: Setup) => Setup };
}

const base = (over: Partial<Setup> = {}): Setup => ({ ...structuredClone(DEFAULT_SETUP), ...over });
const layers = (n: number, l: Partial<LayerSetup>): LayerSetup[] =>
  Array.from({ length: n }, () => ({
    units: 8,
    activation: "relu",
    alpha: 0.01,
    kernel: "heNormal",
    bias: "zeros",
    ...l,
  }));
const withLayers = (s: Setup, l: Partial<LayerSetup>): Setup => ({
  ...s,
  layers: s.layers.map((x) => ({ ...x, ...l })),
});
const useKernel = (kernel: LayerSetup["kernel"], look: string): Preset["fix"] => ({
  label: `Use ${kernel}`,
  look,
  apply: (s) => withLayers(s, { kernel }),
});
const breakSymmetry = useKernel(
  "glorotUniform",
  "Random weights break the symmetry: no identical units from epoch 0 on.",
);

export const PRESETS: Preset[] = [
  {
    id: "circles",
    label: "Circles (ReLU, He)",
    at: 30,
    claim: "A small ReLU net initialized with He learns the circles.",
    look: "After 30 epochs the boundary closes around the inner ring: test accuracy at least 95%, no warnings.",
    why: "He initialization (He et al. 2015) gives ReLU layers weights of variance 2/fan-in, so each layer passes on a signal of about the same size; Adam does the rest.",
    lesson: "summary",
    setup: base(),
  },
  {
    id: "zero-init",
    label: "Zero init",
    at: 30,
    lesson: "symmetry",
    claim: "With every weight zero, no unit can become different from its neighbours.",
    look: "After 30 epochs every hidden layer still reports 8 of 8 units identical (with a warning), and the loss stays at 0.693: nothing is learned.",
    why: "Units that start equal receive equal gradients, so they stay equal. With zeros the gradients of the hidden weights are even exactly zero: tanh(0) = 0 feeds nothing forward, and zero output weights send nothing back.",
    setup: base({ layers: layers(2, { activation: "tanh", kernel: "zeros" }) }),
    fix: breakSymmetry,
  },
  {
    id: "equal-init",
    label: "Equal init",
    at: 50,
    lesson: "symmetry",
    claim: "Equal (non-zero) initial weights never break the symmetry either.",
    look: "After 50 epochs the loss has moved, but each hidden layer still has 8 of 8 units identical: the net acts as if each layer had one unit.",
    why: "Every unit of a layer computes the same function and gets the same gradient, so training moves them together; only a random initializer makes them differ.",
    setup: base({ layers: layers(2, { activation: "tanh", kernel: "constant" }) }),
    fix: breakSymmetry,
  },
  {
    id: "large-logistic",
    label: "Large init, logistic",
    at: 60,
    lesson: "saturation",
    claim: "Logistic units saturate under large weights.",
    look: "At epoch 0 at least 70% of every hidden layer's values are saturated, with a warning per layer; after 60 epochs they still are.",
    why: "Weights of std 16 make pre-activations of tens, where the logistic function is flat: its derivative is almost zero, so those units barely learn.",
    setup: base({
      dataset: "moons",
      layers: layers(3, { activation: "sigmoid", kernel: "normalLarge" }),
      optimizer: "sgd",
      learningRate: 0.1,
    }),
    fix: useKernel("glorotUniform", "Xavier/Glorot weights keep the pre-activations small: 0% saturated at epoch 0."),
  },
  {
    id: "dead-relu",
    label: "Dead ReLU (bias -3)",
    at: 30,
    lesson: "deadRelu",
    claim: "A ReLU unit that is negative on every input gets no gradient and stays dead.",
    look: "At epoch 0 half of layer 1 and all of layer 2 are dead (warning), the gradient norms are 0; after 30 epochs nothing has changed and the loss is still 0.693.",
    why: "A bias of -3 pushes most pre-activations below zero, where ReLU's derivative is 0: no gradient reaches those weights, so no update can revive them.",
    setup: base({ layers: layers(2, { bias: "negative" }), learningRate: 0.01 }),
    fix: {
      label: "Use leaky ReLU",
      look: "The leak lets the gradient through (the next lesson).",
      apply: (s) => withLayers(s, { activation: "leakyRelu" }),
    },
  },
  {
    id: "leaky-rescue",
    label: "Leaky ReLU rescue",
    at: 30,
    lesson: "deadRelu",
    claim: "Leaky ReLU keeps a gradient where ReLU has none, so the same bad start recovers.",
    look: "The same bias of -3 with leaky ReLU: the gradient norms are above 0, and after 30 epochs test accuracy is at least 90%.",
    why: "Leaky ReLU's slope below zero (0.01 here) is small but not zero, so negative units still receive a gradient and move back into the active region.",
    setup: base({ layers: layers(2, { activation: "leakyRelu", bias: "negative" }), learningRate: 0.01 }),
  },
  {
    id: "xavier-depth",
    label: "Xavier at depth 10 (tanh)",
    at: 30,
    lesson: "depth",
    claim: "Xavier/Glorot initialization keeps tanh activations spread across ten layers.",
    look: "At epoch 0 layer 10's std is still above 0.1 (layer 1's about 0.5) with nothing saturated; after 30 epochs test accuracy is at least 95%.",
    why: "Glorot & Bengio (2010) choose the weights' variance 2/(fan-in + fan-out) so a signal keeps roughly its size through each tanh layer, forwards and backwards.",
    setup: base({ layers: layers(10, { activation: "tanh", kernel: "glorotUniform" }) }),
  },
  {
    id: "he-depth",
    label: "He at depth 10 (ReLU)",
    at: 30,
    lesson: "depth",
    claim: "He initialization keeps ReLU activations alive and of the same size across ten layers.",
    look: "At epoch 0 layer 10's std is within a factor 2 of layer 1's, no layer has a dead-unit warning; after 30 epochs test accuracy is at least 95%.",
    why: "ReLU zeroes half its inputs, halving the variance; He et al. (2015) double the weights' variance (2/fan-in) to make up for it. Training itself can still kill units later in a net this narrow: watch the dead share.",
    setup: base({ layers: layers(10, { activation: "relu", kernel: "heNormal" }) }),
  },
  {
    id: "glorot-relu-depth",
    label: "Xavier with ReLU at depth 10",
    at: 0,
    lesson: "depth",
    claim: "Xavier/Glorot is too small for ReLU: the signal shrinks layer by layer.",
    look: "At epoch 0 layer 10's std is under a tenth of layer 1's, and deep layers warn of dead units.",
    why: "Glorot's variance assumes a zero-centred activation that passes all of its input; ReLU passes half, so each layer loses about a factor √2 of spread.",
    setup: base({ layers: layers(10, { activation: "relu", kernel: "glorotUniform" }) }),
    fix: useKernel("heNormal", "At epoch 0 He's doubled variance keeps layer 10's std within a factor 2 of layer 1's."),
  },
  {
    id: "small-depth",
    label: "Tiny init at depth 10",
    at: 30,
    lesson: "depth",
    claim: "Tiny weights make activations and gradients vanish layer by layer.",
    look: "At epoch 0 the std falls from about 0.02 in layer 1 to below 1e-10 in layer 10; after 30 epochs of SGD the loss is still 0.693 and the diagnostics warn that the gradients vanish.",
    why: "With weights of std 0.01 and 8 inputs each layer scales its signal by about 0.03, and the backward pass does the same to the gradients: ten layers of that leave nothing to learn from.",
    setup: base({
      layers: layers(10, { activation: "tanh", kernel: "normalSmall" }),
      optimizer: "sgd",
      learningRate: 0.1,
    }),
    fix: useKernel("glorotUniform", "At epoch 0 Glorot keeps a spread in every layer: layer 10's std is above 0.1."),
  },
  {
    id: "linear-xor",
    label: "No non-linearity on XOR",
    at: 50,
    lesson: "linear",
    claim: "Without a non-linearity, depth adds nothing: three identity layers are one linear map.",
    look: "After 50 epochs the boundary is a straight line, the train loss is still above 0.6 and test accuracy at most 75% (a line gets at most three quadrants of four right).",
    why: "A product of linear maps is linear, so the whole net draws one straight boundary, and no straight line separates XOR.",
    setup: base({
      dataset: "xor",
      noise: 0.05,
      layers: layers(3, { activation: "identity", kernel: "glorotUniform" }),
    }),
    fix: {
      label: "Use tanh",
      look: "With tanh the same three layers learn XOR: test accuracy near 100% after 50 epochs.",
      apply: (s) => withLayers(s, { activation: "tanh" }),
    },
  },
  {
    id: "unnormalized",
    label: "Unnormalized inputs",
    at: 0,
    lesson: "normalization",
    claim: "Inputs on a large scale saturate the first layer: normalize them.",
    look: "Inputs scaled by 200 without normalization: at epoch 0 the page warns that the inputs are not normalized and that layer 1 is saturated (at least 90%).",
    why: "Glorot's weights assume inputs of about unit size; inputs of hundreds make pre-activations of hundreds, far into tanh's flat tails. Standardizing (mean 0, std 1 per column, fitted on the training data) fixes the scale.",
    setup: base({
      dataset: "moons",
      inputScale: 200,
      normalize: false,
      layers: layers(2, { activation: "tanh", kernel: "glorotUniform" }),
      optimizer: "sgd",
      learningRate: 0.05,
    }),
    fix: {
      label: "Normalize inputs",
      look: "Standardized inputs: at epoch 0 layer 1 is 0% saturated and neither warning fires.",
      apply: (s) => ({ ...s, normalize: true }),
    },
  },
];

/** The preset a setup is, or undefined once the visitor has changed anything ("custom"). */
export function presetOf(s: Setup): Preset | undefined {
  const key = JSON.stringify(sanitize(s));
  return PRESETS.find((p) => JSON.stringify(sanitize(p.setup)) === key);
}
