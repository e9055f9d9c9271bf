// ONNX Runtime (onnxruntime-web, its wasm build, in Node) as the reference: exported models run
// there and predict as simdnet does, and hand-built graphs in every supported form import
// and predict as ONNX Runtime runs them.
import * as ort from "onnxruntime-web";
import { describe, expect, it } from "vitest";
import { ACTIVATIONS, createModel, type ElementwiseActivation } from "../src/index.js";
import { exportOnnx, importOnnx } from "../src/onnx/index.js";
import { encodeModel, type NodeSpec, type TensorSpec } from "../src/onnx/schema.js";
import { randomArray } from "./helpers.js";
import { relativeError } from "./onnx-helpers.js";

ort.env.wasm.numThreads = 1;

/** ONNX Runtime's output for each batch (row-major, `width` features a row). */
async function runtime(bytes: Uint8Array, batches: Float32Array[], width: number): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const outputs: Float32Array[] = [];
  for (const x of batches)
    outputs.push(
      (await session.run({ x: new ort.Tensor("float32", x, [x.length / width, width]) })).y!.data as Float32Array,
    );
  await session.release();
  return outputs;
}

// Every elementwise activation the registry has: a new one is exported and run here unasked.
const ACTIVATION_LIST = Object.keys(ACTIVATIONS) as ElementwiseActivation[];

describe("exported models run in ONNX Runtime and predict as simdnet does", () => {
  it.each(
    ACTIVATION_LIST.flatMap(
      (a) =>
        [
          [a, "none"],
          [a, "standardize"],
          [a, "minMax"],
        ] as const,
    ),
  )("%s, normalizer %s", async (activation, normalize) => {
    const rows = 33,
      x = randomArray(rows * 4, 21, -4, 4);
    const model = await createModel({
      inputs: 4,
      seed: 8,
      normalize,
      loss: "binaryCrossEntropy",
      layers: [
        {
          units: 9,
          activation,
          ...(activation === "leakyRelu" ? { alpha: 0.3 } : activation === "elu" ? { alpha: 1.5 } : {}),
        },
        { units: 7, activation },
        { units: 2, activation: "sigmoid" },
      ],
    });
    if (normalize !== "none")
      await model.fit(
        { data: x, shape: [rows, 4] },
        { data: randomArray(rows * 2, 3, 0, 1).map(Math.round), shape: [rows, 2] },
        { epochs: 1 },
      );
    const batches = [x.subarray(0, 4), x]; // one row, and many: the batch dimension is dynamic
    const outputs = await runtime(exportOnnx(model), batches, 4);
    batches.forEach((b, k) =>
      expect(relativeError(outputs[k]!, model.predict({ data: b, shape: [b.length / 4, 4] }).data)).toBeLessThan(1e-5),
    );
  });

  it.each(
    [11, 13, 17, 21].flatMap(
      (opset) =>
        [
          [opset, "softmax"],
          [opset, "logSoftmax"],
        ] as const,
    ),
  )("opset %i, %s output", async (opset, output) => {
    const x = randomArray(10 * 3, 4, -2, 2);
    const model = await createModel({
      inputs: 3,
      seed: 2,
      loss: "softmaxCrossEntropy",
      layers: [
        { units: 5, activation: "elu" },
        { units: 4, activation: output },
      ],
    });
    const [got] = await runtime(exportOnnx(model, { opset }), [x], 3);
    expect(relativeError(got!, model.predict({ data: x, shape: [10, 3] }).data)).toBeLessThan(1e-5);
  });

  it.each([11, 13, 17, 18, 21])(
    "Mish at opset %i: its op from 18 on, x * tanh(softplus(x)) before; imported back either way",
    async (opset) => {
      const x = randomArray(17 * 3, 6, -4, 4);
      const model = await createModel({
        inputs: 3,
        seed: 5,
        layers: [{ units: 6, activation: "mish" }, { units: 5, activation: "mish" }, { units: 2 }],
      });
      const bytes = exportOnnx(model, { opset });
      const [got] = await runtime(bytes, [x], 3);
      const want = model.predict({ data: x, shape: [17, 3] }).data;
      expect(relativeError(got!, want)).toBeLessThan(1e-5);
      const back = await importOnnx(bytes);
      expect(back.activations).toEqual(["mish", "mish", "identity"]);
      expect(Array.from(back.predict({ data: x, shape: [17, 3] }).data)).toEqual(Array.from(want));
    },
  );
});

// ---- every supported form, with ONNX Runtime as the oracle -------------------------------

const W1 = randomArray(3 * 4, 31),
  B1 = randomArray(4, 32),
  W2 = randomArray(4 * 2, 33),
  B2 = randomArray(2, 34);
