// The page: the setup form, the worker that trains, and the views it draws from snapshots.
import {
  ACTIVATION_CHOICES, BIAS_CHOICES, DATASETS, DEFAULT_SETUP, KERNEL_CHOICES, OPTIMIZERS, fromHash, sanitize, toHash, type Setup,
} from "./config.js";
import { PRESETS } from "./presets.js";
import type { FromWorker, Ready, Snapshot, ToWorker } from "./protocol.js";
import { drawBoundary, drawHistogram, drawLoss } from "./views.js";

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
const send = (m: ToWorker): void => worker.postMessage(m);

let setup: Setup = location.hash ? fromHash(location.hash) : structuredClone(DEFAULT_SETUP);
let points: Ready["points"] | null = null;
let running = false;
const lossHistory: { epoch: number; train: number; test: number }[] = [];

function fill(select: HTMLSelectElement, options: readonly string[], labels?: Record<string, string>): void {
  select.replaceChildren(...options.map((o) => new Option(labels?.[o] ?? o, o)));
}
fill($("dataset"), DATASETS);
fill($("optimizer"), OPTIMIZERS, { momentum: "sgd + momentum" });
fill($("preset"), ["", ...PRESETS.map((p) => p.id)], Object.fromEntries([["", "(choose a lesson)"], ...PRESETS.map((p) => [p.id, p.label])]));

const KERNEL_LABELS: Record<string, string> = { normalLarge: "normal(std 4)", normalSmall: "normal(std 0.01)", constant: "constant 0.5" };
const BIAS_LABELS: Record<string, string> = { smallPositive: "0.01", negative: "-3" };

/** Writes the setup into the form. */
function showSetup(): void {
  ($("dataset") as HTMLSelectElement).value = setup.dataset;
  ($("noise") as HTMLInputElement).value = String(setup.noise);
  ($("testFraction") as HTMLInputElement).value = String(setup.testFraction);
  ($("inputScale") as HTMLInputElement).value = String(setup.inputScale);
  ($("normalize") as HTMLInputElement).checked = setup.normalize;
  ($("optimizer") as HTMLSelectElement).value = setup.optimizer;
  ($("learningRate") as HTMLInputElement).value = String(setup.learningRate);
  ($("batchSize") as HTMLInputElement).value = String(setup.batchSize);
  ($("seed") as HTMLInputElement).value = String(setup.seed);
  $("layers").replaceChildren(...setup.layers.map((l, i) => {
    const box = document.createElement("div");
    box.className = "layer-setup";
    const field = (name: string, el: HTMLElement): void => {
      el.id = `layer${i}-${name}`;
      const label = document.createElement("label");
      label.htmlFor = el.id;
      label.textContent = name;
      box.append(label, el);
    };
    const heading = document.createElement("h3");
    heading.textContent = `Hidden layer ${i + 1}`;
    box.append(heading);
    const units = Object.assign(document.createElement("input"), { type: "number", min: "1", max: "64", value: String(l.units) });
    const activation = document.createElement("select"); fill(activation, ACTIVATION_CHOICES); activation.value = l.activation;
    const alpha = Object.assign(document.createElement("input"), { type: "number", min: "0", max: "1", step: "0.01", value: String(l.alpha) });
    const kernel = document.createElement("select"); fill(kernel, KERNEL_CHOICES, KERNEL_LABELS); kernel.value = l.kernel;
    const bias = document.createElement("select"); fill(bias, BIAS_CHOICES, BIAS_LABELS); bias.value = l.bias;
    field("units", units); field("activation", activation); field("leaky slope", alpha); field("kernel init", kernel); field("bias init", bias);
    alpha.disabled = l.activation !== "leakyRelu";
    return box;
  }));
}

/** Reads the form back into a (sanitized) setup. */
function readSetup(): Setup {
  const v = (id: string): string => ($(id) as HTMLInputElement).value;
  return sanitize({
    dataset: v("dataset"), noise: Number(v("noise")), testFraction: Number(v("testFraction")), inputScale: Number(v("inputScale")),
    normalize: ($("normalize") as HTMLInputElement).checked, optimizer: v("optimizer"), learningRate: Number(v("learningRate")),
    batchSize: Number(v("batchSize")), seed: Number(v("seed")), samples: setup.samples,
    layers: setup.layers.map((_, i) => ({
      units: Number(v(`layer${i}-units`)), activation: v(`layer${i}-activation`), alpha: Number(v(`layer${i}-leaky slope`)),
      kernel: v(`layer${i}-kernel init`), bias: v(`layer${i}-bias init`),
    })),
  });
}

