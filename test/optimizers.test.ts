// The optimizer update kernels (Backend.optimizerStep): wasm against its JS twin bit for bit on
// the edge-size grid, each formula against a float64 reference written here (PyTorch's
// torch.optim for SGD, Adam and RMSprop; Keras 3 / optax for Lion).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { UPDATE_KERNELS, type Backend, type UpdateKernel } from "../src/backend/backend.js";
import {
  ADAM_BETA1,
  ADAM_BETA2,
  ADAM_DECOUPLED,
  ADAM_EPS,
  ADAM_INV_ROOT_BC2,
  ADAM_STEP_SIZE,
  LION_BETA1,
  LION_BETA2,
  PARAM_DECAY,
  PARAM_GRAD_SCALE,
  PARAM_LR,
  RMSPROP_EPS,
  RMSPROP_RHO,
  SGD_MOMENTUM,
  SGD_NESTEROV,
  UPDATE_PARAMS,
} from "../src/kernelCodes/updateParams.js";
import { ELEMENTWISE_SIZES } from "./edge-sizes.js";
import { bitsOf, js, randomArray, tensor, wasm } from "./helpers.js";

/** A parameter block from slot -> value pairs; the other slots are 0. */
function block(values: Record<number, number>): Float32Array {
  const p = new Float32Array(UPDATE_PARAMS);
  for (const [slot, v] of Object.entries(values)) p[Number(slot)] = v;
  return p;
}
const common = (lr: number, decay: number, gradScale: number) => ({
  [PARAM_LR]: lr,
  [PARAM_DECAY]: decay,
  [PARAM_GRAD_SCALE]: gradScale,
});

const sgd = { ...common(0.1, 0.01, 0.7), [SGD_MOMENTUM]: 0.9, [SGD_NESTEROV]: 1 };
const adam = {
  ...common(0.01, 0.02, 1),
  [ADAM_BETA1]: 0.9,
  [ADAM_BETA2]: 0.999,
  [ADAM_EPS]: 1e-8,
  [ADAM_DECOUPLED]: 1,
  [ADAM_STEP_SIZE]: 0.01 / (1 - 0.9),
  [ADAM_INV_ROOT_BC2]: 1 / Math.sqrt(1 - 0.999),
};
const rmsprop = { ...common(0.01, 0, 1), [RMSPROP_RHO]: 0.9, [RMSPROP_EPS]: 1e-8 };
const lion = { ...common(0.01, 0.1, 0.8), [LION_BETA1]: 0.9, [LION_BETA2]: 0.99 };

/** Every kernel in each of its modes. */
const CASES: [UpdateKernel, string, Float32Array][] = [
  ["sgd", "nesterov", block(sgd)],
  ["sgd", "momentum", block({ ...sgd, [SGD_NESTEROV]: 0 })],
  ["sgd", "plain", block({ ...sgd, [SGD_MOMENTUM]: 0, [SGD_NESTEROV]: 0 })],
  ["adam", "decoupled (AdamW)", block(adam)],
  ["adam", "L2", block({ ...adam, [ADAM_DECOUPLED]: 0 })],
  ["rmsprop", "", block(rmsprop)],
  ["rmsprop", "L2", block({ ...rmsprop, [PARAM_DECAY]: 0.05 })],
  ["lion", "decayed, clipped", block(lion)],
  ["lion", "plain", block({ ...lion, [PARAM_DECAY]: 0, [PARAM_GRAD_SCALE]: 1 })],
];

/** Runs `steps` updates from seeded weights and zero state; returns the weights and the state vectors. */
function run(
  backend: Backend,
  kernel: UpdateKernel,
  n: number,
  seed: number,
  p: Float32Array,
  steps = 3,
  grads?: Float32Array[],
): Float32Array[] {
  const w = tensor(backend, randomArray(n, seed));
  const state = Array.from({ length: UPDATE_KERNELS[kernel].stateTensors(p) }, () =>
    tensor(backend, new Float32Array(n)),
  );
  for (let s = 0; s < steps; s++)
    backend.optimizerStep(kernel, w, tensor(backend, grads?.[s] ?? randomArray(n, seed + 100 + s)), state, p);
  return [w, ...state].map((t) => backend.read(t));
}

