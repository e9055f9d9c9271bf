import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ACTIVATIONS, type ElementwiseActivation } from "../src/activations.js";
import type { Backend } from "../src/backend/backend.js";
import { bitsOf, js, randomArray, tensor, wasm } from "./helpers.js";
import { ELEMENTWISE_SIZES } from "./edge-sizes.js";

// Textbook definitions in float64, written independently of both backends.
const SELU_A = 1.6732632423543772,
  SELU_S = 1.0507009873554805;
const textbook: Record<ElementwiseActivation, (x: number, alpha: number) => number> = {
  identity: (x) => x,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: (x) => Math.tanh(x),
  relu: (x) => Math.max(0, x),
  leakyRelu: (x, a) => (x > 0 ? x : a * x),
  elu: (x, a) => (x > 0 ? x : a * Math.expm1(x)),
  selu: (x) => SELU_S * (x > 0 ? x : SELU_A * Math.expm1(x)),
  softplus: (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
  silu: (x) => x / (1 + Math.exp(-x)),
  gelu: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  mish: (x) => x * Math.tanh(Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0)),
};
const NAMES = Object.keys(ACTIVATIONS) as ElementwiseActivation[];
const alphaOf = (name: ElementwiseActivation): number => (name === "leakyRelu" ? 0.01 : name === "elu" ? 1 : 0);
const KINKS: Partial<Record<ElementwiseActivation, number>> = { relu: 0, leakyRelu: 0, elu: 0, selu: 0 };

function forward(backend: Backend, name: ElementwiseActivation, x: Float32Array, alpha = alphaOf(name)): Float32Array {
  const t = tensor(backend, x);
  backend.activation(name, t, t, alpha);
  const out = backend.read(t);
  backend.free(t);
  return out;
}

function derivative(
  backend: Backend,
  name: ElementwiseActivation,
  z: Float32Array,
  alpha = alphaOf(name),
): Float32Array {
  const tz = tensor(backend, z),
    td = tensor(backend, new Float32Array(z.length).fill(1));
  backend.activationGrad(name, tz, td, td, alpha);
  const out = backend.read(td);
  backend.free(tz);
  backend.free(td);
  return out;
}

// [-30, 30] densely, plus magnitudes down to the subnormals (tanh, GELU... near 0).
const grid = (() => {
  const xs: number[] = [];
  for (let i = -300000; i <= 300000; i += 3) xs.push(i / 10000);
  for (let e = -45; e <= 0; e += 0.25) xs.push(10 ** e, -(10 ** e));
  return Float32Array.from(xs);
})();

// The accuracy contract of docs/kernels.md: relative 1e-5 where |f| >= 1e-3, absolute 1e-6 below.
function worst(
  got: Float32Array,
  want: (x: number) => number,
  xs: Float32Array,
): { rel: number; abs: number; at: number } {
  let rel = 0,
    abs = 0,
    at = NaN;
  for (let i = 0; i < xs.length; i++) {
    const w = want(xs[i]!),
      g = got[i]!,
      e = Math.abs(g - w);
    if (Math.abs(w) >= 1e-3) {
      if (e / Math.abs(w) > rel) {
        rel = e / Math.abs(w);
        at = xs[i]!;
      }
    } else if (e > abs) {
      abs = e;
      if (rel === 0) at = xs[i]!;
    }
  }
  return { rel, abs, at };
}

describe("activations: accuracy against float64 over [-30, 30]", () => {
  for (const name of NAMES) {
    it(`${name}: forward within 1e-5 relative / 1e-6 absolute`, () => {
      const w = worst(forward(wasm, name, grid), (x) => textbook[name](x, alphaOf(name)), grid);
      expect(w.rel, `worst relative error at ${w.at}`).toBeLessThanOrEqual(1e-5);
      expect(w.abs).toBeLessThanOrEqual(1e-6);
    });
  }

  it("logistic and tanh: max absolute error <= 5e-7", () => {
    for (const name of ["sigmoid", "tanh"] as const) {
      const got = forward(wasm, name, grid);
      let m = 0;
      for (let i = 0; i < grid.length; i++) m = Math.max(m, Math.abs(got[i]! - textbook[name](grid[i]!, 0)));
      expect(m, name).toBeLessThanOrEqual(5e-7);
    }
  });

  it("tanh keeps full relative precision near 0 (no cancellation)", () => {
    const xs = Float32Array.from([1e-30, 1e-12, 1e-7, 3e-4, 0.01, 0.3, 0.6249, 0.6251].flatMap((x) => [x, -x]));
    const got = forward(wasm, "tanh", xs);
    for (let i = 0; i < xs.length; i++) expect(Math.abs(got[i]! / Math.tanh(xs[i]!) - 1)).toBeLessThan(3e-7);
  });
});