/** A new setup: into the URL, the form, and the worker (which builds a fresh model). */
function apply(next: Setup, keepRunning = false): void {
  setup = next;
  history.replaceState(null, "", toHash(setup));
  showSetup();
  lossHistory.length = 0;
  running = keepRunning && running;
  updateRun();
  send({ type: "setup", setup });
  if (running) send({ type: "run" });
}

function updateRun(): void {
  $("run").textContent = running ? "Pause" : "Train";
  $("run").setAttribute("aria-pressed", String(running));
}

document.querySelector(".controls")!.addEventListener("change", (event) => {
  const target = event.target as HTMLElement;
  if (target.id === "preset") {
    const preset = PRESETS.find((p) => p.id === ($("preset") as HTMLSelectElement).value);
    $("preset-look").textContent = preset?.look ?? "";
    if (preset) apply(structuredClone(preset.setup));
    return;
  }
  apply(readSetup(), true);
});
$("run").addEventListener("click", () => {
  running = !running;
  updateRun();
  send({ type: running ? "run" : "pause" });
});
$("step").addEventListener("click", () => { running = false; updateRun(); send({ type: "pause" }); send({ type: "step" }); });
$("reset").addEventListener("click", () => apply(setup));
$("reseed").addEventListener("click", () => apply({ ...setup, seed: (setup.seed + 1) >>> 0 }));
$("add-layer").addEventListener("click", () => {
  if (setup.layers.length < 10) apply({ ...setup, layers: [...setup.layers, { ...setup.layers[setup.layers.length - 1] ?? DEFAULT_SETUP.layers[0]! }] });
});
$("remove-layer").addEventListener("click", () => { if (setup.layers.length > 1) apply({ ...setup, layers: setup.layers.slice(0, -1) }); });
window.addEventListener("hashchange", () => apply(fromHash(location.hash)));

const fmt = (v: number | undefined, digits = 3): string => (v === undefined || !Number.isFinite(v) ? "–" : Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(1) : v.toFixed(digits));
const pct = (v: number | undefined): string => (v === undefined ? "–" : `${(v * 100).toFixed(0)}%`);

function showSnapshot(s: Snapshot): void {
  if (lossHistory.length === 0 || lossHistory[lossHistory.length - 1]!.epoch !== s.epoch) lossHistory.push({ epoch: s.epoch, train: s.trainLoss, test: s.testLoss });
  $("status").textContent = `Epoch ${s.epoch}: train loss ${fmt(s.trainLoss)}, test loss ${fmt(s.testLoss)}, `
    + `test accuracy ${pct(s.testAccuracy)}${s.running ? "" : " (paused)"}`;
  $("status").dataset.testLoss = String(s.testLoss);
  $("status").dataset.epoch = String(s.epoch);
  drawBoundary($("boundary") as HTMLCanvasElement, s, points);
  drawLoss($("loss") as HTMLCanvasElement, lossHistory);
  $("warnings").replaceChildren(...s.warnings.map((w) => Object.assign(document.createElement("p"), { textContent: w })));
  $("panels").replaceChildren(...s.layers.map((l) => {
    const panel = document.createElement("article");
    panel.className = "panel";
    panel.dataset.layer = String(l.layer);
    const title = document.createElement("h3");
    title.textContent = `Layer ${l.layer}: ${l.units} ${l.activation}`;
    const canvas = Object.assign(document.createElement("canvas"), { width: 160, height: 50 });
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `Histogram of layer ${l.layer}'s activations`);
    drawHistogram(canvas, l.histogram);
    const rows: [string, string][] = [["mean / std", `${fmt(l.mean, 2)} / ${fmt(l.std, 2)}`]];
    if (l.dead !== undefined) rows.push(["dead units", pct(l.dead)]);
    if (l.saturated !== undefined) rows.push(["saturated", pct(l.saturated)]);
    rows.push(["gradient norm", fmt(l.gradientNorm)], ["identical units", String(l.identical)]);
    const list = document.createElement("dl");
    for (const [k, v] of rows) list.append(Object.assign(document.createElement("dt"), { textContent: k }), Object.assign(document.createElement("dd"), { textContent: v, className: k.replace(/[^a-z]+/g, "-") }));
    panel.append(title, canvas, list);
    return panel;
  }));
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  if (m.type === "ready") {
    points = m.points;
    document.body.dataset.core = m.core;
  } else if (m.type === "snapshot") {
    showSnapshot(m);
  } else {
    running = false;
    updateRun();
    $("warnings").replaceChildren(Object.assign(document.createElement("p"), { textContent: `Training stopped: ${m.message}` }));
  }
};

showSetup();
apply(setup);
