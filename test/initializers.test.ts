import { describe, expect, it } from "vitest";
import { gain } from "../src/activations.js";
import type { Backend } from "../src/backend/backend.js";
import { ArgumentError } from "../src/errors.js";
import * as init from "../src/initializers.js";
import { bitsOf, js, meanStd, randomArray, tensor, wasm } from "./helpers.js";
import { COLUMN_SIZES, ROW_SIZES } from "./edge-sizes.js";

function sample(
  backend: Backend,
  initializer: init.Initializer,
  fanIn: number,
  fanOut: number,
  seed = 1,
): Float32Array {
  const t = backend.alloc(fanIn * fanOut),
    rng = backend.random(seed, 0);
  initializer.fill(backend, t, fanIn, fanOut, rng);
  const out = backend.read(t);
  backend.free(t);
  backend.freeRandom(rng);
  return out;
}

const FAN_IN = 512,
  FAN_OUT = 1024;
const CASES: [string, init.Initializer][] = [
  ["uniform", init.uniform()],
  ["uniform(-1, 3)", init.uniform({ min: -1, max: 3 })],
  ["normal", init.normal()],
  ["normal(2, 0.5)", init.normal({ mean: 2, std: 0.5 })],
  ["truncatedNormal", init.truncatedNormal({ std: 0.3 })],
  ["truncatedNormal a,b (PyTorch)", init.truncatedNormal({ mean: 0, std: 1, a: -0.5, b: 2 })],
  ["glorotUniform", init.glorotUniform()],
  ["glorotNormal", init.glorotNormal()],
  ["heUniform", init.heUniform()],
  ["heNormal", init.heNormal()],
  ["heNormal leaky 0.2", init.heNormal({ slope: 0.2 })],
  ["lecunUniform", init.lecunUniform()],
  ["lecunNormal", init.lecunNormal()],
  ["varianceScaling(3, fanOut, normal)", init.varianceScaling({ scale: 3, mode: "fanOut", distribution: "normal" })],
  ["orthogonal", init.orthogonal()],
];

describe("initializers: empirical moments match the formulas", () => {
  const n = FAN_IN * FAN_OUT;
  for (const [label, initializer] of CASES) {
    it(label, () => {
      const m = initializer.moments(FAN_IN, FAN_OUT);
      for (const backend of [wasm, js]) {
        const x = sample(backend, initializer, FAN_IN, FAN_OUT);
        const { mean, std } = meanStd(x);
        // 5-sigma bounds for n draws; the std bound allows for the distribution's kurtosis.
        expect(Math.abs(mean - m.mean), `${backend.name} mean`).toBeLessThan((5 * m.std) / Math.sqrt(n) + 1e-7);
        expect(Math.abs(std / m.std - 1), `${backend.name} std`).toBeLessThan((5 * 1.5) / Math.sqrt(2 * n) + 1e-6);
        const lo = Math.fround(m.min),
          hi = Math.fround(m.max);
        expect(
          x.every((v) => v >= lo - 1e-6 * Math.abs(lo) && v <= hi + 1e-6 * Math.abs(hi)),
          `${backend.name} bounds`,
        ).toBe(true);
      }
    });
  }

  it("the formulas themselves: Glorot, He and LeCun variances", () => {
    expect(init.glorotUniform().moments(300, 100).max).toBeCloseTo(Math.sqrt(6 / 400), 12);
    expect(init.glorotNormal().moments(300, 100).std).toBeCloseTo(Math.sqrt(2 / 400), 12);
    expect(init.heNormal().moments(300, 100).std).toBeCloseTo(Math.sqrt(2 / 300), 12);
    expect(init.heUniform().moments(300, 100).max).toBeCloseTo(Math.sqrt(6 / 300), 12);
    expect(init.heNormal({ slope: 0.2 }).moments(300, 100).std).toBeCloseTo(Math.sqrt(2 / (1.04 * 300)), 12);
    expect(init.lecunNormal().moments(300, 100).std).toBeCloseTo(Math.sqrt(1 / 300), 12);
    // Truncation at 2 std keeps the target std: the raw std is divided by .8796...
    expect(init.glorotNormal().moments(300, 100).max).toBeCloseTo((2 * Math.sqrt(2 / 400)) / 0.87962566103423978, 12);
  });
});

