#!/usr/bin/env node
// The simdnet command line. `simdnet demo`: load the core and show how activation variance
// behaves through depth for each activation/initializer pairing. `simdnet train`: train a
// small net on a toy dataset and report its progress, test accuracy and speed.
import { DEMO_PAIRINGS, depthProfile } from "./demo.js";
import { adam, createBackend, createModel, datasets } from "./index.js";

const USAGE = `usage: simdnet demo  [--backend wasm|js]
       simdnet train [--dataset moons|circles|xor] [--epochs N] [--backend wasm|js]

  demo   forward a batch through 10 dense layers of 256 units for several
         activation/initializer pairings and print the activation std per layer
  train  train a 2-16-16-1 net (relu, tanh, sigmoid) on a toy dataset and print
         its loss, its test accuracy and its training speed`;

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
  if (command === "demo") return demo(args);
  if (command === "train") return train(args);
  console.log(USAGE);
  if (command !== undefined && command !== "help" && command !== "--help") process.exitCode = 2;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
