// The training worker: builds the dataset and the model for a setup, trains on the wasm
// core, and posts snapshots (losses, the decision boundary, per-layer diagnostics) about
// twenty times a second, so the page only ever draws.
import { adam, createModel, datasets, initializers, rmsprop, sgd, type Initializer, type Model } from "../../src/index.js";
import type { Dataset } from "../../src/datasets.js";
import { edgeFoldedCounts } from "../../src/diagnostics.js";
import type { LayerSetup, Setup } from "./config.js";
import type { FromWorker, LayerView, Snapshot, ToWorker } from "./protocol.js";

const GRID = 48;
const SNAPSHOT_MS = 50;

let setup: Setup | null = null;
let model: Model | null = null;
let train: Dataset, test: Dataset;
let extent = { x0: -1, x1: 1, y0: -1, y1: 1 };
let gridInput = new Float32Array(0);
let epoch = 0;
let running = false;
let generation = 0; // a new setup makes any loop of the old one stop

const post = (message: FromWorker, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(message, transfer);

function makeData(s: Setup): Dataset {
  const o = { samples: s.samples, noise: s.noise, seed: s.seed };
  const d = s.dataset === "circles" ? datasets.circles(o) : s.dataset === "moons" ? datasets.twoMoons(o) : s.dataset === "spiral" ? datasets.spiral(o)
    : s.dataset === "blobs" ? datasets.blobs({ ...o, noise: 0.2 + s.noise }) : xorCloud(s);
  if (s.inputScale !== 1) d.x.data.forEach((v, i) => { d.x.data[i] = v * s.inputScale; });
  return d;
}

/** XOR as a cloud: four quadrants of points, class 1 where the signs differ. */
function xorCloud(s: Setup): Dataset {
  const d = datasets.blobs({ samples: s.samples, noise: 0.15 + s.noise, classes: 4, seed: s.seed });
  const corners = [[1, 1], [-1, 1], [-1, -1], [1, -1]];
  const data = new Float32Array(d.x.data.length), labels = new Int32Array(d.labels.length);
  d.labels.forEach((c, i) => {
    const [cx, cy] = corners[c]!, a = (2 * Math.PI * c) / 4;
    data[2 * i] = (d.x.data[2 * i]! - Math.cos(a)) + cx! * 0.8;
    data[2 * i + 1] = (d.x.data[2 * i + 1]! - Math.sin(a)) + cy! * 0.8;
    labels[i] = c % 2;
  });
  return { x: { data, shape: d.x.shape }, labels, classes: 2 };
}

function kernelInit(l: LayerSetup): Initializer {
  switch (l.kernel) {
    case "heNormal": return initializers.heNormal({ slope: l.activation === "leakyRelu" ? l.alpha : 0 });
    case "heUniform": return initializers.heUniform({ slope: l.activation === "leakyRelu" ? l.alpha : 0 });
    case "glorotUniform": return initializers.glorotUniform();
    case "glorotNormal": return initializers.glorotNormal();
    case "lecunNormal": return initializers.lecunNormal();
    case "zeros": return initializers.zeros();
    case "constant": return initializers.constant(0.5);
    case "normalLarge": return initializers.normal({ std: 4 });
    case "normalSmall": return initializers.normal({ std: 0.01 });
  }
}

/** The output layer follows an equal initialization of the hidden layers (zeros, a constant),
 *  so "all weights equal" means all of them, as in the seed; otherwise Glorot. */
function outputInit(s: Setup): Initializer {
  const last = s.layers[s.layers.length - 1]!;
  return last.kernel === "zeros" || last.kernel === "constant" ? kernelInit(last) : initializers.glorotUniform();
}

const biasInit = (l: LayerSetup): Initializer =>
  l.bias === "smallPositive" ? initializers.smallPositive() : l.bias === "negative" ? initializers.constant(-3) : initializers.zeros();

async function configure(s: Setup): Promise<void> {
  generation++;
  running = false;
  model?.dispose();
  model = null;
  setup = s;
  ({ train, test } = datasets.trainTestSplit(makeData(s), s.testFraction, s.seed));
  const xs = [...train.x.data.filter((_, i) => i % 2 === 0), ...test.x.data.filter((_, i) => i % 2 === 0)];
  const ys = [...train.x.data.filter((_, i) => i % 2 === 1), ...test.x.data.filter((_, i) => i % 2 === 1)];
  const pad = (lo: number, hi: number): [number, number] => { const p = (hi - lo) * 0.1 || 1; return [lo - p, hi + p]; };
  const [x0, x1] = pad(Math.min(...xs), Math.max(...xs)), [y0, y1] = pad(Math.min(...ys), Math.max(...ys));
  extent = { x0, x1, y0, y1 };
  gridInput = new Float32Array(GRID * GRID * 2);
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      gridInput[2 * (r * GRID + c)] = x0 + ((c + 0.5) / GRID) * (x1 - x0);
      gridInput[2 * (r * GRID + c) + 1] = y1 - ((r + 0.5) / GRID) * (y1 - y0);
    }
  }
  const optimizer = s.optimizer === "adam" ? adam({ learningRate: s.learningRate }) : s.optimizer === "rmsprop" ? rmsprop({ learningRate: s.learningRate })
    : sgd({ learningRate: s.learningRate, momentum: s.optimizer === "momentum" ? 0.9 : 0 });
  model = await createModel({
    inputs: 2, seed: s.seed, loss: "binaryCrossEntropy", optimizer, normalize: s.normalize ? "standardize" : "none",
    layers: [...s.layers.map((l) => ({ units: l.units, activation: l.activation, alpha: l.activation === "leakyRelu" ? l.alpha : undefined,
      kernelInitializer: kernelInit(l), biasInitializer: biasInit(l) })), { units: 1, activation: "sigmoid" as const, kernelInitializer: outputInit(s) }],
  });
  if (s.normalize) await model.fit(train.x, train.labels, { epochs: 0 }); // fits the normalizer on the training points
  epoch = 0;
  const points = {
    x: Float32Array.from([...train.x.data, ...test.x.data]), labels: Int32Array.from([...train.labels, ...test.labels]), trainCount: train.labels.length,
  };
  post({ type: "ready", points, core: model.backend.name === "wasm" ? "WebAssembly SIMD" : "JavaScript", parameters: model.layers.reduce((n, l) => n + (l.inputs + 1) * l.units, 0) });
  postSnapshot();
}

