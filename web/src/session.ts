// One training run of the playground: the data and the model for a setup, an epoch at a time,
// and the snapshot the page draws (losses, the output over the plane, every hidden unit's
// output, per-layer diagnostics and warnings). The worker drives it; it has no DOM.
import { adam, createModel, initializers, rmsprop, sgd, type Initializer, type Model } from "../../src/index.js";
import { CONSTANT_KERNEL, KERNEL_STD, NEGATIVE_BIAS, isRegression, type LayerSetup, type Setup } from "./config.js";
import { makeData, type PlayData } from "./data.js";
import { adaptiveHistogram, forwardAll, unitStates } from "./probe.js";
import type { LayerView, Ready, Snapshot } from "./protocol.js";

/** The output's grid (drawn smoothed) and each hidden unit's, per side. */
const GRID = 96,
  UNIT_GRID = 24;
const HISTOGRAM_BINS = 24;

function kernelInit(l: LayerSetup): Initializer {
  const slope = l.activation === "leakyRelu" ? l.alpha : 0;
  switch (l.kernel) {
    case "heNormal":
      return initializers.heNormal({ slope });
    case "heUniform":
      return initializers.heUniform({ slope });
    case "glorotUniform":
      return initializers.glorotUniform();
    case "glorotNormal":
      return initializers.glorotNormal();
    case "lecunNormal":
      return initializers.lecunNormal();
    case "zeros":
      return initializers.zeros();
    case "constant":
      return initializers.constant(CONSTANT_KERNEL);
    case "normalLarge":
      return initializers.normal({ std: KERNEL_STD.normalLarge });
    case "normalSmall":
      return initializers.normal({ std: KERNEL_STD.normalSmall });
  }
}

/** The output layer follows an equal initialization of the hidden layers (zeros, a constant),
 *  so "all weights equal" means all of them, as in the article; otherwise Glorot. */
function outputInit(s: Setup): Initializer {
  const last = s.layers[s.layers.length - 1]!;
  return last.kernel === "zeros" || last.kernel === "constant" ? kernelInit(last) : initializers.glorotUniform();
}

const biasInit = (l: LayerSetup): Initializer =>
  l.bias === "smallPositive"
    ? initializers.smallPositive()
    : l.bias === "negative"
      ? initializers.constant(NEGATIVE_BIAS)
      : initializers.zeros();

export class Session {
  epoch = 0;
  /** Losses after each epoch, kept until the next snapshot takes them. */
  private losses: Snapshot["losses"] = [];
  private constructor(
    readonly setup: Setup,
    readonly run: number,
    readonly model: Model,
    readonly train: PlayData,
    readonly test: PlayData,
    readonly extent: Snapshot["extent"],
    private readonly grid: Float32Array,
    private readonly unitGrid: Float32Array,
  ) {}

