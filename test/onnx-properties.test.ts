// Seeded properties over random dense stacks: every width, depth, activation and normalizer
// survives exportOnnx -> importOnnx bit for bit in its predictions, and toTfjs -> fromTfjs
// within float32 rounding of the folded normalizer.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ACTIVATIONS, createModel, type ElementwiseActivation } from "../src/index.js";
import { exportOnnx, importOnnx } from "../src/onnx/index.js";
import { fromTfjs, toTfjs } from "../src/tfjs/index.js";
import { randomArray } from "./helpers.js";
import { relativeError } from "./onnx-helpers.js";

const HIDDEN = Object.keys(ACTIVATIONS) as ElementwiseActivation[]; // every one the registry has
const OUTPUT = ["identity", "sigmoid", "softmax"] as const;

const stack = fc.record({
  inputs: fc.integer({ min: 1, max: 9 }),
  hidden: fc.array(
    fc.record({
      units: fc.integer({ min: 1, max: 17 }),
      activation: fc.constantFrom(...HIDDEN),
      alpha: fc.double({ min: 0, max: 2, noNaN: true }),
    }),
    { maxLength: 3 },
  ),
  output: fc.constantFrom(...OUTPUT),
  outputs: fc.integer({ min: 2, max: 5 }),
  normalize: fc.constantFrom("none", "standardize", "minMax") as fc.Arbitrary<"none" | "standardize" | "minMax">,
  seed: fc.nat(),
});

type Stack = typeof stack extends fc.Arbitrary<infer T> ? T : never;

async function build(s: Stack, tfjsSafe: boolean) {
  const model = await createModel({
    inputs: s.inputs,
    seed: s.seed,
    normalize: s.normalize,
    loss:
      s.output === "softmax"
        ? "softmaxCrossEntropy"
        : s.output === "sigmoid"
          ? "binaryCrossEntropy"
          : "meanSquaredError",
    layers: [
      ...s.hidden.map((h) => {
        // TF.js loads neither GELU nor an ELU alpha other than 1 (toTfjs refuses both).
        const activation = tfjsSafe && h.activation === "gelu" ? "silu" : h.activation;
        const alpha = activation === "leakyRelu" || (activation === "elu" && !tfjsSafe) ? { alpha: h.alpha } : {};
        return { units: h.units, activation, ...alpha };
      }),
      { units: s.outputs, activation: s.output },
    ],
  });
  const rows = 12,
    x = { data: randomArray(rows * s.inputs, s.seed, -3, 3), shape: [rows, s.inputs] as [number, number] };
  if (s.normalize !== "none") {
    const y =
      s.output === "softmax"
        ? Array.from({ length: rows }, (_, i) => i % s.outputs)
        : { data: randomArray(rows * s.outputs, 5, 0, 1), shape: [rows, s.outputs] as [number, number] };
    await model.fit(x, y, { epochs: 1, batchSize: rows });
  }
  return { model, x };
}

describe("round trips over random stacks (seeded)", () => {
  it("importOnnx(exportOnnx(model)) predicts exactly as the model", async () => {
    await fc.assert(
      fc.asyncProperty(stack, async (s) => {
        const { model, x } = await build(s, false);
        const back = await importOnnx(exportOnnx(model));
        expect(back.activations).toEqual(model.activations);
        expect(back.predict(x).data).toEqual(model.predict(x).data);
        model.dispose();
        back.dispose();
      }),
      { numRuns: 60, seed: 2026 },
    );
  });

  it("fromTfjs(toTfjs(model)) predicts within 1e-5 of the output's scale", async () => {
    await fc.assert(
      fc.asyncProperty(stack, async (s) => {
        const { model, x } = await build(s, true);
        const back = await fromTfjs(toTfjs(model));
        expect(back.activations).toEqual(model.activations);
        expect(relativeError(back.predict(x).data, model.predict(x).data)).toBeLessThan(1e-5);
        model.dispose();
        back.dispose();
      }),
      { numRuns: 60, seed: 2027 },
    );
  });
});