function postSnapshot(): void {
  if (!model) return;
  const tr = model.evaluate(train.x, train.labels), te = model.evaluate(test.x, test.labels);
  const grid = model.predict({ data: gridInput, shape: [GRID * GRID, 2] }).data;
  const d = model.diagnose(train.x, train.labels, { console: false, bins: 16 });
  const layers: LayerView[] = d.layers.slice(0, -1).map((l) => {
    const h = l.activationStats.histogram;
    return {
      layer: l.layer, units: l.units, activation: l.activation, mean: l.activationStats.mean, std: l.activationStats.std,
      histogram: { lo: h.lo, hi: h.hi, counts: edgeFoldedCounts(h) }, dead: l.dead, saturated: l.saturated, gradientNorm: l.kernelGradientNorm,
      identical: l.identicalUnits.reduce((n, g) => n + g.length - 1, 0),
    };
  });
  const snapshot: Snapshot = {
    type: "snapshot", epoch, running, trainLoss: tr.loss, testLoss: te.loss, trainAccuracy: tr.accuracy!, testAccuracy: te.accuracy!,
    grid, gridSize: GRID, extent, layers, warnings: d.warnings.map((w) => w.message),
  };
  post(snapshot, [grid.buffer]);
}

/** Trains epoch after epoch while running, posting a snapshot every SNAPSHOT_MS. */
async function loop(): Promise<void> {
  const mine = generation;
  while (running && mine === generation && model && setup) {
    const t0 = performance.now();
    do {
      try {
        await model.fit(train.x, train.labels, { epochs: 1, batchSize: setup.batchSize, yieldEveryMs: 10 });
      } catch (e) {
        if (mine !== generation) return; // a new setup disposed this model mid-epoch: not an error
        throw e;
      }
      epoch++;
    } while (performance.now() - t0 < SNAPSHOT_MS && running && mine === generation);
    if (mine !== generation) return;
    postSnapshot();
    await new Promise((r) => setTimeout(r, 0)); // let pause and setup messages in
  }
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  try {
    const m = event.data;
    if (m.type === "setup") await configure(m.setup);
    else if (m.type === "run" && !running) { running = true; void loop().catch(fail); }
    else if (m.type === "pause") { running = false; postSnapshot(); }
    else if (m.type === "step" && model && setup && !running) {
      await model.fit(train.x, train.labels, { epochs: 1, batchSize: setup.batchSize });
      epoch++;
      postSnapshot();
    }
  } catch (e) {
    fail(e);
  }
};

function fail(e: unknown): void {
  running = false;
  post({ type: "error", message: e instanceof Error ? e.message : String(e) });
}
