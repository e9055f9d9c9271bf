#!/usr/bin/env node
// The simdnet command line, one row per command in COMMANDS. `simdnet demo`: load the core and show how activation
// variance
// behaves through depth for each activation/initializer pairing. `simdnet train`: train a
// small net on a toy dataset and report its progress, test accuracy and speed.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { renderDepthLesson } from "./demo.js";
import { adam, createBackend, createModel, datasets } from "./index.js";
import { LESSONS, lessonNamed, type LessonResult } from "./lessons/index.js";

async function train(values: Values): Promise<void> {
  const kind = backendOf(values);
  const name = choice(values, "dataset", ["moons", "circles", "xor"]);
  const epochs = integer(values, "epochs", 1, 1_000_000);
  const verbose = integer(values, "verbose", 0, 2) as 0 | 1 | 2;
  const data =
    name === "xor"
      ? datasets.xor()
      : name === "moons"
        ? datasets.twoMoons({ samples: 1000, seed: 1 })
        : datasets.circles({ samples: 1000, seed: 1 });
  const { train: part, test } = name === "xor" ? { train: data, test: data } : datasets.trainTestSplit(data, 0.2, 1);
  const model = await createModel({
    inputs: 2,
    seed: 1,
    backend: kind,
    loss: "binaryCrossEntropy",
    optimizer: adam({ learningRate: 0.01 }),
    layers: [
      { units: 16, activation: "relu" },
      { units: 16, activation: "tanh" },
      { units: 1, activation: "sigmoid" },
    ],
  });
  console.log(`${model.summary()}

training on ${name}: ${part.labels.length} samples, ${epochs} epochs, batch 32`);
  const t0 = performance.now();
  await model.fit(part.x, part.labels, { epochs, batchSize: 32, verbose });
  const seconds = (performance.now() - t0) / 1000;
  const { accuracy } = model.evaluate(test.x, test.labels);
  console.log(
    `
test accuracy ${(accuracy! * 100).toFixed(1)}% on ${test.labels.length} held-out samples; ` +
      `${Math.round((epochs * part.labels.length) / seconds).toLocaleString("en")} samples/s on the ${kind} backend`,
  );
  model.dispose();
}

/** A one-line progress bar on stderr while `label` runs (only on a terminal). */
function progressBar(label: string): { update(fraction: number): void; done(): void } {
  const tty = process.stderr.isTTY === true,
    t0 = performance.now();
  let last = -1;
  const draw = (fraction: number): void => {
    const filled = Math.round(fraction * 24);
    if (filled === last) return;
    last = filled;
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    process.stderr.write(`\r  ${label.padEnd(14)} [${"#".repeat(filled)}${".".repeat(24 - filled)}] ${seconds} s `);
  };
  return {
    update: (fraction) => {
      if (tty) draw(fraction);
    },
    done: () => {
      if (tty) process.stderr.write("\r\x1b[2K");
    },
  };
}

async function lessons(values: Values, names: string[]): Promise<void> {
  const kind = backendOf(values);
  const out = values.out as string | undefined;
  for (const n of names) {
    if (!LESSONS.some((l) => l.name === n))
      throw new UsageError(
        `unknown lesson ${JSON.stringify(n)}; the lessons are ${LESSONS.map((l) => l.name).join(", ")}`,
      );
  }
  const chosen = names.length ? names.map(lessonNamed) : LESSONS;
  console.log(`simdnet lessons: ${chosen.length} experiments on the ${kind} core, seeded\n`);
  const results: LessonResult[] = [];
  const t0 = performance.now();
  for (const [i, l] of chosen.entries()) {
    const bar = progressBar(l.name);
    const r = await l.run({ backend: kind, onProgress: bar.update });
    bar.done();
    results.push(r);
    console.log(
      `${r.holds ? "HOLDS" : "FAILS"}  ${String(LESSONS.indexOf(l) + 1).padStart(2)}. ${r.title}  (${l.name}, ${r.seconds.toFixed(2)} s)`,
    );
    console.log(`       ${r.verdict}`);
    const width = Math.max(...r.figures.map((f) => f.label.length));
    for (const f of r.figures) console.log(`         ${f.label.padEnd(width)}  ${f.value}`);
    if (out) {
      const { renderSvg } = await import("./charts.js");
      await mkdir(out, { recursive: true });
      for (const c of r.charts) await writeFile(path.join(out, `${r.name}-${c.name}.svg`), await renderSvg(c));
      await writeFile(path.join(out, `${r.name}.json`), `${JSON.stringify(r, null, 2)}\n`);
    }
    if (i < chosen.length - 1) console.log("");
  }
  const failed = results.filter((r) => !r.holds);
  console.log(
    `\n${results.length - failed.length} of ${results.length} claims hold (${((performance.now() - t0) / 1000).toFixed(1)} s)` +
      (out ? `; charts and results in ${out}` : ""),
  );
  if (failed.length) process.exitCode = 1;
}