describe("optimizer kernels", () => {
  it("every update kernel has cases here", () => {
    expect(new Set(CASES.map(([k]) => k))).toEqual(new Set(Object.keys(UPDATE_KERNELS)));
  });

  it.each(ELEMENTWISE_SIZES)(
    "wasm and js give the same bits, and every kernel moves the weights, %i parameters",
    (n) => {
      for (const [kernel, mode, p] of CASES) {
        const a = run(wasm, kernel, n, n, p),
          b = run(js, kernel, n, n, p);
        expect(a.length).toBe(b.length);
        a.forEach((got, i) => expect(bitsOf(got), `${kernel} ${mode} output ${i}`).toEqual(bitsOf(b[i]!)));
        expect(bitsOf(a[0]!), `${kernel} ${mode} left the weights as they were`).not.toEqual(bitsOf(randomArray(n, n)));
      }
    },
  );

  it("SGD with momentum follows torch.optim.SGD in float64", () => {
    const w0 = randomArray(5, 1),
      g1 = randomArray(5, 101),
      g2 = randomArray(5, 102);
    for (const nesterov of [0, 1]) {
      const [w] = run(wasm, "sgd", 5, 1, block({ ...sgd, [SGD_NESTEROV]: nesterov }), 2);
      for (let i = 0; i < 5; i++) {
        let x = w0[i]!,
          v = 0;
        for (const g of [g1[i]!, g2[i]!]) {
          const gi = 0.7 * g + 0.01 * x;
          v = 0.9 * v + gi;
          x -= 0.1 * (nesterov ? gi + 0.9 * v : v);
        }
        expect(w![i]).toBeCloseTo(x, 6);
      }
    }
  });

  it("Adam's first step moves each weight by lr against its gradient's sign (bias-corrected)", () => {
    const w0 = randomArray(33, 4),
      g = randomArray(33, 104);
    const [w] = run(wasm, "adam", 33, 4, block({ ...adam, [PARAM_DECAY]: 0 }), 1);
    for (let i = 0; i < 33; i++) expect(w![i]! - w0[i]!).toBeCloseTo(-0.01 * Math.sign(g[i]!), 5);
  });

  it("AdamW shrinks weights by lr * decay independently of the gradient; Adam+L2 does not", () => {
    const p = { ...adam, [PARAM_DECAY]: 0.5, [ADAM_STEP_SIZE]: 0, [PARAM_LR]: 0.1 }; // stepSize 0 isolates the decay
    const [w] = run(wasm, "adam", 5, 5, block(p), 1),
      w0 = randomArray(5, 5);
    for (let i = 0; i < 5; i++) expect(w![i]).toBeCloseTo(w0[i]! * 0.95, 6);
    const [w2] = run(wasm, "adam", 5, 5, block({ ...p, [ADAM_DECOUPLED]: 0 }), 1);
    for (let i = 0; i < 5; i++) expect(w2![i]).toBe(w0[i]);
  });

  it("RMSprop follows torch.optim.RMSprop in float64", () => {
    const w0 = randomArray(17, 7);
    const [w] = run(wasm, "rmsprop", 17, 7, block(rmsprop), 3);
    for (let i = 0; i < 17; i++) {
      let x = w0[i]!,
        s = 0;
      for (let k = 0; k < 3; k++) {
        const g = randomArray(17, 107 + k)[i]!;
        s = 0.9 * s + 0.1 * g * g;
        x -= (0.01 * g) / (Math.sqrt(s) + 1e-8);
      }
      expect(w![i]).toBeCloseTo(x, 5);
    }
  });

  it("any length, any scalars: wasm == js bit for bit (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.float({ min: 0, max: 1, noNaN: true }),
        fc.float({ min: 0, max: Math.fround(0.99), noNaN: true }),
        fc.boolean(),
        (n, seed, lr, mu, nesterov) => {
          const p = block({ ...sgd, [PARAM_LR]: lr, [SGD_MOMENTUM]: mu, [SGD_NESTEROV]: nesterov && mu > 0 ? 1 : 0 });
          const a = run(wasm, "sgd", n, seed, p),
            b = run(js, "sgd", n, seed, p);
          expect(bitsOf(a[0]!)).toEqual(bitsOf(b[0]!));
        },
      ),
      { numRuns: 50, seed: 22 },
    );
  });
});

