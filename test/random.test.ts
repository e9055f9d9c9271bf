import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Backend } from "../src/backend/backend.js";
import { next } from "../src/backend/js/random.js";
import { normalCdf } from "../src/normal.js";
import { bitsOf, js, meanStd, wasm } from "./helpers.js";
import { ELEMENTWISE_SIZES } from "./edge-sizes.js";

function draw(
  backend: Backend,
  n: number,
  seed: number,
  stream: number,
  fill: (b: Backend, r: ReturnType<Backend["random"]>, t: ReturnType<Backend["alloc"]>) => void,
): Float32Array {
  const rng = backend.random(seed, stream),
    t = backend.alloc(n);
  fill(backend, rng, t);
  const out = backend.read(t);
  backend.free(t);
  backend.freeRandom(rng);
  return out;
}
const bitsFill = (b: Backend, r: ReturnType<Backend["random"]>, t: ReturnType<Backend["alloc"]>): void =>
  b.fillBits(r, t);

describe("random: the generator", () => {
  it("xoshiro128** matches the reference output sequence for a known state", () => {
    // Reference: the published C code (prng.di.unimi.it/xoshiro128starstar.c) from s = {1, 2, 3, 4}.
    const s = Uint32Array.from([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]);
    const out = new Uint32Array(4),
      seq: number[] = [];
    for (let i = 0; i < 4; i++) {
      next(s, out);
      seq.push(out[0]!);
    }
    // rotl(2 * 5, 7) * 9 = 11520, then the state advances as in the C code.
    expect(seq[0]).toBe(11520);
    expect(seq).toEqual(referenceXoshiro([1, 2, 3, 4], 4));
  });

  it("the wasm stream equals the pure-JS stream bit for bit, any length", () => {
    for (const [seed, stream, n] of [
      [0, 0, 1],
      [1, 0, 7],
      [42, 3, 1000],
      [0xffffffff, 0xffffffff, 33],
    ] as const) {
      const a = draw(wasm, n, seed, stream, bitsFill),
        b = draw(js, n, seed, stream, bitsFill);
      expect(Array.from(bitsOf(a))).toEqual(Array.from(bitsOf(b)));
    }
  });

  it.each(ELEMENTWISE_SIZES)(
    "on the edge-size grid, %i floats: bits, uniform, normal and truncated normal as the pure-JS twin",
    (n) => {
      const fills: ((b: Backend, r: ReturnType<Backend["random"]>, t: ReturnType<Backend["alloc"]>) => void)[] = [
        bitsFill,
        (b, r, t) => b.fillUniform(r, t, -0.5, 2),
        (b, r, t) => b.fillNormal(r, t, 1, 0.5),
        (b, r, t) => b.fillTruncatedNormal(r, t, 0, 1, -2, 2),
      ];
      for (const [i, fill] of fills.entries()) {
        const a = draw(wasm, n, n, i, fill),
          b = draw(js, n, n, i, fill);
        // Normals go through exp and log approximations: equal to float32 rounding, not bits.
        if (i < 2) expect(Array.from(bitsOf(a)), `fill ${i}`).toEqual(Array.from(bitsOf(b)));
        else
          a.forEach((v, j) =>
            expect(Math.abs(v - b[j]!), `fill ${i} at ${j}`).toBeLessThanOrEqual(2e-5 * Math.max(1, Math.abs(b[j]!))),
          );
      }
    },
  );

  it("uniform floats are bit-identical between wasm and pure JS", () => {
    for (const [lo, hi] of [
      [0, 1],
      [-0.05, 0.05],
      [-3.7, 1e-3],
      [5, 5],
      [-1e-30, 0],
    ] as const) {
      const fill = (b: Backend, r: ReturnType<Backend["random"]>, t: ReturnType<Backend["alloc"]>): void =>
        b.fillUniform(r, t, lo, hi);
      expect(Array.from(bitsOf(draw(wasm, 1001, 7, 1, fill)))).toEqual(Array.from(bitsOf(draw(js, 1001, 7, 1, fill))));
    }
  });

  it("same seed gives the same bits twice; other seeds and other streams differ; seed 0 is valid", () => {
    const a = draw(wasm, 256, 0, 0, bitsFill),
      b = draw(wasm, 256, 0, 0, bitsFill);
    expect(Array.from(bitsOf(a))).toEqual(Array.from(bitsOf(b)));
    const others = [draw(wasm, 256, 1, 0, bitsFill), draw(wasm, 256, 0, 1, bitsFill), draw(wasm, 256, 1, 1, bitsFill)];
    for (const o of others) {
      const same = bitsOf(o).filter((v, i) => v === bitsOf(a)[i]).length;
      expect(same).toBeLessThan(3);
    }
    expect(new Set(bitsOf(a)).size).toBeGreaterThan(250); // seed 0 is not a degenerate state
  });

  it("bits are balanced: each of the 32 bit positions is set about half the time", () => {
    const n = 1 << 16,
      v = bitsOf(draw(wasm, n, 123, 0, bitsFill));
    for (let bit = 0; bit < 32; bit++) {
      let ones = 0;
      for (let i = 0; i < n; i++) ones += (v[i]! >>> bit) & 1;
      expect(Math.abs(ones / n - 0.5)).toBeLessThan((5 * 0.5) / Math.sqrt(n)); // 5 sigma
    }
  });
});

