// ONNX import of PyTorch's exports (both exporters), round trips through exportOnnx, and
// the refusals: unsupported ops by position, and hostile files, always as an ArgumentError.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArgumentError, createModel, saveModel, loadModel, type ActivationName } from "../src/index.js";
import { exportOnnx, importOnnx } from "../src/onnx/index.js";
import { decodeModel, encodeModel, irVersionFor, type ModelSpec, type NodeSpec } from "../src/onnx/schema.js";
import { randomArray } from "./helpers.js";
import { relativeError } from "./onnx-helpers.js";
import type { DenseLayer } from "../src/layers.js";

const FIXTURES = new URL("./fixtures/interop/", import.meta.url);
const fixture = (name: string) => ({
  onnx: new Uint8Array(readFileSync(new URL(`${name}.onnx`, FIXTURES))),
  reference: JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), "utf8")) as {
    input: number[][];
    expected: number[][];
  },
});

describe("PyTorch's exports import and predict as PyTorch does", () => {
  it.each([
    ["relu-softmax-legacy", ["relu", "softmax"]],
    ["tanh-sigmoid-dynamo", ["tanh", "tanh", "sigmoid"]],
    [
      "every-activation-dynamo",
      ["leakyRelu", "elu", "selu", "softplus", "gelu", "silu", "sigmoid", "tanh", "relu", "identity"],
    ],
    ["mnist-shape-legacy", ["relu", "identity"]],
    ["batchnorm-dropout-legacy", ["relu", "identity"]],
  ])("%s", async (name, activations) => {
    const { onnx, reference } = fixture(name);
    for (const backend of ["wasm", "js"] as const) {
      const model = await importOnnx(onnx, { backend });
      expect(model.activations).toEqual(activations);
      expect(relativeError(model.predict(reference.input).data, reference.expected.flat())).toBeLessThan(1e-5);
      model.dispose();
    }
  });

  it("keeps LeakyRelu's and ELU's alpha, and picks the loss from the output", async () => {
    const every = await importOnnx(fixture("every-activation-dynamo").onnx.buffer.slice(0) as ArrayBuffer);
    expect((every.layers[0] as DenseLayer).alpha).toBeCloseTo(0.2, 7);
    expect((every.layers[1] as DenseLayer).alpha).toBe(1);
    expect(every.loss.name).toBe("meanSquaredError");
    expect((await importOnnx(fixture("relu-softmax-legacy").onnx)).loss.name).toBe("softmaxCrossEntropy");
    expect((await importOnnx(fixture("tanh-sigmoid-dynamo").onnx)).loss.name).toBe("binaryCrossEntropy");
  });

  it("gives a full model: it trains further, diagnoses and saves", async () => {
    const { onnx, reference } = fixture("relu-softmax-legacy");
    const model = await importOnnx(onnx, { seed: 3, optimizer: "sgd" });
    const labels = reference.expected.map((row) => row.indexOf(Math.max(...row)));
    const before = model.evaluate(reference.input, labels).loss;
    for (let i = 0; i < 20; i++) model.trainOnBatch(reference.input, labels);
    expect(model.evaluate(reference.input, labels).loss).toBeLessThan(before);
    expect(model.diagnose(reference.input).layers).toHaveLength(2);
    const reloaded = await loadModel(JSON.stringify(saveModel(model)));
    expect(reloaded.predict(reference.input).data).toEqual(model.predict(reference.input).data);
  });

  it("folds BatchNormalization into the dense layer before it", async () => {
    const model = await importOnnx(fixture("batchnorm-dropout-legacy").onnx);
    expect(model.layers.map((l) => [l.inputs, l.units])).toEqual([
      [6, 32],
      [32, 4],
    ]);
  });
});

const ACTIVATION_LIST: ActivationName[] = [
  "identity",
  "sigmoid",
  "tanh",
  "relu",
  "leakyRelu",
  "elu",
  "selu",
  "softplus",
  "silu",
  "gelu",
];