describe("Lion (Chen et al. 2023, as Keras 3 and optax)", () => {
  /** Keras 3's Lion in float64, with the decay applied as its base optimizer does (decoupled,
   *  w -= lr wd w) and g the clipped gradient. */
  function lion64(
    w0: Float32Array,
    grads: Float32Array[],
    lr: number,
    b1: number,
    b2: number,
    wd: number,
    gradScale: number,
  ) {
    const w = Float64Array.from(w0),
      m = new Float64Array(w0.length);
    for (const g of grads) {
      for (let i = 0; i < w.length; i++) {
        const gi = gradScale * g[i]!;
        const update = Math.sign(b1 * m[i]! + (1 - b1) * gi);
        w[i] = w[i]! - lr * wd * w[i]! - lr * update;
        m[i] = b2 * m[i]! + (1 - b2) * gi;
      }
    }
    return { w, m };
  }

  it.each([1, 7, 33])("follows the float64 reference over five steps with decay and clipping, %i parameters", (n) => {
    const grads = Array.from({ length: 5 }, (_, s) => randomArray(n, 300 + s));
    for (const backend of [wasm, js]) {
      const [w, m] = run(backend, "lion", n, 3, block(lion), 5, grads);
      const want = lion64(randomArray(n, 3), grads, 0.01, 0.9, 0.99, 0.1, 0.8);
      for (let i = 0; i < n; i++) {
        expect(w![i]).toBeCloseTo(want.w[i]!, 6);
        expect(m![i]).toBeCloseTo(want.m[i]!, 6);
      }
    }
  });

  it("moves every weight by exactly lr against its gradient's sign on the first step; a zero gradient moves nothing", () => {
    const n = 17,
      g = randomArray(n, 5);
    g[3] = 0;
    g[8] = -0;
    const p = block({ ...lion, [PARAM_DECAY]: 0 });
    const [w, m] = run(wasm, "lion", n, 9, p, 1, [g]),
      w0 = randomArray(n, 9),
      lr = Math.fround(0.01);
    for (let i = 0; i < n; i++) expect(w![i]).toBe(Math.fround(w0[i]! - lr * Math.sign(g[i]!)));
    expect(w![3]).toBe(w0[3]);
    expect(m![8]).toBe(0);
  });

  it("clipping scales the momentum but not the first step's size: the update is a sign", () => {
    const n = 9,
      g = randomArray(n, 6);
    const [w1, m1] = run(wasm, "lion", n, 2, block({ ...lion, [PARAM_GRAD_SCALE]: 1 }), 1, [g]);
    const [w2, m2] = run(wasm, "lion", n, 2, block({ ...lion, [PARAM_GRAD_SCALE]: 0.25 }), 1, [g]);
    expect(bitsOf(w2!)).toEqual(bitsOf(w1!));
    for (let i = 0; i < n; i++) expect(m2![i]).toBeCloseTo(m1![i]! * 0.25, 7);
  });

  it("a NaN gradient leaves its weight where it was (sign(NaN) = 0) on both backends", () => {
    const g = randomArray(6, 7);
    g[2] = NaN;
    const p = block({ ...lion, [PARAM_DECAY]: 0 });
    const a = run(wasm, "lion", 6, 1, p, 1, [g]),
      b = run(js, "lion", 6, 1, p, 1, [g]);
    expect(a[0]![2]).toBe(randomArray(6, 1)[2]);
    expect(bitsOf(a[0]!)).toEqual(bitsOf(b[0]!));
  });
});

describe("optimizer kernels out of place", () => {
  it.each(ELEMENTWISE_SIZES)(
    "writing to other tensors gives what in place gives and leaves the inputs alone, %i parameters",
    (n) => {
      for (const backend of [wasm, js]) {
        for (const [kernel, mode, p] of CASES) {
          const count = UPDATE_KERNELS[kernel].stateTensors(p);
          const w0 = randomArray(n, 1),
            g0 = randomArray(n, 2);
          const s0 = Array.from({ length: count }, (_, i) => randomArray(n, 3 + i, 0, 0.1)),
            start = [w0, ...s0];
          const inPlace = start.map((a) => tensor(backend, a));
          backend.optimizerStep(kernel, inPlace[0]!, tensor(backend, g0), inPlace.slice(1), p);
          const inputs = start.map((a) => tensor(backend, a)),
            outs = start.map(() => backend.alloc(n));
          backend.optimizerStep(kernel, inputs[0]!, tensor(backend, g0), inputs.slice(1), p, {
            w: outs[0]!,
            state: outs.slice(1),
          });
          outs.forEach((t, i) =>
            expect(bitsOf(backend.read(t)), `${kernel} ${mode} ${i}`).toEqual(bitsOf(backend.read(inPlace[i]!))),
          );
          inputs.forEach((t, i) => expect(bitsOf(backend.read(t))).toEqual(bitsOf(start[i]!)));
        }
      }
    },
  );
});