const f32 = (name: string, dims: number[], data: Float32Array): TensorSpec => ({ name, dims, data });
const transpose = (w: Float32Array, r: number, c: number) =>
  Float32Array.from({ length: r * c }, (_, k) => w[(k % r) * c + Math.floor(k / r)]!);

const FORMS: [string, NodeSpec[], TensorSpec[], { opset?: number; weightsAsInputs?: boolean }?][] = [
  [
    "Gemm with W as [inputs, units], alpha and beta",
    [
      {
        opType: "Gemm",
        inputs: ["x", "W1", "B1"],
        outputs: ["h"],
        attributes: { alpha: 0.5, beta: 2 },
        floatAttributes: ["beta"],
      },
      { opType: "Relu", inputs: ["h"], outputs: ["a"] },
      { opType: "Gemm", inputs: ["a", "W2"], outputs: ["y"] },
    ],
    [f32("W1", [3, 4], W1), f32("B1", [1, 4], B1), f32("W2", [4, 2], W2)],
  ],
  [
    "Gemm taking x as B (a transposed chain) and back with transA",
    [
      { opType: "Gemm", inputs: ["W1t", "x", "B1c"], outputs: ["h"], attributes: { transB: 1 } },
      { opType: "Tanh", inputs: ["h"], outputs: ["a"] },
      { opType: "Gemm", inputs: ["a", "W2", "B2"], outputs: ["y"], attributes: { transA: 1 } },
    ],
    [f32("W1t", [4, 3], transpose(W1, 3, 4)), f32("B1c", [4, 1], B1), f32("W2", [4, 2], W2), f32("B2", [2], B2)],
  ],
  [
    "MatMul + Add, initializers listed as inputs, Identity, Dropout, Flatten, Reshape",
    [
      { opType: "Flatten", inputs: ["x"], outputs: ["f"] },
      { opType: "MatMul", inputs: ["f", "W1"], outputs: ["m"] },
      { opType: "Add", inputs: ["B1", "m"], outputs: ["h"] },
      { opType: "Dropout", inputs: ["h"], outputs: ["d"] },
      { opType: "LeakyRelu", inputs: ["d"], outputs: ["a"], attributes: { alpha: 0.1 } },
      { opType: "Identity", inputs: ["a"], outputs: ["i"] },
      { opType: "Reshape", inputs: ["i", "shape"], outputs: ["r"] },
      { opType: "MatMul", inputs: ["r", "W2"], outputs: ["y"] },
    ],
    [
      f32("W1", [3, 4], W1),
      f32("B1", [4], B1),
      f32("W2", [4, 2], W2),
      { name: "shape", dims: [2], data: BigInt64Array.of(-1n, 4n) },
    ],
    { weightsAsInputs: true },
  ],
  [
    "BatchNormalization on the inputs and after an activation (folded forwards)",
    [
      { opType: "BatchNormalization", inputs: ["x", "g0", "b0", "m0", "v0"], outputs: ["n"] },
      { opType: "Gemm", inputs: ["n", "W1", "B1"], outputs: ["h"] },
      { opType: "Elu", inputs: ["h"], outputs: ["a"], attributes: { alpha: 0.5 } },
      {
        opType: "BatchNormalization",
        inputs: ["a", "g1", "b1", "m1", "v1"],
        outputs: ["n1"],
        attributes: { epsilon: 0.001 },
      },
      { opType: "Gemm", inputs: ["n1", "W2", "B2"], outputs: ["s"] },
      { opType: "Softmax", inputs: ["s"], outputs: ["y"] },
    ],
    [
      f32("g0", [3], randomArray(3, 1, 0.5, 2)),
      f32("b0", [3], randomArray(3, 2)),
      f32("m0", [3], randomArray(3, 3)),
      f32("v0", [3], randomArray(3, 4, 0.1, 3)),
      f32("W1", [3, 4], W1),
      f32("B1", [4], B1),
      f32("g1", [4], randomArray(4, 5, 0.5, 2)),
      f32("b1", [4], randomArray(4, 6)),
      f32("m1", [4], randomArray(4, 7)),
      f32("v1", [4], randomArray(4, 8, 0.1, 3)),
      f32("W2", [4, 2], W2),
      f32("B2", [2], B2),
    ],
    { opset: 11 },
  ],
  [
    "Sub and Div as the normalizer; Softplus thresholded, SiLU, Gelu, Selu",
    [
      { opType: "Sub", inputs: ["x", "mu"], outputs: ["c"] },
      { opType: "Div", inputs: ["c", "sd"], outputs: ["z"] },
      { opType: "Gemm", inputs: ["z", "W1", "B1"], outputs: ["h"] },
      { opType: "Softplus", inputs: ["h"], outputs: ["sp"] },
      { opType: "Greater", inputs: ["h", "twenty"], outputs: ["big"] },
      { opType: "Where", inputs: ["big", "h", "sp"], outputs: ["a"] },
      { opType: "Gemm", inputs: ["a", "W4", "B1"], outputs: ["h2"] },
      { opType: "Sigmoid", inputs: ["h2"], outputs: ["s2"] },
      { opType: "Mul", inputs: ["s2", "h2"], outputs: ["a2"] },
      { opType: "Gemm", inputs: ["a2", "W4", "B1"], outputs: ["h3"] },
      { opType: "Gelu", inputs: ["h3"], outputs: ["a3"], attributes: { approximate: "tanh" } },
      { opType: "Gemm", inputs: ["a3", "W4", "B1"], outputs: ["h4"] },
      { opType: "Selu", inputs: ["h4"], outputs: ["a4"] },
      { opType: "Gemm", inputs: ["a4", "W2", "B2"], outputs: ["h5"] },
      { opType: "LogSoftmax", inputs: ["h5"], outputs: ["y"] },
    ],
    [
      f32("mu", [1, 3], randomArray(3, 9)),
      f32("sd", [3], randomArray(3, 10, 0.5, 2)),
      f32("W1", [3, 4], W1),
      f32("B1", [4], B1),
      f32("W4", [4, 4], randomArray(16, 11)),
      f32("twenty", [], Float32Array.of(20)),
      f32("W2", [4, 2], W2),
      f32("B2", [2], B2),
    ],
    { opset: 20 },
  ],
  [
    "Mish as its op (opset 18) and as PyTorch writes it before (Mul(x, Tanh(Softplus(x))), operands in either order)",
    [
      { opType: "Gemm", inputs: ["x", "W1", "B1"], outputs: ["h"] },
      { opType: "Mish", inputs: ["h"], outputs: ["a"] },
      { opType: "Gemm", inputs: ["a", "W4", "B1"], outputs: ["h2"] },
      { opType: "Softplus", inputs: ["h2"], outputs: ["sp"] },
      { opType: "Tanh", inputs: ["sp"], outputs: ["th"] },
      { opType: "Mul", inputs: ["h2", "th"], outputs: ["a2"] },
      { opType: "Gemm", inputs: ["a2", "W4", "B1"], outputs: ["h3"] },
      { opType: "Softplus", inputs: ["h3"], outputs: ["sp3"] },
      { opType: "Tanh", inputs: ["sp3"], outputs: ["th3"] },
      { opType: "Mul", inputs: ["th3", "h3"], outputs: ["a3"] },
      { opType: "Gemm", inputs: ["a3", "W2", "B2"], outputs: ["y"] },
    ],
    [
      f32("W1", [3, 4], W1),
      f32("B1", [4], B1),
      f32("W4", [4, 4], randomArray(16, 12)),
      f32("W2", [4, 2], W2),
      f32("B2", [2], B2),
    ],
    { opset: 18 },
  ],
];

