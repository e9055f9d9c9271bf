// The page: the setup form, the lesson card, the speed control, the worker that trains, and
// the views it draws from snapshots.
import {
  ACTIVATION_CHOICES,
  BIAS_CHOICES,
  CONSTANT_KERNEL,
  KERNEL_STD,
  NEGATIVE_BIAS,
  DATASETS,
  DATASET_LABELS,
  DEFAULT_SETUP,
  DEFAULT_SPEED,
  KERNEL_CHOICES,
  OPTIMIZERS,
  SPEEDS,
  fromHash,
  sanitize,
  toHash,
  type Setup,
} from "./config.js";
import { drawNetwork, unitAt } from "./network.js";
import { PRESETS, presetOf, type Preset } from "./presets.js";
import type { FromWorker, LayerView, LessonReply, Ready, Snapshot, ToWorker } from "./protocol.js";
import { drawBoundary, drawHistogram, drawLoss, drawSparkline, type LossPoint } from "./views.js";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
const send = (m: ToWorker): void => worker.postMessage(m);

let setup: Setup = location.hash ? fromHash(location.hash) : structuredClone(DEFAULT_SETUP);
let run = 0; // numbers the setups sent to the worker; snapshots of an older one are dropped
let points: Ready["points"] | null = null;
let running = false;
let untilEpoch: number | null = null;
let last: Snapshot | null = null;
/** The fix last applied from a lesson card, while the setup is still that fix. */
let fixed: { preset: Preset; setup: Setup } | null = null;
const lossHistory: LossPoint[] = [];
/** Per hidden layer, each panel metric's values over the snapshots of this run. */
let layerHistory: Record<string, number[]>[] = [];

function fill(select: HTMLSelectElement, options: readonly string[], labels?: Record<string, string>): void {
  select.replaceChildren(...options.map((o) => new Option(labels?.[o] ?? o, o)));
}
fill($("dataset"), DATASETS, DATASET_LABELS);
fill($("optimizer"), OPTIMIZERS, { momentum: "sgd + momentum" });
fill(
  $("preset"),
  ["", ...PRESETS.map((p) => p.id)],
  Object.fromEntries([["", "custom setup"], ...PRESETS.map((p) => [p.id, p.label])]),
);
fill(
  $("speed"),
  SPEEDS.map(String),
  Object.fromEntries(
    SPEEDS.map((s) => [String(s), Number.isFinite(s) ? `${s} epoch${s === 1 ? "" : "s"}/s` : "full speed"]),
  ),
);
($("speed") as HTMLSelectElement).value = String(DEFAULT_SPEED);

const KERNEL_LABELS: Record<string, string> = {
  normalLarge: `normal(std ${KERNEL_STD.normalLarge})`,
  normalSmall: `normal(std ${KERNEL_STD.normalSmall})`,
  constant: `constant ${CONSTANT_KERNEL}`,
};
const BIAS_LABELS: Record<string, string> = { smallPositive: "0.01", negative: String(NEGATIVE_BIAS) };
const ACTIVATION_LABELS: Record<string, string> = {
  sigmoid: "logistic (sigmoid)",
  leakyRelu: "leaky ReLU",
  relu: "ReLU",
  identity: "none (identity)",
};

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
  $("layers").replaceChildren(
    ...setup.layers.map((l, i) => {
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
      heading.textContent = `Layer ${i + 1}`;
      box.append(heading);
      const units = Object.assign(document.createElement("input"), {
        type: "number",
        min: "1",
        max: "64",
        value: String(l.units),
      });
      const activation = document.createElement("select");
      fill(activation, ACTIVATION_CHOICES, ACTIVATION_LABELS);
      activation.value = l.activation;
      const alpha = Object.assign(document.createElement("input"), {
        type: "number",
        min: "0",
        max: "1",
        step: "0.01",
        value: String(l.alpha),
      });
      const kernel = document.createElement("select");
      fill(kernel, KERNEL_CHOICES, KERNEL_LABELS);
      kernel.value = l.kernel;
      const bias = document.createElement("select");
      fill(bias, BIAS_CHOICES, BIAS_LABELS);
      bias.value = l.bias;
      field("units", units);
      field("activation", activation);
      field("leaky slope", alpha);
      field("kernel init", kernel);
      field("bias init", bias);
      alpha.disabled = l.activation !== "leakyRelu";
      return box;
    }),
  );
  const preset = presetOf(setup);
  ($("preset") as HTMLSelectElement).value = preset?.id ?? "";
  showLesson(preset);
}

