// Diagnostics against brute-force computations in plain float64 JS on small cases.
import { describe, expect, it } from "vitest";
import {
  createModel,
  datasets,
  initializers,
  saturationBound,
  saveModel,
  sgd,
  type DiagnosticWarning,
} from "../src/index.js";
import { forward64, randomArray } from "./helpers.js";

const meanStd = (values: number[]): [number, number] => {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return [mean, Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length)];
};

describe.each(["wasm", "js"] as const)("diagnostics (%s)", (backend) => {
  it("activation statistics, histograms, saturation, dead and negative fractions match brute force", async () => {
    const model = await createModel({
      inputs: 3,
      seed: 2,
      backend,
      loss: "softmaxCrossEntropy",
      layers: [
        { units: 6, activation: "relu", biasInitializer: initializers.uniform({ min: -6, max: 1 }) },
        { units: 5, activation: "tanh", kernelInitializer: initializers.normal({ std: 5 }) },
        { units: 4, activation: "leakyRelu" },
        { units: 5, activation: "sigmoid", kernelInitializer: initializers.normal({ std: 3 }) },
        { units: 3 },
      ],
    });
    const rows = 300,
      x = randomArray(rows * 3, 9, -2, 2);
    const d = model.diagnose({ data: x, shape: [rows, 3] }, undefined, { bins: 8, console: false });
    const ref = forward64(model, x, rows);
    expect(d.rows).toBe(rows);
    expect(d.gradientRows).toBe(0); // no targets, no gradient statistics
    d.layers.forEach((l, i) => {
      const z = ref[i]!.z.flat(),
        a = ref[i]!.a.flat();
      const [zm, zs] = meanStd(z),
        [am, as] = meanStd(a);
      expect(l.preActivation.mean).toBeCloseTo(zm, 4);
      expect(l.preActivation.std).toBeCloseTo(zs, 4);
      expect(l.activationStats.mean).toBeCloseTo(am, 4);
      expect(l.activationStats.std).toBeCloseTo(as, 4);
      const h = l.preActivation.histogram,
        width = (h.hi - h.lo) / 8;
      expect(h.below).toBe(z.filter((v) => v < h.lo).length);
      expect(h.above).toBe(z.filter((v) => v >= h.hi).length);
      expect(h.counts.reduce((s, c) => s + c, 0) + h.below + h.above).toBe(z.length);
      h.counts.forEach((c, k) =>
        expect(
          Math.abs(c - z.filter((v) => v >= h.lo + k * width && v < h.lo + (k + 1) * width).length),
        ).toBeLessThanOrEqual(1),
      );
      const bound = saturationBound(l.activation, 0.01);
      if (bound !== null) expect(l.saturated).toBeCloseTo(z.filter((v) => Math.abs(v) > bound).length / z.length, 2);
      if (l.activation === "relu") {
        const dead = Array.from({ length: l.units }, (_, j) => ref[i]!.z.every((row) => row[j]! <= 0)).filter(
          Boolean,
        ).length;
        expect(l.dead).toBe(dead / l.units);
      }
      if (l.activation === "leakyRelu") expect(l.negative).toBeCloseTo(z.filter((v) => v < 0).length / z.length, 2);
    });
    expect(d.layers[1]!.saturated).toBeGreaterThan(0.1); // std-5 weights saturate tanh
    expect(d.layers[0]!.dead).toBeGreaterThan(0); // negative biases kill some ReLUs
  });

  it("gradient norms, update ratio, identical units and gradients, and the sign quadrant", async () => {
    const model = await createModel({
      inputs: 4,
      seed: 3,
      backend,
      loss: "binaryCrossEntropy",
      optimizer: sgd({ learningRate: 0.1, momentum: 0.5 }),
      layers: [
        { units: 6, activation: "sigmoid" },
        { units: 5, activation: "tanh", kernelInitializer: initializers.constant(0.2) },
        { units: 1, kernelInitializer: initializers.constant(0.3) },
      ], // equal in and out: the gradients stay equal too
    });
    const x = randomArray(40, 4, -1, 1),
      y = Float32Array.from({ length: 10 }, (_, i) => i % 2);
    const before = saveModel(model, { optimizer: true });
    const d = model.diagnose({ data: x, shape: [10, 4] }, y, { console: false });
    expect(saveModel(model, { optimizer: true })).toEqual(before); // weights, velocity, step count: nothing changed
    const g = model.gradients({ data: x, shape: [10, 4] }, y),
      w = model.getWeights();
    expect(d.gradientRows).toBe(10);
    d.layers.forEach((l, i) => {
      const norm = Math.hypot(...g.layers[i]!.kernel);
      expect(l.kernelGradientNorm).toBeCloseTo(norm, 6);
      expect(l.biasGradientNorm).toBeCloseTo(Math.hypot(...g.layers[i]!.bias), 6);
      expect(l.kernelNorm).toBeCloseTo(Math.hypot(...w[i]!.kernel), 5);
      expect(l.updateRatio).toBeCloseTo((0.1 * norm) / l.kernelNorm, 5); // first step, zero velocity: lr ||g|| / ||W||
    });
    expect(d.layers[1]!.identicalUnits).toEqual([[0, 1, 2, 3, 4]]);
    expect(d.layers[1]!.identicalGradients).toEqual([[0, 1, 2, 3, 4]]);
    expect(d.layers[0]!.identicalUnits).toEqual([]);
    expect(d.layers[1]!.fedByLogistic).toBe(true);
    expect(d.warnings.map((v) => v.kind)).toContain("identicalUnits");

    // One row: every unit fed by logistic outputs gets a one-signed gradient (the article's quadrant effect).
    const one = model.diagnose({ data: x.subarray(0, 4), shape: [1, 4] }, y.subarray(0, 1), { console: false });
    expect(one.layers[1]!.sameSignGradients).toBe(1);
    const brute = Array.from({ length: 5 }, (_, j) => {
      const col = Array.from(
        { length: 6 },
        (_, k) =>
          model.gradients({ data: x.subarray(0, 4), shape: [1, 4] }, y.subarray(0, 1)).layers[1]!.kernel[k * 5 + j]!,
      ).filter((v) => v !== 0);
      return col.every((v) => v > 0) || col.every((v) => v < 0);
    }).filter(Boolean).length;
    expect(one.layers[1]!.sameSignGradients).toBe(brute / 5);
  });

  it("warns about dead units, saturation, vanishing gradients and unnormalized inputs, through the callback and console", async () => {
    const seen: DiagnosticWarning[] = [];
    const lines: string[] = [];
    const warn = console.warn;
    console.warn = (line: string) => {
      lines.push(line);
    };
    try {
      const dead = await createModel({
        inputs: 2,
        seed: 1,
        backend,
        loss: "binaryCrossEntropy",
        layers: [{ units: 8, activation: "relu", biasInitializer: initializers.constant(-50) }, { units: 1 }],
      });
      const x = randomArray(200, 1, 0, 100);
      const d = dead.diagnose({ data: x, shape: [100, 2] }, new Float32Array(100), {
        onWarning: (w) => seen.push(w),
        thresholds: { deadUnits: 0.2 },
      });
      expect(d.warnings.map((w) => w.kind).slice(0, 2)).toEqual(["unnormalizedInputs", "deadUnits"]);
      expect(seen).toEqual(d.warnings);
      expect(lines).toHaveLength(d.warnings.length);
      expect(lines[1]).toMatch(/^simdnet: layer 1 \(relu\): \d+% of units are dead/);
      // Ten saturated logistic layers: saturation in each, and the gradient fades on the way down.
      const saturating = {
        units: 16,
        activation: "sigmoid" as const,
        kernelInitializer: initializers.normal({ std: 4 }),
      };
      const deep = await createModel({
        inputs: 8,
        seed: 1,
        backend,
        loss: "binaryCrossEntropy",
        layers: [...Array(10).fill(saturating), { units: 1 }],
      });
      const xs = { data: randomArray(800, 2, -1, 1), shape: [100, 8] as [number, number] },
        ys = Float32Array.from({ length: 100 }, (_, i) => i % 2);
      const v = deep.diagnose(xs, ys, { console: false, thresholds: { gradientRatio: 0.05 } });
      expect(v.warnings.map((w) => w.kind)).toContain("saturation");
      expect(v.warnings.map((w) => w.kind)).toContain("vanishingGradient");
      lines.length = 0;
      deep.diagnose(xs, ys, { console: false });
      expect(lines).toHaveLength(0);
    } finally {
      console.warn = warn;
    }
  });
});