describe("initializers: constants and orthogonality", () => {
  it("zeros, ones and constant fill exactly, including awkward sizes", () => {
    for (const backend of [wasm, js]) {
      expect(sample(backend, init.zeros(), 3, 5).every((v) => v === 0)).toBe(true);
      expect(sample(backend, init.ones(), 17, 1).every((v) => v === 1)).toBe(true);
      expect(sample(backend, init.constant(0.37), 5, 33).every((v) => v === Math.fround(0.37))).toBe(true);
    }
  });

  it("zero-valued bounds and parameters are honoured, not replaced by defaults", () => {
    expect(init.uniform({ min: 0, max: 0.1 }).moments(1, 1).min).toBe(0);
    expect(sample(wasm, init.uniform({ min: 0, max: 0 }), 4, 4).every((v) => v === 0)).toBe(true);
    expect(sample(wasm, init.normal({ mean: 0.5, std: 0 }), 4, 4).every((v) => v === 0.5)).toBe(true);
    expect(init.heNormal({ slope: 0 }).moments(10, 1).std).toBeCloseTo(Math.sqrt(2 / 10), 12);
  });

  for (const [fanIn, fanOut] of [
    [64, 64],
    [20, 50],
    [50, 20],
    [1, 7],
    [7, 1],
    [33, 65],
  ] as const) {
    it(`orthogonal ${fanIn}x${fanOut}: orthonormal ${fanIn < fanOut ? "rows" : "columns"}, times the gain`, () => {
      for (const backend of [wasm, js]) {
        const g = 1.7,
          w = sample(backend, init.orthogonal({ gain: g }), fanIn, fanOut, 3);
        const rowsMode = fanIn < fanOut;
        const count = rowsMode ? fanIn : fanOut;
        const at = (v: number, i: number): number => (rowsMode ? w[v * fanOut + i]! : w[i * fanOut + v]!);
        const len = rowsMode ? fanOut : fanIn;
        for (let a = 0; a < count; a++)
          for (let b = 0; b <= a; b++) {
            let d = 0;
            for (let i = 0; i < len; i++) d += at(a, i) * at(b, i);
            expect(Math.abs(d - (a === b ? g * g : 0)), `${backend.name} <${a},${b}>`).toBeLessThan(2e-5);
          }
      }
    });
  }

  it("Gram-Schmidt reports dependent rows instead of returning noise", () => {
    for (const backend of [wasm, js]) {
      const row = [1, 2, 3, 4, 5];
      const t = tensor(backend, [...row, ...row.map((v) => 2 * v), 0, 1, 0, 0, 1]);
      expect(backend.orthonormalizeRows(t, 3, 5), backend.name).toBe(false);
      const ok = tensor(backend, [1, 2, 3, 4, 5, 0, 1, 0, 0, 1, 5, 4, 3, 2, 2]);
      expect(backend.orthonormalizeRows(ok, 3, 5), backend.name).toBe(true);
    }
  });

  it("on the edge-size grid: transpose moves every float as the JS twin does, Gram-Schmidt agrees with it", () => {
    for (const rows of ROW_SIZES)
      for (const cols of COLUMN_SIZES) {
        const x = randomArray(rows * cols, rows * 100 + cols);
        const [a, b] = [wasm, js].map((backend) => {
          const t = tensor(backend, x),
            out = backend.alloc(rows * cols);
          backend.transpose(t, out, rows, cols);
          const independent = rows <= cols && backend.orthonormalizeRows(t, rows, cols);
          return { transposed: backend.read(out), independent, orthonormal: backend.read(t) };
        });
        expect(bitsOf(a!.transposed), `${rows} x ${cols}`).toEqual(bitsOf(b!.transposed));
        expect(a!.transposed[(cols - 1) * rows]).toBe(x[cols - 1]);
        expect(a!.independent).toBe(b!.independent);
        if (a!.independent)
          a!.orthonormal.forEach((v, i) =>
            expect(Math.abs(v - b!.orthonormal[i]!), `${rows} x ${cols} at ${i}`).toBeLessThan(1e-5),
          );
      }
  });

  it("truncated normal with PyTorch bounds: a == b, and bounds at 0, are honoured", () => {
    for (const backend of [wasm, js]) {
      expect(
        sample(backend, init.truncatedNormal({ mean: 0, std: 1, a: 0.5, b: 0.5 }), 3, 5).every((v) => v === 0.5),
      ).toBe(true);
      const x = sample(backend, init.truncatedNormal({ mean: 0, std: 1, a: 0, b: 1 }), 64, 64);
      expect(x.every((v) => v >= 0 && v <= 1)).toBe(true);
      const y = sample(backend, init.truncatedNormal({ mean: 0, std: 1, a: -1, b: 0 }), 64, 64);
      expect(y.every((v) => v >= -1 && v <= 0)).toBe(true);
    }
  });

  it("same seed, same weights; another seed, other weights", () => {
    for (const [, initializer] of CASES) {
      const a = sample(wasm, initializer, 16, 8, 5),
        b = sample(wasm, initializer, 16, 8, 5),
        c = sample(wasm, initializer, 16, 8, 6);
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(Array.from(a)).not.toEqual(Array.from(c));
    }
  });
});