async function demo(values: Values): Promise<void> {
  const kind = backendOf(values);
  const lesson = lessonNamed("depth");
  const t0 = performance.now();
  const result = await lesson.run({ backend: kind });
  console.log(`simdnet core: ${kind === "wasm" ? "WebAssembly SIMD" : "pure JS"}. ${lesson.title}: ${lesson.claim}\n`);
  console.log("Std of activations after each of 10 layers (256 units, 512 standardized samples):\n");
  console.log(renderDepthLesson(result));
  console.log(
    `\n${result.holds ? "The claim holds" : "The claim does NOT hold"} (${((performance.now() - t0) / 1000).toFixed(1)} s on the ${kind} backend)`,
  );
  if (!result.holds) process.exitCode = 1;
}

const fmt = (v: number): string => (v !== 0 && (v < 1e-3 || v >= 1e4) ? v.toExponential(1) : v.toFixed(3));

// ---- argument parsing: node:util parseArgs, strict -----------------------------------------

type Values = Record<string, string | boolean | undefined>;

/** A command line that cannot be run as typed: reported with the command's usage, exit code 2. */
class UsageError extends Error {}

interface Command {
  /** The synopsis after `simdnet`. */
  usage: string;
  about: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Takes positional arguments (lesson names, files). */
  positionals: boolean;
  run(values: Values, positionals: string[]): Promise<void>;
}

const BACKEND = { backend: { type: "string", default: "wasm" } } as const;

const COMMANDS: Record<string, Command> = {
  lessons: {
    usage: "lessons [<name> ...] [--out <dir>] [--backend wasm|js]",
    about:
      'run the claims of "Activation Functions and Initialization Methods" as experiments and print each\n' +
      "verdict with its figures; --out writes each lesson's charts (SVG) and results (JSON).\n" +
      `Lessons: ${LESSONS.map((l) => l.name).join(", ")}`,
    options: { ...BACKEND, out: { type: "string" } },
    positionals: true,
    run: lessons,
  },
  demo: {
    usage: "demo [--backend wasm|js]",
    about:
      "forward a batch through 10 dense layers of 256 units for several activation/initializer\n" +
      "pairings and print the activation std per layer",
    options: BACKEND,
    positionals: false,
    run: demo,
  },
  train: {
    usage: "train [--dataset moons|circles|xor] [--epochs N] [--verbose 0|1|2] [--backend wasm|js]",
    about:
      "train a 2-16-16-1 net (relu, tanh, sigmoid) on a toy dataset and print its loss, its test\n" +
      "accuracy and its training speed; --verbose: 1 a progress bar per epoch (default), 2 a line\n" +
      "per epoch, 0 neither",
    options: {
      ...BACKEND,
      dataset: { type: "string", default: "moons" },
      epochs: { type: "string", default: "100" },
      verbose: { type: "string", default: "1" },
    },
    positionals: false,
    run: train,
  },
  convert: {
    usage: "convert <in> <out>",
    about:
      "convert a model between .onnx, simdnet .json and a TF.js model folder (format from the\n" +
      "extension; any other output path is a TF.js folder) and print the architecture it read",
    options: {},
    positionals: true,
    run: async (_, paths) => {
      if (paths.length !== 2) throw new UsageError(`expected two paths, <in> <out>, got ${paths.length}`);
      await (await import("./convert.js")).convert(paths[0], paths[1]);
    },
  },
};

const indent = (text: string, by: string): string =>
  text
    .split("\n")
    .map((l) => by + l)
    .join("\n");
const usageOf = (name: string): string =>
  `usage: simdnet ${COMMANDS[name]!.usage}\n\n${indent(COMMANDS[name]!.about, "  ")}\n` + "\n  -h, --help  this text";
const USAGE = `usage: simdnet <command> [options]    (simdnet <command> --help for its options)
       simdnet --version

${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.about.split("\n").join(`\n  ${" ".repeat(8)} `)}`)
  .join("\n")}`;

/** `--name`'s value, one of `allowed` (its default comes from the command's options). */
function choice(values: Values, name: string, allowed: readonly string[]): string {
  const v = values[name] as string;
  if (!allowed.includes(v))
    throw new UsageError(
      `--${name}: expected ${allowed.map((a) => JSON.stringify(a)).join(" or ")}, got ${JSON.stringify(v)}`,
    );
  return v;
}

/** `--name`'s value as an integer in [min, max], echoed as typed when it is not one. */
function integer(values: Values, name: string, min: number, max: number): number {
  const raw = values[name] as string;
  const v = /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(Number.isInteger(v) && v >= min && v <= max))
    throw new UsageError(`--${name}: expected an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  return v;
}

const backendOf = (values: Values): "wasm" | "js" => choice(values, "backend", ["wasm", "js"]) as "wasm" | "js";

async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--version" || first === "-v") {
    console.log(await version());
    return 0;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    console.log(USAGE);
    return 0;
  }
  if (first === undefined || !Object.hasOwn(COMMANDS, first)) {
    console.error(
      `${first === undefined ? "simdnet: a command is needed" : `simdnet: unknown command ${JSON.stringify(first)}`}\n\n${USAGE}`,
    );
    return 2;
  }
  const command = COMMANDS[first]!;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: command.positionals,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
    });
    if (values.help) {
      console.log(usageOf(first));
      return 0;
    }
    await command.run(values, positionals);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (error instanceof UsageError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))) {
      console.error(`simdnet ${first}: ${(error as Error).message}\n\n${usageOf(first)}`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