describe("activations: derivatives against float64 central differences", () => {
  // The points: a grid over [-30, 30], away from kinks where the derivative is one-sided.
  const pts = Float32Array.from(
    Array.from({ length: 6001 }, (_, i) => -30 + i * 0.01).filter((x) => Math.abs(x) > 2e-3),
  );
  for (const name of NAMES) {
    it(`${name}: wasm and pure-JS derivatives match (f(x+h) - f(x-h)) / 2h`, () => {
      const f = (x: number): number => textbook[name](x, alphaOf(name));
      const fd = (x: number): number => {
        const h = 1e-6 * Math.max(1, Math.abs(x));
        const k = KINKS[name];
        if (k !== undefined && Math.abs(x - k) < 2 * h) return NaN;
        return (f(x + h) - f(x - h)) / (2 * h);
      };
      for (const backend of [wasm, js]) {
        const w = worst(derivative(backend, name, pts), fd, pts);
        expect(w.rel, `${backend.name}: worst relative error at ${w.at}`).toBeLessThanOrEqual(1e-5);
        expect(w.abs, backend.name).toBeLessThanOrEqual(1e-6);
      }
    });
  }

  it("derivatives also meet the accuracy contract against the analytic float64 derivative", () => {
    // Far tails, where finite differences lose all digits but the analytic form does not.
    const xs = Float32Array.from([-30, -20, -12, -9, -6.9, 6.9, 9, 12, 20, 30]);
    const exact: Partial<Record<ElementwiseActivation, (x: number) => number>> = {
      sigmoid: (x) => Math.exp(-Math.abs(x)) / (1 + Math.exp(-Math.abs(x))) ** 2,
      tanh: (x) => 1 / Math.cosh(x) ** 2,
      softplus: (x) => 1 / (1 + Math.exp(-x)),
      elu: (x) => (x > 0 ? 1 : Math.exp(x)),
      mish: (x) => {
        const t = Math.tanh(Math.log1p(Math.exp(x)));
        return t + (x * (1 - t * t)) / (1 + Math.exp(-x));
      },
    };
    for (const [name, d] of Object.entries(exact) as [ElementwiseActivation, (x: number) => number][]) {
      const w = worst(derivative(wasm, name, xs), d, xs);
      expect(w.rel, name).toBeLessThanOrEqual(1e-5);
      expect(w.abs, name).toBeLessThanOrEqual(1e-6);
    }
  });
});

describe("activations: wasm core against the pure-JS path", () => {
  for (const n of ELEMENTWISE_SIZES) {
    it(`length ${n}: forward and backward agree, tails included`, () => {
      const x = randomArray(n, n, -8, 8),
        dy = randomArray(n, n + 1);
      for (const name of NAMES) {
        const a = forward(wasm, name, x),
          b = forward(js, name, x);
        for (let i = 0; i < n; i++)
          expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b[i]!)));
        const grads = [wasm, js].map((backend) => {
          const tz = tensor(backend, x),
            tdy = tensor(backend, dy),
            tdz = backend.alloc(n);
          backend.activationGrad(name, tz, tdy, tdz, alphaOf(name));
          return backend.read(tdz);
        });
        for (let i = 0; i < n; i++)
          expect(Math.abs(grads[0]![i]! - grads[1]![i]!)).toBeLessThanOrEqual(
            2e-6 * Math.max(1, Math.abs(grads[1]![i]!)),
          );
      }
    });
  }

  it("an element's result does not depend on its position (vector body or tail)", () => {
    const x = randomArray(37, 9, -10, 10);
    for (const name of NAMES) {
      const whole = forward(wasm, name, x);
      for (let start = 0; start < 8; start++) {
        const part = forward(wasm, name, x.subarray(start, start + 5));
        expect(Array.from(bitsOf(part))).toEqual(Array.from(bitsOf(whole.subarray(start, start + 5))));
      }
    }
  });

  it("leaky ReLU and ELU honour their parameter", () => {
    const x = Float32Array.from([-2, -0.5, 0.5]);
    expect(Array.from(forward(wasm, "leakyRelu", x, 0.2))).toEqual(Array.from(Float32Array.from([-0.4, -0.1, 0.5])));
    expect(Array.from(derivative(wasm, "leakyRelu", x, 0.2))).toEqual(Array.from(Float32Array.from([0.2, 0.2, 1])));
    const elu = forward(wasm, "elu", x, 2);
    expect(elu[0]).toBeCloseTo(2 * Math.expm1(-2), 6);
  });
});