describe("diagnostics in fit", () => {
  it("records a diagnosis per epoch on a fixed sample, without changing the training", async () => {
    const d = datasets.twoMoons({ samples: 300, seed: 4 });
    const make = () =>
      createModel({ inputs: 2, seed: 5, loss: "binaryCrossEntropy", layers: [{ units: 8 }, { units: 1 }] });
    const [a, b] = [await make(), await make()];
    const epochs: number[] = [];
    const h = await a.fit(d.x, d.labels, {
      epochs: 4,
      batchSize: 20,
      diagnostics: { every: 2, console: false },
      onEpochEnd: (l) => {
        if (l.diagnostics) epochs.push(l.epoch);
      },
    });
    await b.fit(d.x, d.labels, { epochs: 4, batchSize: 20 });
    expect(h.diagnostics.map((x) => x.epoch)).toEqual([1, 3]);
    expect(epochs).toEqual([1, 3]);
    expect(h.diagnostics[0]!.rows).toBe(30); // 10% of the rows, at least a batch
    expect(h.diagnostics[0]!.gradientRows).toBe(20);
    expect(a.getWeights()).toEqual(b.getWeights()); // diagnosing is invisible to training
    await expect(a.fit(d.x, d.labels, { diagnostics: { sample: 1000 } })).rejects.toThrow(/diagnostics.sample/);
    expect(() => a.diagnose(d.x, undefined, { bins: 0 })).toThrow(/diagnostics.bins/);
    expect(() => a.diagnose(d.x, undefined, { thresholds: { nonsense: 1 } as never })).toThrow(
      /diagnostics.thresholds/,
    );
  });
});
