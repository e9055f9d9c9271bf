// Every optimizer in the registry is wired all the way through: a factory in the package
// index, a kernel that updates on both backends alike, the state its descriptor declares (as
// many vectors as its kernel reads), and a save that loads back as itself, bit for bit. A new
// optimizer forgotten in any of these places fails here.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as simdnet from "../src/index.js";
import { ArgumentError, createModel, lion, loadModel, saveModel, type Backend } from "../src/index.js";
import { UPDATE_KERNELS } from "../src/backend/backend.js";
import { PARAM_GRAD_SCALE, PARAM_LR, UPDATE_PARAMS } from "../src/kernelCodes/updateParams.js";
import {
  OPTIMIZERS,
  optimizerFromConfig,
  stateVectorsOf,
  type OptimizerConfig,
  type OptimizerDescriptor,
} from "../src/optimizers.js";
import { encodeFloats } from "../src/serialize.js";
import { bitsOf, js, maxAbsDiff, wasm } from "./helpers.js";

const X = [
    [1, 2],
    [2, 1],
    [-1, 0.5],
    [0.3, -2],
  ],
  Y = [[1], [0], [1], [0]];
const make = (backend: Backend, optimizer: OptimizerConfig) =>
  createModel({ inputs: 2, seed: 3, backend, optimizer, layers: [{ units: 5, activation: "tanh" }, { units: 1 }] });
type Weighted = { getWeights(): { kernel: Float32Array; bias: Float32Array }[] };
const flat = (m: Weighted): number[] => m.getWeights().flatMap((w) => [...w.kernel, ...w.bias]);
const weightBits = (m: Weighted): number[] => [...bitsOf(Float32Array.from(flat(m)))];

/** Each optimizer with defaults, and with every option changed where that changes its state or kernel path. */
const configs = OPTIMIZERS.flatMap((d): OptimizerConfig[] => {
  const base = optimizerFromConfig(d.name);
  return d.name === "sgd" ? [base, optimizerFromConfig({ ...base, momentum: 0.9, nesterov: true } as never)] : [base];
});

describe.each(configs.map((c) => [`${c.name}${"momentum" in c && c.momentum ? " with momentum" : ""}`, c] as const))(
  "optimizer %s",
  (_, config) => {
    const d = OPTIMIZERS.find((o) => o.name === config.name)!;

    it("is exported by the package under its name, as a factory of its config", () => {
      const factory = (simdnet as unknown as Record<string, (o?: object) => OptimizerConfig>)[d.name];
      expect(typeof factory).toBe("function");
      expect(factory!()).toEqual(optimizerFromConfig(d.name));
      expect(factory!().name).toBe(d.name);
      expect(simdnet.OPTIMIZER_NAMES).toContain(d.name);
    });

    it("declares as many state vectors as its kernel reads", () => {
      const p = new Float32Array(UPDATE_PARAMS);
      p[PARAM_LR] = config.learningRate;
      p[PARAM_GRAD_SCALE] = 1;
      (d as OptimizerDescriptor).writeParams(config, 1, config.learningRate, p);
      expect(stateVectorsOf(config).length).toBe(UPDATE_KERNELS[d.kernel].stateTensors(p));
    });

    it("updates the weights alike on wasm and js (to float32 rounding of the forward pass), keeping its declared state", async () => {
      const [a, b] = [await make(wasm, config), await make(js, config)];
      const before = weightBits(a);
      for (let s = 0; s < 3; s++) {
        a.trainOnBatch(X, Y);
        b.trainOnBatch(X, Y);
      }
      expect(weightBits(a)).not.toEqual(before);
      expect(maxAbsDiff(flat(a), flat(b))).toBeLessThan(1e-5);
      expect(a.optimizerRunner.state.length).toBe(stateVectorsOf(config).length);
      a.dispose();
      b.dispose();
    });

    it("saves and loads as itself with its state, and trains on bit for bit as the model never saved", async () => {
      const m = await make(wasm, config);
      for (let s = 0; s < 2; s++) m.trainOnBatch(X, Y);
      const doc = JSON.parse(JSON.stringify(saveModel(m, { optimizer: true })));
      expect(doc.optimizer).toEqual(config);
      expect(doc.optimizerState.vectors).toHaveLength(stateVectorsOf(config).length);
      const back = await loadModel(doc, { backend: wasm });
      expect(back.optimizer).toEqual(config);
      expect(saveModel(back, { optimizer: true })).toEqual(doc);
      for (let s = 0; s < 2; s++) {
        m.trainOnBatch(X, Y);
        back.trainOnBatch(X, Y);
      }
      expect(weightBits(back)).toEqual(weightBits(m));
      expect(saveModel(back, { optimizer: true })).toEqual(saveModel(m, { optimizer: true }));

      // A state vector declared non-negative refuses a negative value on load; the others take it.
      for (const [i, { nonNegative }] of stateVectorsOf(config).entries()) {
        const vectors = doc.optimizerState.vectors.slice();
        vectors[i] = encodeFloats(new Float32Array(m.net.paramCount).fill(-0.5));
        const load = loadModel({ ...doc, optimizerState: { ...doc.optimizerState, vectors } }, { backend: wasm });
        if (nonNegative)
          await expect(load).rejects.toThrow(new RegExp(`document.optimizerState.vectors\\[${i}\\]\\[0\\]`));
        else (await load).dispose();
      }
      m.dispose();
      back.dispose();
    });
  },
);