describe("importOnnx(exportOnnx(model))", () => {
  it.each(
    ACTIVATION_LIST.flatMap(
      (a) =>
        [
          [a, false],
          [a, true],
        ] as const,
    ),
  )("%s, normalizer %s: predicts within 1e-6", async (activation, normalized) => {
    const x = randomArray(40 * 3, 11, -3, 3);
    const model = await createModel({
      inputs: 3,
      seed: 5,
      normalize: normalized ? "standardize" : "none",
      loss: "softmaxCrossEntropy",
      layers: [
        {
          units: 6,
          activation,
          ...(activation === "leakyRelu" ? { alpha: 0.2 } : activation === "elu" ? { alpha: 0.7 } : {}),
        },
        { units: 5, activation },
        { units: 3, activation: "softmax" },
      ],
    });
    if (normalized)
      await model.fit(
        { data: x, shape: [40, 3] },
        Array.from({ length: 40 }, (_, i) => i % 3),
        { epochs: 1 },
      );
    const back = await importOnnx(exportOnnx(model));
    expect(back.activations).toEqual(model.activations);
    expect((back.layers as readonly DenseLayer[]).map((l) => l.alpha)).toEqual(
      (model.layers as readonly DenseLayer[]).map((l) =>
        Math.fround(l.alpha) === l.alpha ? l.alpha : Math.fround(l.alpha),
      ),
    );
    expect(back.normalizer?.toConfig() ?? null).toEqual(model.normalizer?.toConfig() ?? null);
    const input = { data: x, shape: [40, 3] as [number, number] };
    expect(relativeError(back.predict(input).data, model.predict(input).data)).toBeLessThan(1e-6);
  });

  // What onnx.checker checks of a graph's structure (Python's onnx is not available here).
  it.each([
    [["relu", "silu", "elu"], 13],
    [["gelu", "leakyRelu", "selu"], 20],
    [["tanh", "softplus"], 11],
  ] as const)("%j at opset %i follows the checker's structural rules", async (activations, opset) => {
    const model = await createModel({
      inputs: 3,
      seed: 1,
      normalize: "minMax",
      layers: [...activations.map((activation) => ({ units: 4, activation })), { units: 2 }],
    });
    await model.fit(
      { data: randomArray(30, 3), shape: [10, 3] },
      { data: randomArray(20, 4), shape: [10, 2] },
      { epochs: 1 },
    );
    const m = decodeModel(exportOnnx(model, { opset }));
    expect(m.irVersion).toBe(irVersionFor(opset));
    expect(m.opsets).toEqual([{ domain: "", version: opset }]);
    expect(m.graph.inputs).toEqual([{ name: "x", elemType: 1, shape: ["batch", 3] }]);
    expect(m.graph.outputs).toEqual([{ name: "y", elemType: 1, shape: ["batch", 2] }]);
    const names = m.graph.initializers.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    const defined = new Set(["x", ...names]),
      nodeNames = new Set<string>();
    for (const node of m.graph.nodes) {
      for (const input of node.inputs)
        expect(defined.has(input), `${node.opType} reads ${input} before it is defined`).toBe(true);
      for (const output of node.outputs) {
        expect(defined.has(output), `${output} is assigned twice`).toBe(false);
        defined.add(output);
      }
      expect(nodeNames.has(node.name)).toBe(false);
      nodeNames.add(node.name);
    }
    expect(defined.has("y")).toBe(true);
    expect(m.metadata.get("simdnet.normalize")).toBe("minMax");
    expect((await importOnnx(exportOnnx(model, { opset }))).normalizer?.kind).toBe("minMax");
  });

  it("keeps the loss, which ONNX has no place for, in the metadata", async () => {
    const model = await createModel({
      inputs: 2,
      loss: { name: "softmaxCrossEntropy", fromLogits: true, epsilon: 1e-6 },
      layers: [{ units: 3 }, { units: 3, activation: "identity" }],
    });
    expect((await importOnnx(exportOnnx(model))).loss).toEqual(model.loss);
    expect((await importOnnx(exportOnnx(model), { loss: "meanSquaredError" })).loss.name).toBe("meanSquaredError");
    const spec = {
      opset: 13,
      producer: "t",
      producerVersion: "0",
      graphName: "g",
      nodes: [{ opType: "Gemm", inputs: ["x", "W", "b"], outputs: ["y"] }],
      initializers: [
        { name: "W", dims: [2, 2], data: randomArray(4, 1) },
        { name: "b", dims: [2], data: randomArray(2, 2) },
      ],
      input: { name: "x", width: 2 },
      output: { name: "y", width: 2 },
    };
    expect((await refusal(encodeModel({ ...spec, metadata: { "simdnet.loss": "{" } }))).message).toMatch(
      /simdnet.loss: expected a loss config as JSON/,
    );
    expect((await refusal(encodeModel({ ...spec, metadata: { "simdnet.loss": '{"name":"hinge"}' } }))).message).toMatch(
      /loss/,
    );
  });

  it("refuses an opset below 20 for GELU, and options it does not know", async () => {
    const model = await createModel({ inputs: 2, layers: [{ units: 2, activation: "gelu" }, { units: 1 }] });
    expect(() => exportOnnx(model, { opset: 13 })).toThrow(/opset: expected 20 or later/);
    expect(() => exportOnnx(model, { opsetVersion: 13 } as never)).toThrow(ArgumentError);
    expect(() => exportOnnx({} as never)).toThrow(ArgumentError);
  });
});