describe("every supported form imports and predicts as ONNX Runtime runs it", () => {
  it("a static batch dimension", async () => {
    const bytes = encodeModel({
      opset: 13,
      producer: "test",
      producerVersion: "0",
      graphName: "static",
      metadata: {},
      nodes: [{ opType: "Gemm", inputs: ["x", "W1", "B1"], outputs: ["y"] }],
      initializers: [f32("W1", [3, 4], W1), f32("B1", [4], B1)],
      input: { name: "x", width: 3, batch: 6 },
      output: { name: "y", width: 4, batch: 6 },
    });
    const x = randomArray(6 * 3, 41, -2, 2);
    const [expected] = await runtime(bytes, [x], 3);
    const model = await importOnnx(bytes);
    expect(relativeError(model.predict({ data: x, shape: [6, 3] }).data, expected!)).toBeLessThan(1e-5);
    expect(model.predict({ data: x.subarray(0, 3), shape: [1, 3] }).shape).toEqual([1, 4]); // simdnet takes any batch
  });

  it.each(FORMS)("%s", async (_, nodes, initializers, options = {}) => {
    const bytes = encodeModel({
      opset: options.opset ?? 13,
      producer: "test",
      producerVersion: "0",
      graphName: "forms",
      metadata: {},
      nodes,
      initializers,
      input: { name: "x", width: 3 },
      output: { name: "y", width: 2 },
      ...(options.weightsAsInputs ? { weightsAsInputs: true } : {}),
    });
    const x = randomArray(6 * 3, 40, -2, 2);
    const model = await importOnnx(bytes);
    const [expected] = await runtime(bytes, [x], 3);
    expect(relativeError(model.predict({ data: x, shape: [6, 3] }).data, expected!)).toBeLessThan(1e-5);
  });
});
