// The activations registry: every activation it has goes through every place that reads it
// (kernel codes in both cores, gain, default initializer, diagnostics, parameter, save/load,
// ONNX and TF.js), so an activation added in one place and forgotten in another fails here.
import { describe, expect, it } from "vitest";
import {
  ACTIVATION_SPECS,
  ACTIVATIONS,
  ROW_ACTIVATIONS,
  activationParameter,
  type ActivationName,
  type ElementwiseActivation,
} from "../src/activations.js";
import { InternalError } from "../src/errors.js";
import { createModel, gain, loadModel, saturationBound, saveModel } from "../src/index.js";
import { defaultKernelInitializer } from "../src/layers.js";
import { exportOnnx, importOnnx } from "../src/onnx/index.js";
import * as codes from "../src/kernelCodes/activationCodes.js";
import { fromTfjs, toTfjs } from "../src/tfjs/index.js";
import { js, randomArray, tensor, wasm } from "./helpers.js";

const ALL = Object.keys(ACTIVATION_SPECS) as ActivationName[];
const ELEMENTWISE = Object.keys(ACTIVATIONS) as ElementwiseActivation[];
// What a TF.js layers model cannot load, refused by toTfjs with a reason (see src/tfjs/export.ts).
const NOT_IN_TFJS: ActivationName[] = ["gelu"];

describe("the kernel codes", () => {
  it("are the shared constants file, one each, 0..n-1 with no gap", () => {
    const shared = Object.values(codes).sort((a, b) => a - b);
    expect(Object.values(ACTIVATIONS).sort((a, b) => a - b)).toEqual(shared);
    expect(shared).toEqual(shared.map((_, i) => i));
    expect(ROW_ACTIVATIONS).toEqual(ALL.filter((a) => !(ELEMENTWISE as string[]).includes(a)));
  });

  it("each dispatches in the wasm core (a missing case would trap) and matches the JS twin", () => {
    const x = randomArray(17, 3, -4, 4),
      dy = randomArray(17, 4);
    for (const name of ELEMENTWISE) {
      const alpha = activationParameter(name);
      const [fw, fj] = [wasm, js].map((b) => {
        const t = tensor(b, x);
        b.activation(name, t, t, alpha);
        return b.read(t);
      });
      const [gw, gj] = [wasm, js].map((b) => {
        const z = tensor(b, x),
          d = tensor(b, dy);
        b.activationGrad(name, z, d, d, alpha);
        return b.read(d);
      });
      for (let i = 0; i < x.length; i++) {
        expect(Math.abs(fw![i]! - fj![i]!), `${name} forward`).toBeLessThanOrEqual(
          1e-6 * Math.max(1, Math.abs(fj![i]!)),
        );
        expect(Math.abs(gw![i]! - gj![i]!), `${name} derivative`).toBeLessThanOrEqual(
          2e-6 * Math.max(1, Math.abs(gj![i]!)),
        );
      }
      // Only identity may leave its input as it is: a kernel falling through to it would.
      if (name !== "identity") expect(Array.from(fw!), name).not.toEqual(Array.from(x));
    }
  });

  it("an unknown code traps in the wasm core, forward and backward, never computing identity", () => {
    const t = tensor(wasm, [1, -2, 3]) as unknown as { ptr: number },
      n = 3;
    for (const code of [Math.max(...Object.values(ACTIVATIONS)) + 1, -1, 1000]) {
      expect(() => wasm.core.activationForward(code, t.ptr, t.ptr, n, 0)).toThrow(InternalError);
      expect(() => wasm.core.activationForward(code, t.ptr, t.ptr, n, 0)).toThrow(
        /wasm trap in activationForward.*unreachable/,
      );
      expect(() => wasm.core.activationBackward(code, t.ptr, t.ptr, t.ptr, n, 0)).toThrow(
        /wasm trap in activationBackward.*unreachable/,
      );
    }
  });
});

describe("every activation through every consumer", () => {
  it.each(ALL)("%s: gain, default initializer, diagnostics range and saturation bound", (name) => {
    const spec = ACTIVATION_SPECS[name];
    expect(gain(name)).toBeGreaterThan(0);
    expect(Number.isFinite(gain(name))).toBe(true);
    const initializer = defaultKernelInitializer(name, activationParameter(name));
    expect(typeof initializer.fill).toBe("function");
    expect(initializer.moments(8, 8).std).toBeGreaterThan(0);
    expect(spec.range[0]).toBeLessThan(spec.range[1]);
    const bound = saturationBound(name, 0.01);
    expect(bound === null || bound > 0).toBe(true);
    expect(bound === null).toBe(spec.saturationBound === null);
  });

  it.each(ALL)("%s: a model with it trains, saves, loads and goes to ONNX and TF.js and back", async (name) => {
    const rowWise = ROW_ACTIVATIONS.includes(name);
    const model = await createModel({
      inputs: 3,
      seed: 7,
      loss: rowWise ? "softmaxCrossEntropy" : "meanSquaredError",
      layers: rowWise ? [{ units: 5 }, { units: 3, activation: name }] : [{ units: 5, activation: name }, { units: 2 }],
    });
    const x = { data: randomArray(8 * 3, 9, -2, 2), shape: [8, 3] as [number, number] };
    await model.fit(x, rowWise ? [0, 1, 2, 0, 1, 2, 0, 1] : { data: randomArray(16, 10), shape: [8, 2] }, {
      epochs: 2,
      batchSize: 4,
    });
    const want = Array.from(model.predict(x).data);
    expect(want.every(Number.isFinite)).toBe(true);
    const loaded = await loadModel(saveModel(model));
    expect(loaded.activations).toEqual(model.activations);
    expect(Array.from(loaded.predict(x).data)).toEqual(want);
    const onnx = await importOnnx(exportOnnx(model));
    expect(onnx.activations).toEqual(model.activations);
    expect(Array.from(onnx.predict(x).data)).toEqual(want);
    if (NOT_IN_TFJS.includes(name)) {
      expect(() => toTfjs(model)).toThrow(/expected an activation TF.js can load/);
    } else {
      expect((await fromTfjs(toTfjs(model))).activations).toEqual(model.activations);
    }
  });
});
