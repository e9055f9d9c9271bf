// `simdnet convert`: ONNX -> simdnet JSON -> TF.js folder -> ONNX, each step predicting as
// PyTorch did; external data read beside the .onnx, never outside its folder.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { convert } from "../src/convert.js";
import { ArgumentError } from "../src/index.js";
import { importOnnx } from "../src/onnx/index.js";
import { encodeModel } from "../src/onnx/schema.js";
import { randomArray } from "./helpers.js";

const FIXTURES = new URL("./fixtures/interop/", import.meta.url);

describe("convert", () => {
  it("carries a PyTorch model through every format and back, predicting the same", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "simdnet-convert-"));
    const reference = JSON.parse(await readFile(new URL("batchnorm-dropout-legacy.json", FIXTURES), "utf8")) as {
      input: number[][];
      expected: number[][];
    };
    const lines: string[] = [];
    const steps: [string, string][] = [
      [new URL("batchnorm-dropout-legacy.onnx", FIXTURES).pathname, path.join(dir, "model.json")],
      [path.join(dir, "model.json"), path.join(dir, "tfjs")],
      [path.join(dir, "tfjs"), path.join(dir, "back.onnx")],
      [path.join(dir, "back.onnx"), path.join(dir, "again.json")],
    ];
    for (const [from, to] of steps) {
      const model = await convert(from, to, (line) => lines.push(line));
      const got = model.predict(reference.input).data,
        expected = reference.expected.flat();
      const scale = Math.max(...expected.map(Math.abs));
      got.forEach((v, i) => expect(Math.abs(v - expected[i]!) / scale).toBeLessThan(1e-5));
    }
    expect(lines).toContain("dense 1: 6 -> 32 relu, kernel heNormal, bias zeros, 224 parameters");
    expect(lines.filter((l) => l.startsWith("wrote "))).toEqual([
      `wrote ${path.join(dir, "model.json")} (simdnet)`,
      `wrote ${path.join(dir, "tfjs", "model.json")} (tfjs)`,
      `wrote ${path.join(dir, "back.onnx")} (onnx)`,
      `wrote ${path.join(dir, "again.json")} (simdnet)`,
    ]);
  });

  it("writes into folders that do not exist yet, for every output format", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "simdnet-convert-"));
    const from = new URL("relu-softmax-legacy.onnx", FIXTURES).pathname;
    for (const to of [path.join(dir, "a", "b", "m.json"), path.join(dir, "c", "m.onnx"), path.join(dir, "d", "tfjs")]) {
      (await convert(from, to, () => {})).dispose();
      expect((await readFile(to.endsWith("tfjs") ? path.join(to, "model.json") : to)).length).toBeGreaterThan(0);
    }
  });

  it("reads external data beside the .onnx, and refuses a location outside its folder", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "simdnet-external-"));
    const W = randomArray(6, 1),
      b = randomArray(3, 2);
    const bytes = (location: string) =>
      encodeModel({
        opset: 18,
        producer: "test",
        producerVersion: "0",
        graphName: "g",
        metadata: {},
        nodes: [{ opType: "Gemm", inputs: ["x", "W", "b"], outputs: ["y"], attributes: { transB: 1 } }],
        initializers: [
          { name: "W", dims: [3, 2], data: W, external: { location, offset: 0 } },
          { name: "b", dims: [3], data: b, external: { location, offset: 24 } },
        ],
        input: { name: "x", width: 2 },
        output: { name: "y", width: 3 },
      });
    await writeFile(path.join(dir, "weights.data"), new Uint8Array(Float32Array.from([...W, ...b]).buffer));
    await writeFile(path.join(dir, "external.onnx"), bytes("weights.data"));
    const model = await convert(path.join(dir, "external.onnx"), path.join(dir, "out.json"), () => {});
    expect(model.getWeights()[0]!.bias).toEqual(b);
    await writeFile(path.join(dir, "escape.onnx"), bytes("../weights.data"));
    await expect(convert(path.join(dir, "escape.onnx"), path.join(dir, "x.json"), () => {})).rejects.toThrow(
      /external_data location: expected a file name inside the model's folder/,
    );
    await expect(importOnnx(bytes("weights.data"))).rejects.toThrow(ArgumentError);
    await expect(convert(undefined, "x.json")).rejects.toThrow(ArgumentError);
    await expect(convert(path.join(dir, "missing.onnx"), "x.json")).rejects.toThrow(/existing file/);
  });
});