/** Reads the form back into a (sanitized) setup. */
function readSetup(): Setup {
  const v = (id: string): string => ($(id) as HTMLInputElement).value;
  return sanitize({
    dataset: v("dataset"),
    noise: Number(v("noise")),
    testFraction: Number(v("testFraction")),
    inputScale: Number(v("inputScale")),
    normalize: ($("normalize") as HTMLInputElement).checked,
    optimizer: v("optimizer"),
    learningRate: Number(v("learningRate")),
    batchSize: Number(v("batchSize")),
    seed: Number(v("seed")),
    samples: setup.samples,
    layers: setup.layers.map((_, i) => ({
      units: Number(v(`layer${i}-units`)),
      activation: v(`layer${i}-activation`),
      alpha: Number(v(`layer${i}-leaky slope`)),
      kernel: v(`layer${i}-kernel init`),
      bias: v(`layer${i}-bias init`),
    })),
  });
}

/** The lesson card: the claim, the moment to look at and what it shows, why, and the library's lesson. */
function showLesson(preset: Preset | undefined): void {
  const card = $("lesson-card");
  const fix = !preset && fixed && JSON.stringify(fixed.setup) === JSON.stringify(setup) ? fixed.preset : undefined;
  if (!fix) fixed = null;
  card.hidden = !preset && !fix;
  delete card.dataset.moments;
  if (card.hidden) {
    card.replaceChildren();
    return;
  }
  const el = (tag: string, text: string, className = ""): HTMLElement =>
    Object.assign(document.createElement(tag), { textContent: text, className });
  const button = (text: string, onClick: () => void, id: string): HTMLButtonElement => {
    const b = Object.assign(document.createElement("button"), { type: "button", textContent: text, id });
    b.addEventListener("click", onClick);
    return b;
  };
  const p = fix ?? preset!;
  const look = fix ? fix.fix!.look : p.look;
  card.dataset.moments = [p.at, ...(/epoch 0/.test(look) ? [0] : [])].join(" ");
  const actions = document.createElement("div");
  actions.className = "buttons";
  if (p.at > 0) actions.append(button(`Train to epoch ${p.at}`, () => trainUntil(p.at), "lesson-go"));
  if (fix) {
    card.replaceChildren(
      el("h2", `${fix.label}: the fix`),
      el("p", look, "look"),
      el("p", "Edited from the lesson, so the setup is now custom: compare the numbers with the lesson's.", "why"),
      actions,
    );
    return;
  }
  if (p.fix) {
    const f = p.fix;
    actions.append(
      button(
        `Try the fix: ${f.label}`,
        () => {
          const next = sanitize(f.apply(structuredClone(p.setup)));
          fixed = { preset: p, setup: next };
          apply(next);
        },
        "lesson-fix",
      ),
    );
  }
  if (p.lesson)
    actions.append(
      button(
        `Run the library's lesson “${p.lesson}”`,
        () => {
          $("lesson-result").textContent = "Running…";
          send({ type: "lesson", name: p.lesson! });
        },
        "lesson-run",
      ),
    );
  const lookFor = el("p", ` ${look}`, "look");
  lookFor.prepend(el("strong", "Look: "));
  card.replaceChildren(
    el("h2", p.label),
    el("p", p.claim, "claim"),
    lookFor,
    el("p", p.why, "why"),
    actions,
    Object.assign(el("p", "", "lesson-result"), { id: "lesson-result" }),
  );
}