  static async create(s: Setup, run: number): Promise<Session> {
    const { train, test } = makeData(s);
    const all = [...train.x.data, ...test.x.data];
    const span = (offset: number): [number, number] => {
      let lo = Infinity,
        hi = -Infinity;
      for (let i = offset; i < all.length; i += 2) {
        lo = Math.min(lo, all[i]!);
        hi = Math.max(hi, all[i]!);
      }
      const pad = (hi - lo) * 0.1 || 1;
      return [lo - pad, hi + pad];
    };
    const [x0, x1] = span(0),
      [y0, y1] = span(1);
    const plane = (n: number): Float32Array => {
      const out = new Float32Array(n * n * 2);
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) {
          out[2 * (r * n + c)] = x0 + ((c + 0.5) / n) * (x1 - x0);
          out[2 * (r * n + c) + 1] = y1 - ((r + 0.5) / n) * (y1 - y0);
        }
      }
      return out;
    };
    const optimizer =
      s.optimizer === "adam"
        ? adam({ learningRate: s.learningRate })
        : s.optimizer === "rmsprop"
          ? rmsprop({ learningRate: s.learningRate })
          : sgd({ learningRate: s.learningRate, momentum: s.optimizer === "momentum" ? 0.9 : 0 });
    const regression = isRegression(s.dataset);
    const model = await createModel({
      inputs: 2,
      seed: s.seed,
      optimizer,
      normalize: s.normalize ? "standardize" : "none",
      loss: regression ? "meanSquaredError" : "binaryCrossEntropy",
      layers: [
        ...s.layers.map((l) => ({
          units: l.units,
          activation: l.activation,
          alpha: l.activation === "leakyRelu" ? l.alpha : undefined,
          kernelInitializer: kernelInit(l),
          biasInitializer: biasInit(l),
        })),
        {
          units: 1,
          activation: regression ? ("identity" as const) : ("sigmoid" as const),
          kernelInitializer: outputInit(s),
        },
      ],
    });
    // fits the normalizer on the training points, trains nothing
    if (s.normalize) await model.fit(train.x, train.y, { epochs: 0 });
    return new Session(s, run, model, train, test, { x0, x1, y0, y1 }, plane(GRID), plane(UNIT_GRID));
  }

  get regression(): boolean {
    return isRegression(this.setup.dataset);
  }

  async trainEpoch(): Promise<void> {
    await this.model.fit(this.train.x, this.train.y, { epochs: 1, batchSize: this.setup.batchSize, yieldEveryMs: 10 });
    this.epoch++;
    // Evaluated after the epoch (not fit's running mean over its batches), as the snapshot's figures are.
    const train = this.model.evaluate(this.train.x, this.train.y).loss,
      test = this.model.evaluate(this.test.x, this.test.y).loss;
    this.losses.push({ epoch: this.epoch, train, test });
  }

  ready(): Ready {
    const { train, test, model } = this;
    return {
      type: "ready",
      run: this.run,
      regression: this.regression,
      points: {
        x: Float32Array.from([...train.x.data, ...test.x.data]),
        y: Float32Array.from([...train.y, ...test.y]),
        trainCount: train.y.length,
      },
      core: model.backend.name === "wasm" ? "WebAssembly SIMD" : "JavaScript",
      threads: model.backend.threads,
      threadsReason: model.backend.threadsReason,
      parameters: model.layers.reduce((n, l) => n + (l.inputs + 1) * l.units, 0),
    };
  }

  snapshot(running: boolean): Snapshot {
    const { model, train, test } = this;
    const tr = model.evaluate(train.x, train.y),
      te = model.evaluate(test.x, test.y);
    const grid = model.predict({ data: this.grid, shape: [GRID * GRID, 2] }).data;
    const d = model.diagnose(train.x, train.y, { console: false });
    const weights = model.getWeights();
    const rows = train.y.length;
    const onRows = forwardAll(model, weights, train.x.data, rows);
    const onUnitGrid = forwardAll(model, weights, this.unitGrid, UNIT_GRID * UNIT_GRID);
    const layers: LayerView[] = d.layers.map((l, i) => ({
      layer: l.layer,
      units: l.units,
      activation: l.activation,
      mean: l.activationStats.mean,
      std: l.activationStats.std,
      histogram: adaptiveHistogram(onRows[i]!.a, HISTOGRAM_BINS),
      dead: l.dead,
      saturated: l.saturated,
      gradientNorm: l.kernelGradientNorm,
      identical: l.identicalUnits.reduce((n, g) => n + g.length, 0),
      unitStates: unitStates(l.activation, onRows[i]!, rows),
      kernel: weights[i]!.kernel,
    }));
    // Hidden units' maps, transposed from rows x units to unit after unit.
    const hidden = onUnitGrid.slice(0, -1),
      cells = UNIT_GRID * UNIT_GRID;
    const unitGrid = new Float32Array(hidden.reduce((n, v) => n + v.units, 0) * cells);
    let offset = 0;
    for (const v of hidden) {
      for (let u = 0; u < v.units; u++, offset += cells)
        for (let c = 0; c < cells; c++) unitGrid[offset + c] = v.a[c * v.units + u]!;
    }
    return {
      type: "snapshot",
      run: this.run,
      epoch: this.epoch,
      running,
      regression: this.regression,
      trainLoss: tr.loss,
      testLoss: te.loss,
      losses: this.losses.splice(0).concat(this.epoch === 0 ? [{ epoch: 0, train: tr.loss, test: te.loss }] : []),
      trainAccuracy: tr.accuracy,
      testAccuracy: te.accuracy,
      grid,
      gridSize: GRID,
      unitGrid,
      unitGridSize: UNIT_GRID,
      extent: this.extent,
      layers,
      warnings: d.warnings.map((w) => w.message),
      forwardError: this.forwardError(weights, grid),
    };
  }

  /** The float64 forward pass against the wasm core's predict, on every 37th grid point. */
  private forwardError(weights: ReturnType<Model["getWeights"]>, grid: Float32Array): number {
    const picks = Array.from({ length: Math.ceil((GRID * GRID) / 37) }, (_, k) => k * 37);
    const x = new Float32Array(picks.length * 2);
    picks.forEach((p, k) => {
      x[2 * k] = this.grid[2 * p]!;
      x[2 * k + 1] = this.grid[2 * p + 1]!;
    });
    const out = forwardAll(this.model, weights, x, picks.length).at(-1)!.a;
    return picks.reduce((worst, p, k) => Math.max(worst, Math.abs(out[k]! - grid[p]!)), 0);
  }

  dispose(): void {
    this.model.dispose();
  }
}
