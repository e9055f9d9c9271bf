// Metrics against references written out in the test the plain way (the definitions of
// scikit-learn's precision_score, recall_score, f1_score, roc_auc_score and Keras'
// top_k_categorical_accuracy), on fixed textbook cases and seeded random ones.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArgumentError, createModel, loadModel, saveModel, type MetricConfig } from "../src/index.js";
import { MetricTracker, resolveMetrics, rocAuc } from "../src/metrics.js";
import { randomArray, seeded } from "./helpers.js";

const argmax = (a: ArrayLike<number>, o: number, n: number): number => {
  let best = 0;
  for (let j = 1; j < n; j++) if (a[o + j]! > a[o + best]!) best = j;
  return best;
};

/** scikit-learn's definitions from the label lists: binary (positive class 1) or macro. */
function reference(pred: number[], truth: number[], binary: boolean) {
  const labels = binary ? [1] : [...new Set([...pred, ...truth])].sort((a, b) => a - b);
  const per = labels.map((c) => {
    let tp = 0,
      fp = 0,
      fn = 0;
    pred.forEach((p, i) => {
      if (p === c && truth[i] === c) tp++;
      else if (p === c) fp++;
      else if (truth[i] === c) fn++;
    });
    const precision = tp + fp ? tp / (tp + fp) : 0,
      recall = tp + fn ? tp / (tp + fn) : 0;
    return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
  });
  const mean = (k: "precision" | "recall" | "f1") => per.reduce((s, v) => s + v[k], 0) / per.length;
  return { precision: mean("precision"), recall: mean("recall"), f1: mean("f1") };
}