function showLessonResult(r: LessonReply): void {
  const out = document.getElementById("lesson-result");
  if (out)
    out.textContent = `${r.holds ? "✓ holds" : "✗ does not hold"} — ${r.title}: ${r.verdict} (npx simdnet lessons ${r.name}; source src/lessons/${r.name}.ts)`;
}

/** A new setup: into the URL, the form, and the worker (which builds a fresh model). */
function apply(next: Setup, keepRunning = false): void {
  setup = next;
  history.replaceState(null, "", toHash(setup));
  showSetup();
  lossHistory.length = 0;
  layerHistory = [];
  last = null;
  pending = null;
  $("epoch").textContent = "0";
  $("status").textContent = "Building the model…";
  delete $("status").dataset.epoch;
  running = keepRunning && running;
  untilEpoch = null;
  updateRun();
  send({ type: "setup", setup, run: ++run });
  if (running) send({ type: "run" });
}

/** Trains to an epoch and pauses there; brings the output into view (on a phone it may be off screen). */
function trainUntil(epoch: number): void {
  if (last && last.epoch > epoch) apply(setup); // past the moment: start again from epoch 0
  const box = $("boundary").getBoundingClientRect();
  if (box.top < 0 || box.bottom > innerHeight) $("boundary").scrollIntoView({ block: "center" });
  untilEpoch = epoch;
  running = true;
  updateRun();
  send({ type: "run", until: epoch });
}

function updateRun(): void {
  $("run").textContent = running ? "Pause" : "Train";
  $("run").setAttribute("aria-pressed", String(running));
}

document.querySelector(".controls")!.addEventListener("change", () => apply(readSetup(), true));
$("preset").addEventListener("change", () => {
  const preset = PRESETS.find((p) => p.id === ($("preset") as HTMLSelectElement).value);
  if (preset) apply(structuredClone(preset.setup));
});
$("speed").addEventListener("change", () =>
  send({ type: "speed", epochsPerSecond: Number(($("speed") as HTMLSelectElement).value) }),
);
$("run").addEventListener("click", () => {
  running = !running;
  untilEpoch = null;
  updateRun();
  send(running ? { type: "run" } : { type: "pause" });
});
$("step").addEventListener("click", () => {
  running = false;
  untilEpoch = null;
  updateRun();
  send({ type: "pause" });
  send({ type: "step" });
});
$("reset").addEventListener("click", () => apply(setup));
$("reseed").addEventListener("click", () => apply({ ...setup, seed: (setup.seed + 1) >>> 0 }));
$("add-layer").addEventListener("click", () => {
  if (setup.layers.length < 10)
    apply(
      {
        ...setup,
        layers: [...setup.layers, { ...(setup.layers[setup.layers.length - 1] ?? DEFAULT_SETUP.layers[0]!) }],
      },
      true,
    );
});
$("remove-layer").addEventListener("click", () => {
  if (setup.layers.length > 1) apply({ ...setup, layers: setup.layers.slice(0, -1) }, true);
});
$("network").addEventListener("mousemove", (e) => {
  $("network").title = unitAt(e.offsetX, e.offsetY);
});
window.addEventListener("hashchange", () => {
  if (location.hash !== toHash(setup)) apply(fromHash(location.hash));
});

const fmt = (v: number | undefined, digits = 3): string =>
  v === undefined || !Number.isFinite(v)
    ? "–"
    : v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)
      ? v.toExponential(1)
      : v.toFixed(digits);
const pct = (v: number | undefined): string => (v === undefined ? "–" : `${(v * 100).toFixed(0)}%`);