describe("initializers: configuration and errors", () => {
  it("fromConfig rebuilds every initializer from its config", () => {
    for (const [, initializer] of CASES) {
      const again = init.fromConfig(JSON.parse(JSON.stringify(initializer.config)));
      expect(again.config).toEqual(initializer.config);
      expect(again.moments(30, 40)).toEqual(initializer.moments(30, 40));
    }
    expect(init.fromConfig("heNormal").name).toBe("heNormal");
  });

  it("bad parameters name the argument, the expectation and the value", () => {
    expect(() => init.uniform({ min: 1, max: 0 })).toThrow(/max: expected a number >= min \(1\), got 0/);
    expect(() => init.normal({ std: -1 })).toThrow(ArgumentError);
    expect(() => init.normal({ std: NaN })).toThrow(/std: expected a finite number >= 0, got NaN/);
    expect(() => init.truncatedNormal({ a: 1 })).toThrow(/b: expected both bounds/);
    expect(() => init.varianceScaling({ mode: "fanSideways" as never })).toThrow(/mode/);
    expect(() => init.fromConfig({ name: "__proto__" })).toThrow(/initializer: expected one of/);
    expect(() => init.heNormal().moments(0, 3)).toThrow(/fanIn: expected an integer >= 1, got 0/);
  });

  it("gain() follows torch.nn.init.calculate_gain", () => {
    expect(gain("sigmoid")).toBe(1);
    expect(gain("tanh")).toBeCloseTo(5 / 3, 15);
    expect(gain("relu")).toBeCloseTo(Math.SQRT2, 15);
    expect(gain("leakyRelu")).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 15);
    expect(gain("leakyRelu", 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
    expect(gain("selu")).toBe(0.75);
    expect(() => gain("swish" as never)).toThrow(/activation: expected one of/);
  });
});

describe("initializer configs", () => {
  it("refuses a config with an option the initializer does not take", () => {
    expect(() => init.fromConfig({ name: "uniform", mn: -1 })).toThrow(/initializer.mn/);
    expect(() => init.fromConfig({ name: "glorotUniform", gain: 2 })).toThrow(/initializer.gain/);
    expect(init.fromConfig({ name: "heNormal", slope: 0.2 }).config).toEqual({ name: "heNormal", slope: 0.2 });
  });
});
