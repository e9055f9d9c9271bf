// `simdnet convert <in> <out>`: a model between ONNX (.onnx), simdnet's JSON document (.json)
// and a TF.js layers-model folder (model.json and its weight files), the format read from the
// extension (a .json by its content), printing the architecture it read.
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ArgumentError } from "./errors.js";
import type { Model } from "./model.js";
import { exportOnnx, importOnnx } from "./onnx/index.js";
import { loadModel, saveModel } from "./serialize.js";
import { fromTfjs, toTfjs, type TfjsArtifacts } from "./tfjs/index.js";

type Format = "onnx" | "simdnet" | "tfjs";

/** The file TF.js' model.json names for the weights toTfjs writes. */
const WEIGHTS_FILE = "group1-shard1of1.bin";

/** Converts the model at `input` to `output`; `log` receives the architecture and what was written. */
export async function convert(
  input: string | undefined,
  output: string | undefined,
  log: (line: string) => void = console.log,
): Promise<Model> {
  if (typeof input !== "string" || input === "")
    throw new ArgumentError("input", "a path to a .onnx, .json or TF.js model folder", input);
  if (typeof output !== "string" || output === "")
    throw new ArgumentError("output", "a path ending in .onnx or .json, or a folder for TF.js", output);
  const { model, from } = await read(input);
  log(`read ${input} (${from}):`);
  for (const line of model.summary().split("\n")) log(line);
  if (model.normalizer) log(`normalizer ${model.normalizer.kind} on ${model.inputs} inputs`);
  const to: Format = output.endsWith(".onnx") ? "onnx" : output.endsWith(".json") ? "simdnet" : "tfjs";
  if (to !== "tfjs") await mkdir(path.dirname(output), { recursive: true }); // as writeTfjs makes its folder
  if (to === "onnx") await writeFile(output, exportOnnx(model));
  else if (to === "simdnet") await writeFile(output, `${JSON.stringify(saveModel(model))}\n`);
  else await writeTfjs(output, toTfjs(model));
  log(`wrote ${to === "tfjs" ? path.join(output, "model.json") : output} (${to})`);
  return model;
}

async function read(input: string): Promise<{ model: Model; from: Format }> {
  if (!existsSync(input)) throw new ArgumentError("input", "an existing file or folder", input);
  if (statSync(input).isDirectory())
    return { model: await fromTfjs(await readTfjs(path.join(input, "model.json"))), from: "tfjs" };
  if (input.endsWith(".onnx")) {
    const dir = path.dirname(input);
    const externalData = (location: string): Uint8Array =>
      readFileSync(beside(dir, location, "external_data location"));
    return { model: await importOnnx(await readFile(input), { externalData }), from: "onnx" };
  }
  if (!input.endsWith(".json"))
    throw new ArgumentError("input", "a .onnx or .json file, or a TF.js model folder", input);
  const text = await readFile(input, "utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ArgumentError("input", "JSON text", `${input}: ${(e as Error).message}`);
  }
  if (json != null && typeof json === "object" && "modelTopology" in json)
    return { model: await fromTfjs(await readTfjs(input, json)), from: "tfjs" };
  return { model: await loadModel(text), from: "simdnet" };
}

/** A path inside `dir` for a name a file gave: no absolute paths, no way out of the folder. */
function beside(dir: string, name: string, what: string): string {
  const resolved = path.resolve(dir, name);
  if (path.isAbsolute(name) || !resolved.startsWith(path.resolve(dir) + path.sep))
    throw new ArgumentError(what, "a file name inside the model's folder", name);
  return resolved;
}

/** A TF.js model.json and its weight files as artifacts. */
async function readTfjs(file: string, parsed?: unknown): Promise<TfjsArtifacts> {
  const json = (parsed ?? JSON.parse(await readFile(file, "utf8"))) as {
    modelTopology?: object;
    weightsManifest?: { paths: string[]; weights: TfjsArtifacts["weightSpecs"] }[];
  };
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest))
    throw new ArgumentError(`${file} weightsManifest`, "an array of { paths, weights }", manifest);
  const dir = path.dirname(file);
  const weightSpecs: TfjsArtifacts["weightSpecs"] = [],
    weightData: ArrayBuffer[] = [];
  for (const group of manifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights))
      throw new ArgumentError(`${file} weightsManifest`, "groups of { paths, weights }", group);
    weightSpecs.push(...group.weights);
    for (const p of group.paths) {
      const bytes = await readFile(beside(dir, String(p), `${file} weightsManifest path`));
      weightData.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
  }
  return { modelTopology: json.modelTopology as object, weightSpecs, weightData };
}

async function writeTfjs(dir: string, artifacts: TfjsArtifacts): Promise<void> {
  await mkdir(dir, { recursive: true });
  const { weightSpecs, weightData, ...rest } = artifacts;
  await writeFile(path.join(dir, WEIGHTS_FILE), new Uint8Array(weightData as ArrayBuffer));
  await writeFile(
    path.join(dir, "model.json"),
    `${JSON.stringify({ ...rest, weightsManifest: [{ paths: [WEIGHTS_FILE], weights: weightSpecs }] })}\n`,
  );
}