/** The metrics of a layer's panel: label, class, the value shown, the number its sparkline follows. */
function panelRows(l: LayerView): [string, string, string, number][] {
  const rows: [string, string, string, number][] = [
    ["mean", "mean", fmt(l.mean, 2), l.mean],
    ["std", "std", fmt(l.std, 2), l.std],
  ];
  if (l.dead !== undefined) rows.push(["dead units", "dead", pct(l.dead), l.dead]);
  if (l.saturated !== undefined) rows.push(["saturated", "saturated", pct(l.saturated), l.saturated]);
  rows.push(["gradient norm", "gradient", fmt(l.gradientNorm), l.gradientNorm ?? NaN]);
  rows.push(["identical units", "identical", `${l.identical} of ${l.units}`, l.identical]);
  return rows;
}

/** Keeps a long run's series under `max` points: past it, every other point of the older half goes. */
function thin<T>(series: T[], max: number): T[] {
  if (series.length > max) {
    const half = Math.floor(series.length / 2);
    series.splice(0, half, ...series.slice(0, half).filter((_, i) => i % 2 === 0));
  }
  return series;
}

function showPanels(s: Snapshot): void {
  const hidden = s.layers.slice(0, -1);
  const panels = $("panels");
  if (panels.children.length !== hidden.length) {
    panels.replaceChildren(
      ...hidden.map((l) => {
        const panel = document.createElement("article");
        panel.className = "panel";
        panel.dataset.layer = String(l.layer);
        const title = document.createElement("h3");
        const canvas = document.createElement("canvas");
        canvas.className = "histogram";
        canvas.setAttribute("role", "img");
        canvas.setAttribute("aria-label", `Histogram of layer ${l.layer}'s outputs on the training points`);
        const list = document.createElement("dl");
        panel.append(title, canvas, list);
        return panel;
      }),
    );
  }
  hidden.forEach((l, i) => {
    const panel = panels.children[i] as HTMLElement;
    panel.querySelector("h3")!.textContent =
      `Layer ${l.layer}: ${l.units} ${ACTIVATION_LABELS[l.activation] ?? l.activation}`;
    drawHistogram(panel.querySelector("canvas.histogram")!, Math.max(200, panel.clientWidth - 20), 70, l.histogram);
    const series = (layerHistory[i] ??= {});
    const rows = panelRows(l);
    const list = panel.querySelector("dl")!;
    const labels = rows.map(([label]) => label).join("|");
    if (list.dataset.rows !== labels) {
      // a new layer kind (ReLU's dead units, tanh's saturation...): new rows
      list.dataset.rows = labels;
      list.replaceChildren(
        ...rows.flatMap(([label, cls]) => [
          Object.assign(document.createElement("dt"), { textContent: label }),
          Object.assign(document.createElement("dd"), { className: cls }),
          Object.assign(document.createElement("canvas"), { className: `spark ${cls}-spark` }),
        ]),
      );
    }
    rows.forEach(([, cls, text, value], k) => {
      const cell = list.children[3 * k + 1] as HTMLElement;
      if (cell.textContent !== text) cell.textContent = text;
      thin((series[cls] ??= []), 500).push(value);
      drawSparkline(list.children[3 * k + 2] as HTMLCanvasElement, 64, 16, series[cls]!);
    });
  });
}

function boundarySize(): number {
  return Math.max(200, Math.min(360, ($("boundary").parentElement!.clientWidth || 360) - 2));
}

function drawCharts(s: Snapshot): void {
  const size = boundarySize();
  drawBoundary($("boundary"), size, s, points);
  drawLoss($("loss"), size, 190, lossHistory, s.regression ? "squared error" : "cross-entropy");
  Object.assign($("loss").dataset, {
    points: String(lossHistory.length),
    firstEpoch: String(lossHistory[0]?.epoch ?? ""),
    lastEpoch: String(lossHistory.at(-1)?.epoch ?? ""),
    ordered: String(lossHistory.every((p, i) => i === 0 || p.epoch > lossHistory[i - 1]!.epoch)),
  });
}
const drawNetworkView = (s: Snapshot): void =>
  drawNetwork($("network"), Math.max(260, $("network").parentElement!.clientWidth - 2), s);

