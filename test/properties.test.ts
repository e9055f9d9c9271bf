// Property tests over the public API: random shapes, values from subnormal to huge, NaN and
// infinities, and random configurations. Every call gives a result of the right shape with
// finite numbers, or the documented error; never a crash, never a silently wrong shape.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ArgumentError, createBackend, createModel, NonFiniteError, type Model } from "../src/index.js";

const values = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(1e-45, -1e-45, 1e-40, 3.4e38, -3.4e38, 1e30, 0, -0) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 1e39) },
);

const finite32 = (v: number): boolean => Number.isFinite(Math.fround(v));

describe("public API properties", () => {
  let model: Model;
  it("predict and evaluate: the right shape and finite outputs, or a named error", async () => {
    model = await createModel({
      inputs: 3,
      seed: 1,
      loss: "softmaxCrossEntropy",
      layers: [{ units: 5, activation: "elu" }, { units: 4 }],
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.array(values, { minLength: 120, maxLength: 120 }),
        async (rows, pool) => {
          const x = Array.from({ length: rows }, (_, r) => [
            pool[(r * 3) % 120]!,
            pool[(r * 3 + 1) % 120]!,
            pool[(r * 3 + 2) % 120]!,
          ]);
          const bad = x.flat().findIndex((v) => !finite32(v));
          try {
            const p = model.predict(x);
            expect(bad).toBe(-1);
            expect(p.shape).toEqual([rows, 4]);
            expect(p.data.every(Number.isFinite)).toBe(true);
            const e = model.evaluate(
              x,
              Array.from({ length: rows }, (_, i) => i % 4),
            );
            expect(Number.isFinite(e.loss)).toBe(true);
          } catch (error) {
            if (bad >= 0) {
              expect(error).toBeInstanceOf(ArgumentError);
              expect((error as ArgumentError).argument).toBe(`x[${Math.floor(bad / 3)}][${bad % 3}]`);
            } else {
              expect(error).toBeInstanceOf(NonFiniteError); // finite inputs whose products overflow float32
            }
          }
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });

  it("fit with random options: a history, or an ArgumentError naming the option; the model intact on refusal", async () => {
    const m = await createModel({
      inputs: 2,
      seed: 2,
      loss: "binaryCrossEntropy",
      layers: [{ units: 4 }, { units: 1 }],
    });
    const x = [
        [0, 1],
        [1, 0],
        [1, 1],
        [0, 0],
        [0.5, 0.5],
      ],
      y = [1, 1, 0, 0, 1];
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          epochs: fc.oneof(fc.integer({ min: -2, max: 3 }), fc.constant(1.5)),
          batchSize: fc.oneof(fc.integer({ min: -1, max: 8 }), fc.constant(NaN)),
          validationSplit: fc.oneof(fc.constant(undefined), fc.double({ min: -0.5, max: 1.5, noNaN: true })),
          shuffle: fc.oneof(fc.boolean(), fc.constant("yes")),
          onNonFinite: fc.constantFrom("stop", "skip", "ignore", undefined),
        }),
        async (options) => {
          const before = m.getWeights();
          try {
            const h = await m.fit(x, y, options as never);
            expect(h.loss.length).toBeLessThanOrEqual(Math.max(0, options.epochs));
          } catch (error) {
            expect(error).toBeInstanceOf(ArgumentError);
            expect(Object.keys(options)).toContain((error as ArgumentError).argument);
            expect(m.getWeights()).toEqual(before);
          }
        },
      ),
      { numRuns: 200, seed: 12 },
    );
  });

  it("kernels through createBackend: a correct result or an ArgumentError for any sizes", async () => {
    const b = await createBackend();
    await fc.assert(
      fc.property(
        fc.integer({ min: -2, max: 9 }),
        fc.integer({ min: -2, max: 9 }),
        fc.integer({ min: -2, max: 9 }),
        fc.integer({ min: 0, max: 100 }),
        (m, n, k, have) => {
          const a = b.alloc(have),
            bb = b.alloc(have),
            c = b.alloc(have);
          b.fill(a, 1);
          b.fill(bb, 1);
          b.fill(c, 0);
          try {
            b.sgemm(false, false, m, n, k, 1, a, bb, 0, c);
            expect(m >= 1 && n >= 1 && k >= 0 && m * k <= have && k * n <= have && m * n <= have).toBe(true);
            expect([...b.read(c).subarray(0, m * n)].every((v) => v === k)).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(ArgumentError);
          } finally {
            b.free(a);
            b.free(bb);
            b.free(c);
          }
        },
      ),
      { numRuns: 300, seed: 13 },
    );
  });
});
