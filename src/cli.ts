#!/usr/bin/env node
// The simdnet command line. `simdnet demo`: load the core and show how activation variance
// behaves through depth for each activation/initializer pairing. `simdnet train`: train a
// small net on a toy dataset and report its progress, test accuracy and speed.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { DEMO_PAIRINGS, depthProfile } from "./demo.js";
import { adam, createBackend, createModel, datasets } from "./index.js";
import { LESSONS, lessonNamed, type LessonResult } from "./lessons/index.js";

const USAGE = `usage: simdnet lessons [<name> ...] [--out <dir>] [--backend wasm|js]
       simdnet demo  [--backend wasm|js]
       simdnet train [--dataset moons|circles|xor] [--epochs N] [--backend wasm|js]
       simdnet convert <in> <out>

  lessons  run the seed's claims as experiments and print each verdict with its
           figures; --out writes each lesson's charts (SVG) and results (JSON).
           Lessons: ${LESSONS.map((l) => l.name).join(", ")}
  demo   forward a batch through 10 dense layers of 256 units for several
         activation/initializer pairings and print the activation std per layer
  train  train a 2-16-16-1 net (relu, tanh, sigmoid) on a toy dataset and print
         its loss, its test accuracy and its training speed
  convert  a model between .onnx, simdnet .json and a TF.js model folder (format from
           the extension; any other output path is a TF.js folder); prints what it read`;

/** The value after `--name`, or the default; refused when not one of `allowed`. */
function option(args: string[], name: string, fallback: string, allowed?: string[]): string {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? args[i + 1] : fallback;
  if (value === undefined || (allowed && !allowed.includes(value))) {
    throw new Error(`--${name}: expected ${allowed ? allowed.map((a) => JSON.stringify(a)).join(" or ") : "a value"}, got ${JSON.stringify(value)}`);
  }
  return value;
}