/** AUC by its definition: over every positive-negative pair, 1 if the positive scores higher, 1/2 for a tie. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let sum = 0,
    pairs = 0;
  scores.forEach((p, i) => {
    if (!labels[i]) return;
    scores.forEach((n, j) => {
      if (labels[j]) return;
      pairs++;
      sum += p > n ? 1 : p === n ? 0.5 : 0;
    });
  });
  return sum / pairs;
}

function track(
  metrics: MetricConfig[],
  y: Float32Array,
  t: Float32Array,
  cols: number,
  threshold = 0.5,
  batch = 7,
): Record<string, number> {
  const tracker = new MetricTracker(resolveMetrics("metrics", metrics, cols), cols, threshold);
  const rows = y.length / cols;
  for (let s = 0; s < rows; s += batch) {
    const n = Math.min(batch, rows - s);
    tracker.add(y.subarray(s * cols, (s + n) * cols), t.subarray(s * cols, (s + n) * cols), n);
  }
  return tracker.results();
}

describe("metrics", () => {
  it("binary precision, recall and F1: a textbook confusion matrix", () => {
    // tp 3, fp 1, fn 2, tn 2: precision 3/4, recall 3/5, F1 2/3.
    const y = Float32Array.from([0.9, 0.8, 0.7, 0.6, 0.2, 0.1, 0.3, 0.4]),
      t = Float32Array.from([1, 1, 1, 0, 1, 1, 0, 0]);
    const r = track(["precision", "recall", "f1"], y, t, 1, 0.5, 3);
    expect(r.precision).toBeCloseTo(3 / 4, 15);
    expect(r.recall).toBeCloseTo(3 / 5, 15);
    expect(r.f1).toBeCloseTo(2 / 3, 15);
    expect(track(["precision"], y, t, 1, 0.75).precision).toBe(1); // the threshold (0 for logits) decides
  });

  it("AUC: the textbook example, ties as the trapezoid, NaN with one class", () => {
    // scikit-learn's roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75.
    expect(rocAuc(Float32Array.from([0.1, 0.4, 0.35, 0.8]), Uint8Array.from([0, 0, 1, 1]))).toBe(0.75);
    expect(rocAuc(Float32Array.from([0.5, 0.5, 0.5, 0.5]), Uint8Array.from([0, 1, 0, 1]))).toBe(0.5);
    expect(rocAuc(Float32Array.from([0.2, 0.5, 0.5, 0.9]), Uint8Array.from([0, 0, 1, 1]))).toBe(0.875);
    expect(rocAuc(Float32Array.from([0.2, 0.3]), Uint8Array.from([1, 1]))).toBeNaN();
  });

  it("match the references on random binary and multi-class outputs across batches (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer(),
        fc.integer({ min: 1, max: 20 }),
        (rows, cols, seed, batch) => {
          const next = seeded(seed),
            n = rows * cols;
          // Few distinct scores, so ties happen.
          const y = Float32Array.from({ length: n }, () => Math.round(next() * 8) / 8);
          const t = new Float32Array(n);
          for (let r = 0; r < rows; r++) {
            if (cols === 1) t[r] = next() < 0.5 ? 0 : 1;
            else t[r * cols + Math.floor(next() * cols)] = 1;
          }
          const pred: number[] = [],
            truth: number[] = [];
          for (let r = 0; r < rows; r++) {
            pred.push(cols === 1 ? (y[r]! > 0.5 ? 1 : 0) : argmax(y, r * cols, cols));
            truth.push(cols === 1 ? t[r]! : argmax(t, r * cols, cols));
          }
          const metrics: MetricConfig[] = ["precision", "recall", "f1", "meanAbsoluteError", "meanSquaredError"];
          if (cols <= 2) metrics.push("auc");
          if (cols >= 2) metrics.push({ name: "topKAccuracy", k: 2 });
          const got = track(metrics, y, t, cols, 0.5, batch);
          const want = reference(pred, truth, cols === 1);
          expect(got.precision).toBeCloseTo(want.precision, 12);
          expect(got.recall).toBeCloseTo(want.recall, 12);
          expect(got.f1).toBeCloseTo(want.f1, 12);
          let abs = 0,
            sq = 0;
          for (let i = 0; i < n; i++) {
            abs += Math.abs(y[i]! - t[i]!);
            sq += (y[i]! - t[i]!) ** 2;
          }
          expect(got.meanAbsoluteError).toBeCloseTo(abs / n, 12);
          expect(got.meanSquaredError).toBeCloseTo(sq / n, 12);
          if (cols <= 2) {
            const scores = Array.from({ length: rows }, (_, r) => y[r * cols + cols - 1]!);
            const positives = truth.filter((v) => v === 1).length;
            if (positives === 0 || positives === rows) expect(got.auc).toBeNaN();
            else expect(got.auc).toBeCloseTo(pairwiseAuc(scores, truth), 12);
          }
          if (cols >= 2) {
            // in_top_k: the true class's score has fewer than k scores strictly above it.
            let hits = 0;
            for (let r = 0; r < rows; r++) {
              const row = [...y.subarray(r * cols, (r + 1) * cols)];
              if (row.filter((v) => v > row[truth[r]!]!).length < 2) hits++;
            }
            expect(got.topKAccuracy).toBeCloseTo(hits / rows, 12);
          }
        },
      ),
      { numRuns: 200, seed: 15 },
    );
  });

  it("refuses unknown, repeated or misplaced metrics with an ArgumentError", () => {
    expect(() => resolveMetrics("metrics", ["recall", "recall"], 1)).toThrow(/each metric once/);
    expect(() => resolveMetrics("metrics", ["auc"], 3)).toThrow(/binary output/);
    expect(() => resolveMetrics("metrics", ["topKAccuracy"], 1)).toThrow(/2 or more/);
    expect(() => resolveMetrics("metrics", [{ name: "topKAccuracy", k: 0 }], 3)).toThrow("metrics[0].k");
    expect(() => resolveMetrics("metrics", [{ name: "topKAccuracy", j: 1 }], 3)).toThrow("metrics[0].j");
    expect(() => resolveMetrics("metrics", ["precission"], 1)).toThrow(ArgumentError);
    // Keras' default k
    expect(resolveMetrics("metrics", ["topKAccuracy"], 3)).toEqual([{ name: "topKAccuracy", k: 5 }]);
  });
});

describe("metrics on a model", () => {
  const rows = 60,
    x = randomArray(rows * 3, 1),
    next = seeded(2);
  const labels = Array.from({ length: rows }, () => Math.floor(next() * 3));

  it("evaluate reports the model's metrics, or those asked for, as the tracker computes them from predict", async () => {
    const model = await createModel({
      inputs: 3,
      seed: 4,
      loss: "softmaxCrossEntropy",
      layers: [{ units: 8 }, { units: 3 }],
      metrics: ["accuracy", "f1", { name: "topKAccuracy", k: 2 }],
    });
    const data = { data: x, shape: [rows, 3] as [number, number] };
    const e = model.evaluate(data, labels);
    const y = model.predict(data).data,
      t = new Float32Array(rows * 3);
    labels.forEach((c, r) => {
      t[r * 3 + c] = 1;
    });
    expect(e.metrics).toEqual(track(["f1", { name: "topKAccuracy", k: 2 }], y, t, 3));
    expect(Object.keys(model.evaluate(data, labels, { metrics: ["recall"] }))).toEqual(["loss", "metrics"]);
    expect(() => model.evaluate(data, labels, { metrics: ["auc"] })).toThrow("options.metrics[0]");
    const loaded = await loadModel(saveModel(model));
    expect(loaded.metrics).toEqual(model.metrics);
    expect(loaded.evaluate(data, labels)).toEqual(e);
    model.dispose();
    loaded.dispose();
  });
});