describe("random: distributions", () => {
  const N = 1 << 18;
  // 5-sigma bounds on the sample mean and std of N draws.
  const meanTol = (std: number): number => (5 * std) / Math.sqrt(N);
  const stdTol = (std: number): number => ((5 * std) / Math.sqrt(2 * N)) * 1.5; // 1.5: excess kurtosis margin

  it("uniform [lo, hi): moments, bounds, lo == hi", () => {
    for (const backend of [wasm, js]) {
      const x = draw(backend, N, 5, 0, (b, r, t) => b.fillUniform(r, t, -2, 3));
      const { mean, std } = meanStd(x);
      expect(Math.abs(mean - 0.5)).toBeLessThan(meanTol(5 / Math.sqrt(12)));
      expect(Math.abs(std - 5 / Math.sqrt(12))).toBeLessThan(stdTol(5 / Math.sqrt(12)));
      expect(x.every((v) => v >= -2 && v < 3)).toBe(true);
      expect(draw(backend, 9, 5, 0, (b, r, t) => b.fillUniform(r, t, 0.25, 0.25)).every((v) => v === 0.25)).toBe(true);
    }
  });

  it("normal: moments, symmetry and the 1/2/3-sigma mass", () => {
    for (const backend of [wasm, js]) {
      const x = draw(backend, N, 6, 0, (b, r, t) => b.fillNormal(r, t, 1.5, 2));
      const { mean, std } = meanStd(x);
      expect(Math.abs(mean - 1.5)).toBeLessThan(meanTol(2));
      expect(Math.abs(std - 2)).toBeLessThan(stdTol(2));
      for (const k of [1, 2, 3]) {
        const inside = x.filter((v) => Math.abs(v - 1.5) <= 2 * k).length / N;
        const p = 2 * normalCdf(k) - 1;
        expect(Math.abs(inside - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N));
      }
    }
  });

  it("normal: wasm and pure JS draw the same values to float32 rounding", () => {
    const a = draw(wasm, 1003, 9, 2, (b, r, t) => b.fillNormal(r, t, 0, 1));
    const b = draw(js, 1003, 9, 2, (bk, r, t) => bk.fillNormal(r, t, 0, 1));
    for (let i = 0; i < a.length; i++)
      expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(2e-6 * Math.max(1, Math.abs(b[i]!)));
  });

  it("truncated normal: wasm and pure JS keep the same draws (rejection and inversion)", () => {
    for (const [lo, hi] of [
      [-2, 2],
      [1, 1.5],
    ] as const) {
      const fill = (b: Backend, r: ReturnType<Backend["random"]>, t: ReturnType<Backend["alloc"]>): void =>
        b.fillTruncatedNormal(r, t, 0.5, 2, lo, hi);
      const a = draw(wasm, 2003, 4, 1, fill),
        b = draw(js, 2003, 4, 1, fill);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `[${lo}, ${hi}] at ${i}`).toBeLessThan(1e-5);
    }
  });

  it("truncated normal, both sampling methods: bounds respected, moments as the formula", () => {
    // [-2, 2]: rejection. [1, 1.5], [2.5, 6] and [-9, -4]: inversion of the CDF.
    for (const [lo, hi] of [
      [-2, 2],
      [1, 1.5],
      [2.5, 6],
      [-9, -4],
      [-0.3, 0.1],
    ] as const) {
      for (const backend of [wasm, js]) {
        const x = draw(backend, N, 11, 0, (b, r, t) => b.fillTruncatedNormal(r, t, 0, 1, lo, hi));
        expect(
          x.every((v) => v >= lo && v <= hi),
          `${backend.name} [${lo}, ${hi}] bounds`,
        ).toBe(true);
        const want = truncatedMoments(lo, hi);
        const { mean, std } = meanStd(x);
        expect(Math.abs(mean - want.mean), `${backend.name} [${lo}, ${hi}] mean`).toBeLessThan(
          meanTol(want.std) + 1e-6,
        );
        expect(Math.abs(std - want.std), `${backend.name} [${lo}, ${hi}] std`).toBeLessThan(stdTol(want.std) + 1e-6);
      }
    }
  });

  it("no fill writes past the end of its tensor, any length 1..40 (guard floats around a slice)", () => {
    const fills: [string, (b: Backend, r: ReturnType<Backend["random"]>, t: ReturnType<Backend["alloc"]>) => void][] = [
      ["bits", (b, r, t) => b.fillBits(r, t)],
      ["uniform", (b, r, t) => b.fillUniform(r, t, -1, 1)],
      ["normal", (b, r, t) => b.fillNormal(r, t, 0, 1)],
      ["truncated (rejection)", (b, r, t) => b.fillTruncatedNormal(r, t, 0, 1, -2, 2)],
      ["truncated (inversion)", (b, r, t) => b.fillTruncatedNormal(r, t, 0, 1, 1, 1.5)],
    ];
    for (const backend of [wasm, js]) {
      for (const [label, fill] of fills) {
        for (let n = 1; n <= 40; n++) {
          const whole = backend.alloc(n + 16),
            rng = backend.random(n, 7);
          backend.fill(whole, 12345);
          fill(backend, rng, backend.slice(whole, 8, n));
          const v = backend.read(whole);
          const guards = [...v.subarray(0, 8), ...v.subarray(8 + n)];
          expect(
            guards.every((g) => g === 12345),
            `${backend.name} ${label} n=${n}`,
          ).toBe(true);
          backend.free(whole);
          backend.freeRandom(rng);
        }
      }
    }
  });

  it("property: uniform draws stay in [lo, hi) for any finite bounds", () => {
    fc.assert(
      fc.property(
        fc.float({ min: -1e6, max: 1e6, noNaN: true }),
        fc.float({ min: 0, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 200 }),
        fc.nat(),
        (lo, width, n, seed) => {
          const hi = Math.fround(lo + width);
          const x = draw(wasm, n, seed, 0, (b, r, t) => b.fillUniform(r, t, lo, hi));
          const flo = Math.fround(lo);
          return x.every((v) => (hi > flo ? v >= flo && v < hi : v === flo));
        },
      ),
      { numRuns: 200, seed: 25 },
    );
  });
});

// Mean and std of a standard normal truncated to [a, b] (Johnson, Kotz & Balakrishnan 1994).
function truncatedMoments(a: number, b: number): { mean: number; std: number } {
  const pdf = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  // Simpson's rule on [a, b] in float64 avoids depending on the library's own CDF.
  const steps = 20000,
    h = (b - a) / steps;
  let z = 0,
    m1 = 0,
    m2 = 0;
  for (let i = 0; i <= steps; i++) {
    const x = a + i * h,
      w = i === 0 || i === steps ? 1 : i % 2 ? 4 : 2,
      p = pdf(x) * w;
    z += p;
    m1 += p * x;
    m2 += p * x * x;
  }
  const mean = m1 / z;
  return { mean, std: Math.sqrt(m2 / z - mean * mean) };
}

// xoshiro128** transcribed from the published algorithm, one lane, for the reference values.
function referenceXoshiro(seed: [number, number, number, number], n: number): number[] {
  const s = Uint32Array.from(seed),
    out: number[] = [];
  const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;
  for (let i = 0; i < n; i++) {
    out.push(Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0);
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
  }
  return out;
}