/** The numbers: panels, warnings, then the status line and the epoch counter (last, so a
 *  reader of the status sees a page that is drawn for that epoch). */
function showNumbers(s: Snapshot): void {
  const warnings = $("warnings");
  if (warnings.dataset.text !== s.warnings.join("\n")) {
    // unchanged warnings are left alone: no relayout
    warnings.dataset.text = s.warnings.join("\n");
    warnings.replaceChildren(...s.warnings.map((w) => Object.assign(document.createElement("p"), { textContent: w })));
  }
  showPanels(s);
  if (!s.running && running && untilEpoch !== null && s.epoch >= untilEpoch) {
    running = false;
    untilEpoch = null;
    updateRun();
  }
  $("epoch").textContent = s.epoch.toLocaleString("en-US");
  // What the lesson says to look for is highlighted while the page shows an epoch it names.
  const card = $("lesson-card");
  card.classList.toggle("at-moment", (card.dataset.moments ?? "").split(" ").includes(String(s.epoch)));
  const status = $("status");
  status.textContent =
    `Train loss ${fmt(s.trainLoss)}, test loss ${fmt(s.testLoss)}` +
    (s.testAccuracy === undefined ? "" : `, test accuracy ${pct(s.testAccuracy)}`) +
    (running ? "" : " (paused)");
  Object.assign(status.dataset, {
    epoch: String(s.epoch),
    trainLoss: String(s.trainLoss),
    testLoss: String(s.testLoss),
    testAccuracy: String(s.testAccuracy ?? ""),
    forwardError: String(s.forwardError),
  });
}

/** The latest snapshot is drawn in three short tasks (charts in an animation frame, then the
 *  network, then the numbers), so input is handled between them even on a slow machine; the
 *  worker waits for "drawn" before it sends the next one. Every snapshot's losses are kept. */
let pending: Snapshot | null = null;
function receive(s: Snapshot): void {
  for (const point of s.losses) if (point.epoch > (lossHistory.at(-1)?.epoch ?? -1)) lossHistory.push(point);
  thin(lossHistory, 4000);
  if (!pending) {
    requestAnimationFrame(() => {
      const p = pending;
      pending = null;
      const stages = [drawCharts, drawNetworkView, showNumbers];
      const next = (): void => {
        const stage = stages.shift();
        if (!stage || p?.run !== run) {
          send({ type: "drawn" });
          return;
        }
        stage(p);
        setTimeout(next, 0);
      };
      last = p;
      next();
    });
  }
  pending = s;
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  if (m.type === "ready") {
    if (m.run !== run) return;
    points = m.points;
    document.body.dataset.core = m.core;
    document.body.dataset.threads = String(m.threads);
    const threads = $("threads");
    threads.textContent = m.threads === 1 ? ", on one thread" : `, on ${m.threads} threads`;
    threads.title = m.threadsReason ?? "";
    $("boundary-caption").innerHTML = m.regression
      ? 'Output: the predicted value over the plane (<span class="train">blue</span> −1, white 0, <span class="test">orange</span> +1); training points filled, test points ringed.'
      : 'Output: probability of <span class="test">orange</span> over the plane; training points filled, test points ringed.';
  } else if (m.type === "snapshot") {
    if (m.run === run) receive(m);
    else send({ type: "drawn" });
  } else if (m.type === "lesson") {
    showLessonResult(m);
  } else {
    running = false;
    updateRun();
    $("warnings").dataset.text = m.message;
    $("warnings").replaceChildren(
      Object.assign(document.createElement("p"), { textContent: `Training stopped: ${m.message}` }),
    );
  }
};

addEventListener("resize", () => {
  if (last) {
    drawCharts(last);
    drawNetworkView(last);
  }
});
send({ type: "speed", epochsPerSecond: DEFAULT_SPEED });
showSetup();
apply(setup);