describe("the registry", () => {
  it("holds every descriptor in src/optimizers/, once, under distinct names", async () => {
    const dir = new URL("../src/optimizers/", import.meta.url);
    const found: unknown[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const module = (await import(new URL(file, dir).href)) as Record<string, unknown>;
      for (const value of Object.values(module)) {
        if (value && typeof value === "object" && "kernel" in value && "writeParams" in value) found.push(value);
      }
    }
    expect(new Set(found)).toEqual(new Set(OPTIMIZERS));
    expect(new Set(OPTIMIZERS.map((d) => d.name)).size).toBe(OPTIMIZERS.length);
  });
});

describe("lion()", () => {
  it("has Keras 3's defaults and refuses out-of-range and unknown options by name", () => {
    expect(lion()).toEqual({
      name: "lion",
      learningRate: 0.001,
      weightDecay: 0,
      clipNorm: 0,
      schedule: { name: "constant" },
      beta1: 0.9,
      beta2: 0.99,
    });
    for (const [options, name] of [
      [{ beta1: 1 }, "beta1"],
      [{ beta2: -0.1 }, "beta2"],
      [{ beta1: "0.9" }, "beta1"],
      [{ learningRate: 0 }, "learningRate"],
    ] as const) {
      expect(() => lion(options as never)).toThrow(ArgumentError);
      expect(() => lion(options as never)).toThrow(new RegExp(name));
    }
    expect(() => lion({ epsilon: 1e-8 } as never)).toThrow(/epsilon/);
  });

  it("under gradient clipping takes the same first step (a sign) and keeps the momentum of the clipped gradients", async () => {
    const [plain, clipped] = [
      await make(wasm, lion({ learningRate: 0.01 })),
      await make(wasm, lion({ learningRate: 0.01, clipNorm: 1e-3 })),
    ];
    plain.trainOnBatch(X, Y);
    clipped.trainOnBatch(X, Y);
    expect(weightBits(clipped)).toEqual(weightBits(plain));
    const m1 = wasm.read(plain.optimizerRunner.state[0]!),
      m2 = wasm.read(clipped.optimizerRunner.state[0]!);
    let larger = 0;
    for (let i = 0; i < m1.length; i++) {
      expect(Math.abs(m2[i]!)).toBeLessThanOrEqual(Math.abs(m1[i]!));
      if (Math.abs(m1[i]!) > 10 * Math.abs(m2[i]!)) larger++;
    }
    expect(larger).toBeGreaterThan(0);
    plain.dispose();
    clipped.dispose();
  });

  it("decays the kernels, not the biases, decoupled from the gradient", async () => {
    const [plain, decayed] = [
      await make(wasm, lion({ learningRate: 0.01 })),
      await make(wasm, lion({ learningRate: 0.01, weightDecay: 0.5 })),
    ];
    const w0 = plain.getWeights();
    plain.trainOnBatch(X, Y);
    decayed.trainOnBatch(X, Y);
    const [wp, wd] = [plain.getWeights(), decayed.getWeights()];
    for (let l = 0; l < w0.length; l++) {
      expect(bitsOf(wd[l]!.bias)).toEqual(bitsOf(wp[l]!.bias));
      // w (1 - lr wd) - lr u against w - lr u: the difference is lr wd w, whatever the gradient.
      w0[l]!.kernel.forEach((w, i) => expect(wp[l]!.kernel[i]! - wd[l]!.kernel[i]!).toBeCloseTo(0.01 * 0.5 * w, 6));
    }
    plain.dispose();
    decayed.dispose();
  });
});