// ---- hand-built graphs ----------------------------------------------------------------

/** A 2-input model: Gemm(2 -> 3) then `tail` nodes reading "h"; output "y" of `width`. */
function graph(tail: NodeSpec[], options: Partial<ModelSpec> = {}, width = 3): Uint8Array {
  return encodeModel({
    opset: 17,
    producer: "test",
    producerVersion: "0",
    graphName: "g",
    metadata: {},
    nodes: [{ opType: "Gemm", inputs: ["x", "W", "b"], outputs: ["h"], attributes: { transB: 1 } }, ...tail],
    initializers: [
      { name: "W", dims: [3, 2], data: Float32Array.of(1, 2, 3, 4, 5, 6) },
      { name: "b", dims: [3], data: Float32Array.of(0.1, 0.2, 0.3) },
    ],
    input: { name: "x", width: 2 },
    output: { name: "y", width },
    ...options,
  });
}

async function refusal(bytes: Uint8Array, options = {}): Promise<ArgumentError> {
  const error = await importOnnx(bytes, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArgumentError);
  return error as ArgumentError;
}

describe("refusals name the node, its op and its position", () => {
  it.each([
    [
      "Clip",
      [{ opType: "Clip", inputs: ["h"], outputs: ["y"] }],
      /^node 1 \(Clip\): expected an op simdnet imports \(it imports dense networks: Gemm, MatMul, .*got "Clip"$/,
    ],
    [
      "Erf (PyTorch's exact GELU)",
      [{ opType: "Erf", inputs: ["h"], outputs: ["y"] }],
      /node 1 \(Erf\): expected an op simdnet imports .*exact \(erf\) GELU/,
    ],
    [
      "log-softmax on axis 0",
      [{ opType: "LogSoftmax", inputs: ["h"], outputs: ["y"], attributes: { axis: 0 } }],
      /node 1 \(LogSoftmax\) axis/,
    ],
    ["erf GELU", [{ opType: "Gelu", inputs: ["h"], outputs: ["y"] }], /node 1 \(Gelu\) approximate: expected "tanh"/],
    [
      "odd SELU",
      [{ opType: "Selu", inputs: ["h"], outputs: ["y"], attributes: { alpha: 1.5 }, floatAttributes: ["alpha"] }],
      /node 1 \(Selu\) alpha, gamma/,
    ],
    [
      "softmax on axis 0",
      [{ opType: "Softmax", inputs: ["h"], outputs: ["y"], attributes: { axis: 0 } }],
      /node 1 \(Softmax\) axis/,
    ],
    [
      "two activations",
      [
        { opType: "Relu", inputs: ["h"], outputs: ["r"] },
        { opType: "Tanh", inputs: ["r"], outputs: ["y"] },
      ],
      /node 2 \(Tanh\): expected one activation/,
    ],
    [
      "a branch",
      [
        { opType: "Relu", inputs: ["h"], outputs: ["y"] },
        { opType: "Tanh", inputs: ["h"], outputs: ["z"] },
      ],
      /node 1 \(Relu\): expected a chain/,
    ],
    [
      "a cycle",
      [
        { opType: "Relu", inputs: ["h"], outputs: ["r"] },
        { opType: "Relu", inputs: ["r"], outputs: ["h"] },
      ],
      /cycle/,
    ],
    ["a 4-D reshape", [{ opType: "Reshape", inputs: ["h", "shape"], outputs: ["y"] }], /node 1 \(Reshape\) shape/],
    [
      "a low softplus threshold",
      [
        { opType: "Softplus", inputs: ["h"], outputs: ["s"] },
        { opType: "Greater", inputs: ["h", "one"], outputs: ["g"] },
        { opType: "Where", inputs: ["g", "h", "s"], outputs: ["y"] },
      ],
      /node 2 \(Greater\) threshold/,
    ],
  ] as [string, NodeSpec[], RegExp][])("%s", async (_, tail, message) => {
    const extra = [
      { name: "shape", dims: [4], data: BigInt64Array.of(-1n, 3n, 1n, 1n) },
      { name: "one", dims: [], data: Float32Array.of(1) },
    ];
    const e = await refusal(
      encodeModel({
        opset: 17,
        producer: "t",
        producerVersion: "0",
        graphName: "g",
        metadata: {},
        nodes: [{ opType: "Gemm", inputs: ["x", "W", "b"], outputs: ["h"], attributes: { transB: 1 } }, ...tail],
        initializers: [
          { name: "W", dims: [3, 2], data: randomArray(6, 1) },
          { name: "b", dims: [3], data: randomArray(3, 2) },
          ...extra,
        ],
        input: { name: "x", width: 2 },
        output: { name: "y", width: 3 },
      }),
    );
    expect(e.message).toMatch(message);
  });

  it("refuses opsets outside 11 to 21", async () => {
    expect((await refusal(graph([{ opType: "Relu", inputs: ["h"], outputs: ["y"] }], { opset: 10 }))).message).toMatch(
      /opset/,
    );
  });

  it("refuses weights stored outside the file when their bytes are not given, or out of range", async () => {
    const outside = graph([{ opType: "Relu", inputs: ["h"], outputs: ["y"] }], {
      initializers: [
        { name: "W", dims: [3, 2], data: randomArray(6, 1), external: { location: "w.bin", offset: 0 } },
        { name: "b", dims: [3], data: randomArray(3, 2), external: { location: "w.bin", offset: 24 } },
      ],
    });
    expect((await refusal(outside)).message).toMatch(/externalData: expected the bytes of "w.bin"/);
    expect((await refusal(outside, { externalData: new Uint8Array(30) })).message).toMatch(
      /offset and length within the 30 bytes/,
    );
    const file = new Uint8Array(36);
    new Float32Array(file.buffer).set([...randomArray(6, 1), ...randomArray(3, 2)]);
    const model = await importOnnx(outside, { externalData: { "w.bin": file } });
    expect(model.getWeights()[0]!.bias).toEqual(randomArray(3, 2));
  });
});

describe("hostile files are refused with an ArgumentError", () => {
  const { onnx } = fixture("relu-softmax-legacy");

  it("every truncation", async () => {
    for (let cut = 0; cut < onnx.length; cut++) await refusal(onnx.subarray(0, cut));
  });

  it("varints that overflow, lengths past the end, unknown wire types, not protobuf at all", async () => {
    expect((await refusal(Uint8Array.of(0x08, ...new Array(11).fill(0xff), 0x01))).message).toMatch(/varint/);
    expect((await refusal(Uint8Array.of(0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f))).message).toMatch(/bytes where 0 remain/);
    expect((await refusal(Uint8Array.of(0x3b))).message).toMatch(/wire type 3/);
    expect((await refusal(new TextEncoder().encode('{"format": "simdnet-model"}'))).message).toMatch(/onnx/);
    await expect(importOnnx("not bytes" as never)).rejects.toThrow(ArgumentError);
    await expect(importOnnx(onnx, { externalDta: 1 } as never)).rejects.toThrow(/options.externalDta/);
  });

  it("absurd dimensions, before anything is allocated", async () => {
    const wide = encodeModel({
      opset: 13,
      producer: "t",
      producerVersion: "0",
      graphName: "g",
      metadata: {},
      nodes: [{ opType: "Sub", inputs: ["x", "c"], outputs: ["y"] }],
      initializers: [{ name: "c", dims: [], data: Float32Array.of(1) }],
      input: { name: "x", width: 2 ** 40 },
      output: { name: "y", width: 2 ** 40 },
    });
    expect((await refusal(wide)).message).toMatch(
      /onnx input x: expected a width in \[1, 1048576\], got 1099511627776/,
    );
    const huge = graph([{ opType: "Relu", inputs: ["h"], outputs: ["y"] }], {
      initializers: [
        { name: "W", dims: [1 << 30, 1 << 30], data: randomArray(6, 1) },
        { name: "b", dims: [3], data: randomArray(3, 2) },
      ],
    });
    expect((await refusal(huge)).message).toMatch(/dims: expected at most 8 dimensions in \[0, 134217728\]/);
    const lying = graph([{ opType: "Relu", inputs: ["h"], outputs: ["y"] }], {
      initializers: [
        { name: "W", dims: [8192, 8192], data: randomArray(6, 1) },
        { name: "b", dims: [3], data: randomArray(3, 2) },
      ],
    });
    expect((await refusal(lying)).message).toMatch(/expected 268435456 bytes/);
  });

  it("random corruption: a model or an ArgumentError, never anything else", async () => {
    let imported = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat({ max: onnx.length - 1 }), value: fc.nat({ max: 255 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (edits) => {
          const bytes = onnx.slice();
          for (const { at, value } of edits) bytes[at] = value;
          const result = await importOnnx(bytes).then(
            (m) => {
              m.dispose();
              return null;
            },
            (e: unknown) => e,
          );
          if (result === null) imported++;
          else expect(result).toBeInstanceOf(ArgumentError);
        },
      ),
      { numRuns: 300, seed: 12 },
    );
    expect(imported).toBeGreaterThan(10); // edits inside weights still make a model
  });
});