async function train(args: string[]): Promise<void> {
  const kind = option(args, "backend", "wasm", ["wasm", "js"]) as "wasm" | "js";
  const name = option(args, "dataset", "moons", ["moons", "circles", "xor"]);
  const epochs = Number(option(args, "epochs", "100"));
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs: expected a positive integer, got ${epochs}`);
  const data = name === "xor" ? datasets.xor() : name === "moons" ? datasets.twoMoons({ samples: 1000, seed: 1 }) : datasets.circles({ samples: 1000, seed: 1 });
  const { train: part, test } = name === "xor" ? { train: data, test: data } : datasets.trainTestSplit(data, 0.2, 1);
  const model = await createModel({
    inputs: 2, seed: 1, backend: kind, loss: "binaryCrossEntropy", optimizer: adam({ learningRate: 0.01 }),
    layers: [{ units: 16, activation: "relu" }, { units: 16, activation: "tanh" }, { units: 1, activation: "sigmoid" }],
  });
  console.log(`${model.summary()}

training on ${name}: ${part.labels.length} samples, ${epochs} epochs, batch 32`);
  const t0 = performance.now();
  const every = Math.max(1, Math.floor(epochs / 10));
  await model.fit(part.x, part.labels, {
    epochs, batchSize: 32,
    onEpochEnd: (l) => { if ((l.epoch + 1) % every === 0) console.log(`  epoch ${String(l.epoch + 1).padStart(4)}  loss ${l.loss.toFixed(4)}  accuracy ${(l.accuracy! * 100).toFixed(1)}%`); },
  });
  const seconds = (performance.now() - t0) / 1000;
  const { accuracy } = model.evaluate(test.x, test.labels);
  console.log(`
test accuracy ${(accuracy! * 100).toFixed(1)}% on ${test.labels.length} held-out samples; `
    + `${Math.round((epochs * part.labels.length) / seconds).toLocaleString("en")} samples/s on the ${kind} backend`);
  model.dispose();
}

/** A one-line progress bar on stderr while `label` runs (only on a terminal). */
function progressBar(label: string): { update(fraction: number): void; done(): void } {
  const tty = process.stderr.isTTY === true, t0 = performance.now();
  let last = -1;
  const draw = (fraction: number): void => {
    const filled = Math.round(fraction * 24);
    if (filled === last) return;
    last = filled;
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    process.stderr.write(`\r  ${label.padEnd(14)} [${"#".repeat(filled)}${".".repeat(24 - filled)}] ${seconds} s `);
  };
  return {
    update: (fraction) => { if (tty) draw(fraction); },
    done: () => { if (tty) process.stderr.write("\r\x1b[2K"); },
  };
}

async function lessons(args: string[]): Promise<void> {
  const kind = option(args, "backend", "wasm", ["wasm", "js"]) as "wasm" | "js";
  const outIndex = args.indexOf("--out");
  const out = outIndex >= 0 ? args[outIndex + 1] : undefined;
  if (outIndex >= 0 && (out === undefined || out.startsWith("--"))) throw new Error("--out: expected a directory");
  const names = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--out" && args[i - 1] !== "--backend");
  const chosen = names.length ? names.map(lessonNamed) : LESSONS;
  console.log(`simdnet lessons: ${chosen.length} experiments on the ${kind} core, seeded\n`);
  const results: LessonResult[] = [];
  const t0 = performance.now();
  for (const [i, l] of chosen.entries()) {
    const bar = progressBar(l.name);
    const r = await l.run({ backend: kind, onProgress: bar.update });
    bar.done();
    results.push(r);
    console.log(`${r.holds ? "HOLDS" : "FAILS"}  ${String(LESSONS.indexOf(l) + 1).padStart(2)}. ${r.title}  (${l.name}, ${r.seconds.toFixed(2)} s)`);
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
  console.log(`\n${results.length - failed.length} of ${results.length} claims hold (${((performance.now() - t0) / 1000).toFixed(1)} s)`
    + (out ? `; charts and results in ${out}` : ""));
  if (failed.length) process.exitCode = 1;
}

async function demo(args: string[]): Promise<void> {
  const kind = option(args, "backend", "wasm", ["wasm", "js"]) as "wasm" | "js";
  const t0 = performance.now();
  const backend = await createBackend({ backend: kind });
  console.log(`simdnet core: ${kind === "wasm" ? "WebAssembly SIMD" : "pure JS"} (ready in ${(performance.now() - t0).toFixed(1)} ms)\n`);
  console.log("Std of activations after each of 10 layers (256 units, 512 standardized samples):\n");
  const layers = [1, 2, 3, 5, 7, 10];
  console.log(`${"activation".padEnd(11)}${"initializer".padEnd(18)}${layers.map((l) => `L${l}`.padStart(10)).join("")}   verdict`);
  const t1 = performance.now();
  for (const [activation, label, make] of DEMO_PAIRINGS) {
    const p = depthProfile(backend, activation, make());
    const first = p.std[0]!, last = p.std[p.std.length - 1]!;
    const ratio = last / first;
    const saturating = activation === "tanh" || activation === "sigmoid";
    const verdict = last < 1e-3 ? "vanishes" : ratio > 10 ? "explodes" : ratio < 0.1 ? "shrinks" :
      saturating && last > 0.9 ? "saturates" : ratio < 0.5 ? "declines" : ratio > 2 ? "grows" : "steady";
    console.log(`${activation.padEnd(11)}${label.padEnd(18)}${layers.map((l) => fmt(p.std[l - 1]!).padStart(10)).join("")}   ${verdict}`);
  }
  console.log(`\n(${(performance.now() - t1).toFixed(0)} ms on the ${kind} backend)`);
}

const fmt = (v: number): string => (v !== 0 && (v < 1e-3 || v >= 1e4) ? v.toExponential(1) : v.toFixed(3));

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (command === "lessons") return lessons(args);
  if (command === "demo") return demo(args);
  if (command === "train") return train(args);
  if (command === "convert") return (await import("./convert.js")).convert(args[0], args[1]).then(() => undefined);
  console.log(USAGE);
  if (command !== undefined && command !== "help" && command !== "--help") process.exitCode = 2;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
