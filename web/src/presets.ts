// Presets that replay the lessons in the playground: each changes the default setup the way
// its lesson does, and says what to look for.
import { DEFAULT_SETUP, type LayerSetup, type Setup } from "./config.js";

export interface Preset {
  id: string;
  label: string;
  /** What the visitor should see. */
  look: string;
  setup: Setup;
}

const base = (): Setup => structuredClone(DEFAULT_SETUP);
const layers = (n: number, l: Partial<LayerSetup>): LayerSetup[] =>
  Array.from({ length: n }, () => ({ units: 8, activation: "relu", alpha: 0.01, kernel: "heNormal", bias: "zeros", ...l }));

export const PRESETS: Preset[] = [
  { id: "circles", label: "Circles (ReLU, He)", look: "The boundary closes around the inner ring; the test loss falls fast.", setup: base() },
  { id: "zero-init", label: "Zero init", look: "All weights zero (the output layer's too): every hidden layer reports all its units identical, and nothing is learned.",
    setup: { ...base(), layers: layers(2, { activation: "tanh", kernel: "zeros" }) } },
  { id: "equal-init", label: "Equal init", look: "Units stay identical (one symmetry group per layer): the net acts as if each layer had one unit.",
    setup: { ...base(), layers: layers(2, { activation: "tanh", kernel: "constant" }) } },
  { id: "large-logistic", label: "Large init, logistic", look: "Most logistic values are saturated and the first layer's gradient is tiny.",
    setup: { ...base(), dataset: "moons", layers: layers(3, { activation: "sigmoid", kernel: "normalLarge" }), optimizer: "sgd", learningRate: 0.1 } },
  { id: "dead-relu", label: "Dead ReLU (bias -3)", look: "Most ReLU units are dead from the start and stay dead.",
    setup: { ...base(), layers: layers(2, { bias: "negative" }), optimizer: "sgd", learningRate: 0.05 } },
  { id: "leaky-rescue", label: "Leaky ReLU rescue", look: "The same negative bias with leaky ReLU: units still get a gradient, and the net learns.",
    setup: { ...base(), layers: layers(2, { activation: "leakyRelu", bias: "negative" }), optimizer: "sgd", learningRate: 0.05 } },
  { id: "xavier-depth", label: "Xavier at depth 10 (tanh)", look: "tanh with Glorot keeps a spread in every layer's histogram.",
    setup: { ...base(), layers: layers(10, { activation: "tanh", kernel: "glorotUniform" }) } },
  { id: "he-depth", label: "He at depth 10 (ReLU)", look: "ReLU with He keeps activations alive down all ten layers.",
    setup: { ...base(), layers: layers(10, { activation: "relu", kernel: "heNormal" }) } },
  { id: "small-depth", label: "Tiny init at depth 10", look: "normal(0.01) weights: activations and gradients vanish layer by layer.",
    setup: { ...base(), layers: layers(10, { activation: "tanh", kernel: "normalSmall" }) } },
  { id: "linear-xor", label: "No non-linearity on XOR", look: "Identity layers draw a straight boundary: XOR stays at chance.",
    setup: { ...base(), dataset: "xor", noise: 0.05, layers: layers(3, { activation: "identity", kernel: "glorotUniform" }) } },
  { id: "unnormalized", label: "Unnormalized inputs", look: "Inputs scaled by 200 without normalization: tanh units saturate; turn normalization on to fix it.",
    setup: { ...base(), dataset: "moons", inputScale: 200, normalize: false, layers: layers(2, { activation: "tanh", kernel: "glorotUniform" }), optimizer: "sgd", learningRate: 0.05 } },
];
