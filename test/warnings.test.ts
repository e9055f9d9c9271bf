// The warnings a beginner sees by default: unnormalized inputs said once at the start of the
// first fit (naming the columns and the fix), and diagnostic warnings once per kind and layer.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createModel, datasets, initializers, type DiagnosticWarning } from "../src/index.js";
import { unnormalizedColumns } from "../src/diagnostics.js";

let lines: string[] = [];
beforeEach(() => {
  lines = [];
  vi.spyOn(console, "warn").mockImplementation((line: string) => {
    lines.push(line);
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

// Two moons in sensor units: column 0 around 1000, column 1 around -500; column 2 is fine.
const moons = datasets.twoMoons({ samples: 200, noise: 0.1, seed: 3 });
const raw = new Float32Array(200 * 3);
for (let r = 0; r < 200; r++) {
  raw[r * 3] = 300 * moons.x.data[r * 2]! + 1000;
  raw[r * 3 + 1] = 200 * moons.x.data[r * 2 + 1]! - 500;
  raw[r * 3 + 2] = moons.x.data[r * 2]!;
}
const x = { data: raw, shape: [200, 3] as [number, number] };
const make = (normalize: "none" | "standardize" = "none") =>
  createModel({
    inputs: 3,
    seed: 1,
    normalize,
    loss: "binaryCrossEntropy",
    layers: [{ units: 8, activation: "tanh" }, { units: 1 }],
  });

describe("unnormalized inputs", () => {
  it("are reported once, at the start of the first fit, naming the columns and suggesting normalize", async () => {
    const model = await make();
    let warnedBeforeFirstBatch = false;
    await model.fit(x, moons.labels, {
      epochs: 2,
      onBatchEnd: ({ step }) => {
        if (step === 1) warnedBeforeFirstBatch = lines.length === 1;
      },
    });
    expect(warnedBeforeFirstBatch).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^simdnet: inputs are not normalized \(2 of 3 columns\): column 0 \(mean 1\.\d+e\+3, std [\d.]+\), column 1 \(mean -[\d.]+, std [\d.]+\)/,
    );
    expect(lines[0]).toContain('normalize: "standardize"');
    await model.fit(x, moons.labels, { epochs: 2 });
    expect(lines).toHaveLength(1); // once per model
    model.dispose();
  });

  it("are not reported with normalize, with warnings: false, or when the inputs are in range", async () => {
    const normalized = await make("standardize");
    await normalized.fit(x, moons.labels, { epochs: 1 });
    const silenced = await make();
    await silenced.fit(x, moons.labels, { epochs: 1, warnings: false });
    const inRange = await createModel({
      inputs: 2,
      seed: 1,
      loss: "binaryCrossEntropy",
      layers: [{ units: 4 }, { units: 1 }],
    });
    await inRange.fit(moons.x, moons.labels, { epochs: 1 });
    expect(lines).toEqual([]);
    for (const m of [normalized, silenced, inRange]) m.dispose();
    await expect(make().then((m) => m.fit(x, moons.labels, { warnings: "no" as never }))).rejects.toThrow(
      /warnings: expected true or false/,
    );
  });

  it("are found by |mean| or std above the threshold, column by column", () => {
    const data = Float32Array.from([0, 100, 6, 1, -100, 6, 0, 0, 6, 1, 0, 6]); // 4 rows x 3 columns
    expect(unnormalizedColumns(data, 4, 3).map((c) => c.column)).toEqual([1, 2]);
    expect(unnormalizedColumns(data, 4, 3)[1]).toEqual({ column: 2, mean: 6, std: 0 });
    expect(unnormalizedColumns(data, 4, 3, 100)).toEqual([]);
    expect(unnormalizedColumns(new Float32Array(0), 0, 3)).toEqual([]);
  });
});

describe("diagnostic warnings during fit", () => {
  it("print once per kind and layer, while every diagnosed epoch still lists them", async () => {
    // Every hidden unit dead from the start, in two layers: the same two warnings each epoch.
    const dead = { units: 8, activation: "relu" as const, biasInitializer: initializers.constant(-50) };
    const model = await createModel({
      inputs: 2,
      seed: 1,
      loss: "binaryCrossEntropy",
      layers: [dead, dead, { units: 1 }],
    });
    const seen: DiagnosticWarning[] = [];
    const h = await model.fit(moons.x, moons.labels, { epochs: 5, diagnostics: { onWarning: (w) => seen.push(w) } });
    const perEpoch = h.diagnostics.map((d) => d.warnings.filter((w) => w.kind === "deadUnits").map((w) => w.layer));
    expect(perEpoch).toEqual(Array(5).fill([1, 2]));
    expect(seen.filter((w) => w.kind === "deadUnits")).toHaveLength(10);
    expect(lines.filter((l) => l.includes("units are dead"))).toEqual([
      expect.stringMatching(/^simdnet: layer 1 \(relu\): 100% of units are dead/),
      expect.stringMatching(/^simdnet: layer 2 \(relu\): 100% of units are dead/),
    ]);
    lines = [];
    await model.fit(moons.x, moons.labels, { epochs: 2, diagnostics: true });
    expect(lines).toEqual([]); // already said for this model
    await model.fit(moons.x, moons.labels, { epochs: 1, diagnostics: { console: false } });
    const other = await createModel({ inputs: 2, seed: 1, loss: "binaryCrossEntropy", layers: [dead, { units: 1 }] });
    await other.fit(moons.x, moons.labels, { epochs: 2, diagnostics: true, warnings: false });
    expect(lines).toEqual([]);
    model.dispose();
    other.dispose();
  });
});