describe("Mish (Misra 2019) as PyTorch's nn.Mish defines it: x * tanh(softplus(x))", () => {
  // torch.nn.functional.softplus: x itself above its threshold of 20, else log1p(exp(x)).
  const softplus = (x: number): number => (x > 20 ? x : Math.log1p(Math.exp(x)));
  const mish = (x: number): number => x * Math.tanh(softplus(x));
  const mishDerivative = (x: number): number => {
    const t = Math.tanh(softplus(x));
    return t + (x * (1 - t * t)) / (1 + Math.exp(-x));
  };

  it("known values, from the definition in float64", () => {
    const xs = Float32Array.from([1, -1, 0.5, -3, 5, 0]);
    const want = [
      0.8650983882673103, -0.30340146137410895, 0.3752452113048951, -0.1456474612756246, 4.999552077529406, 0,
    ];
    for (const backend of [wasm, js]) {
      const got = forward(backend, "mish", xs);
      want.forEach((w, i) =>
        expect(Math.abs(got[i]! - w), `${backend.name} mish(${xs[i]})`).toBeLessThanOrEqual(
          1e-6 * Math.max(1, Math.abs(w)),
        ),
      );
    }
    // the test's own definition agrees
    for (let i = 0; i < xs.length; i++) expect(mish(xs[i]!)).toBeCloseTo(want[i]!, 14);
  });

  for (const n of [1, 3, 5, 17, 33, 65, 1000]) {
    it(`length ${n}: forward and derivative within the accuracy contract, both cores`, () => {
      const x = randomArray(n, 100 + n, -25, 25);
      for (const backend of [wasm, js]) {
        const f = worst(forward(backend, "mish", x), mish, x);
        expect(f.rel, `${backend.name} forward at ${f.at}`).toBeLessThanOrEqual(1e-5);
        expect(f.abs, backend.name).toBeLessThanOrEqual(1e-6);
        const d = worst(derivative(backend, "mish", x), mishDerivative, x);
        expect(d.rel, `${backend.name} derivative at ${d.at}`).toBeLessThanOrEqual(1e-5);
        expect(d.abs, backend.name).toBeLessThanOrEqual(1e-6);
      }
    });
  }

  it("keeps relative precision where its derivative crosses zero (z = -1.19243)", () => {
    // The two terms of tanh(sp) + z sech^2(sp) sigmoid(z) cancel there; float32 alone would keep no digits.
    const xs = Float32Array.from({ length: 2001 }, (_, i) => -1.3 + i * 1e-4);
    const d = worst(derivative(wasm, "mish", xs), mishDerivative, xs);
    expect(d.rel, `worst at ${d.at}`).toBeLessThanOrEqual(1e-5);
    expect(d.abs).toBeLessThanOrEqual(1e-6);
    const near = Float32Array.of(-1.1924312);
    expect(Math.abs(derivative(wasm, "mish", near)[0]!)).toBeLessThan(1e-7);
  });
});

describe("activations: non-finite inputs follow IEEE rules", () => {
  it("NaN in, NaN out, forward and derivative, every activation", () => {
    const x = Float32Array.from([NaN, 1, NaN, -1, NaN]);
    for (const name of NAMES) {
      for (const backend of [wasm, js]) {
        const f = forward(backend, name, x),
          d = derivative(backend, name, x);
        for (const i of [0, 2, 4]) {
          expect(Number.isNaN(f[i]), `${backend.name} ${name} forward`).toBe(true);
          expect(Number.isNaN(d[i]), `${backend.name} ${name} derivative`).toBe(true);
        }
      }
    }
  });

  it("infinities saturate where the function has a limit", () => {
    const x = Float32Array.from([Infinity, -Infinity]);
    const expectPair = (name: ElementwiseActivation, want: [number, number]): void => {
      for (const backend of [wasm, js])
        expect(Array.from(forward(backend, name, x)), `${backend.name} ${name}`).toEqual(want);
    };
    expectPair("sigmoid", [1, 0]);
    expectPair("tanh", [1, -1]);
    expectPair("relu", [Infinity, 0]);
    expectPair("elu", [Infinity, -1]);
    expectPair("softplus", [Infinity, 0]);
  });

  it("derivatives at +-inf are the limits where the formula has one", () => {
    const x = Float32Array.from([Infinity, -Infinity]);
    const limits: Partial<Record<ElementwiseActivation, [number, number]>> = {
      identity: [1, 1],
      sigmoid: [0, 0],
      tanh: [0, 0],
      relu: [1, 0],
      leakyRelu: [1, 0.01],
      elu: [1, 0],
      softplus: [1, 0],
    };
    for (const [name, want] of Object.entries(limits) as [ElementwiseActivation, [number, number]][]) {
      for (const backend of [wasm, js]) {
        expect(Array.from(derivative(backend, name, x)), `${backend.name} ${name}`).toEqual(
          Array.from(Float32Array.from(want)),
        );
      }
    }
  });
});

describe("activations: property tests", () => {
  it("wasm and pure-JS agree for any finite float32 input, including subnormals and huge values", () => {
    const f32 = fc.float({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(fc.array(f32, { minLength: 1, maxLength: 40 }), fc.constantFrom(...NAMES), (xs, name) => {
        const x = Float32Array.from(xs);
        const a = forward(wasm, name, x),
          b = forward(js, name, x);
        for (let i = 0; i < x.length; i++) {
          const tol = Math.max(1e-6, 2e-6 * Math.abs(b[i]!));
          if (!(Math.abs(a[i]! - b[i]!) <= tol) && !Object.is(a[i], b[i])) {
            throw new Error(`${name}(${x[i]}): wasm ${a[i]} js ${b[i]}`);
          }
        }
      }),
      { numRuns: 300, seed: 23 },
    );
  });
});
