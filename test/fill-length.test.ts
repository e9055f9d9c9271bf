// Fills never write past their destination, on every backend: the initializer kernels whose
// extent is rows x cols refuse a shorter tensor, and every other fill writes the tensor's own
// length, which cannot be changed after the fact nor set past its storage by a slice.
import { describe, expect, it } from "vitest";
import type { Backend, RandomStream, Tensor } from "../src/backend/backend.js";
import { CheckedBackend } from "../src/backend/checked.js";
import { JsBackend } from "../src/backend/js/index.js";
import { createWasmBackend } from "../src/backend/wasm.js";
import { ArgumentError, createModel, saveModel } from "../src/index.js";
import { fromConfig, INITIALIZER_NAMES, orthogonal } from "../src/initializers.js";

const wasm = await createWasmBackend();
const BACKENDS: [string, Backend][] = [
  ["wasm", wasm],
  ["js", new JsBackend()],
  ["checked wasm", new CheckedBackend(await createWasmBackend())],
  ["checked js", new CheckedBackend(new JsBackend())],
];

const GUARD = 7.25; // what the floats just past the destination hold, and must still hold

/** A destination of `length` floats at the start of a larger tensor whose remaining floats
 *  are a guard: a write past the destination changes them. */
function guarded(b: Backend, length: number): { dst: Tensor; untouched: () => boolean; free: () => void } {
  const whole = b.alloc(length + 16);
  b.write(whole, new Float32Array(length + 16).fill(GUARD));
  const dst = b.slice(whole, 0, length);
  return {
    dst,
    untouched: () =>
      b
        .read(whole)
        .subarray(length)
        .every((v) => v === GUARD),
    free: () => b.free(whole),
  };
}

function withStream<T>(b: Backend, body: (rng: RandomStream) => T): T {
  const rng = b.random(1, 2);
  try {
    return body(rng);
  } finally {
    b.freeRandom(rng);
  }
}

describe("orthogonal as a bias initializer (fans of the kernel, a destination of one row)", () => {
  for (const [name, b] of BACKENDS) {
    it(`${name}: refused with an ArgumentError naming the short tensor, nothing past the bias written`, () => {
      for (const [inputs, units] of [
        [16, 4],
        [2, 8],
      ] as const) {
        const bias = guarded(b, units);
        // inputs > units: a transpose of inputs x units floats; inputs < units: Gram-Schmidt on as many.
        const error = withStream(b, (rng) => {
          try {
            orthogonal().fill(b, bias.dst, inputs, units, rng);
          } catch (e) {
            return e;
          }
        });
        expect(error).toBeInstanceOf(ArgumentError);
        // The initializer refuses before the backend is reached (the backends' own length checks are tried below).
        expect((error as Error).message).toMatch(
          /orthogonal initializer: expected an initializer for a 1-D parameter \(orthogonal fills matrices only/,
        );
        expect(bias.untouched()).toBe(true);
        bias.free();
      }
    });
  }

  it("through createModel, another model on the shared core keeps its weights", async () => {
    const other = await createModel({ inputs: 3, seed: 1, layers: [{ units: 5 }, { units: 2 }] });
    const before = saveModel(other);
    for (const [inputs, units] of [
      [16, 4],
      [2, 8],
    ] as const) {
      await expect(
        createModel({ inputs, seed: 1, layers: [{ units, biasInitializer: "orthogonal" }] }),
      ).rejects.toThrow(ArgumentError);
    }
    expect(saveModel(other)).toEqual(before);
    other.dispose();
  });
});

describe("every fill stays inside its destination, on every backend", () => {
  const fills: [string, (b: Backend, dst: Tensor, rng: RandomStream) => unknown][] = [
    ["fill", (b, dst) => b.fill(dst, 3)],
    ["fillBits", (b, dst, rng) => b.fillBits(rng, dst)],
    ["fillUniform", (b, dst, rng) => b.fillUniform(rng, dst, -1, 1)],
    ["fillNormal", (b, dst, rng) => b.fillNormal(rng, dst, 0, 1)],
    ["fillTruncatedNormal", (b, dst, rng) => b.fillTruncatedNormal(rng, dst, 0, 1, -2, 2)],
    ["fillTruncatedNormal far tail", (b, dst, rng) => b.fillTruncatedNormal(rng, dst, 0, 1, 3, 4)],
    ["orthonormalizeRows 3 x 4", (b, dst) => b.orthonormalizeRows(dst, 3, 4)],
    ["transpose 3 x 4", (b, dst) => withTensor(b, 12, (src) => b.transpose(src, dst, 3, 4))],
    // Every initializer given fans whose product exceeds its destination.
    ...INITIALIZER_NAMES.map((init): [string, (b: Backend, dst: Tensor, rng: RandomStream) => unknown] => [
      `initializer ${init} 3 x 4`,
      (b, dst, rng) => fromConfig(init).fill(b, dst, 3, 4, rng),
    ]),
  ];

  for (const [name, b] of BACKENDS) {
    it(`${name}: ${fills.length} fills into 1, 5 and 11 floats write nothing past them`, () => {
      for (const length of [1, 5, 11]) {
        for (const [fill, run] of fills) {
          const dst = guarded(b, length);
          withStream(b, (rng) => {
            try {
              run(b, dst.dst, rng);
            } catch (e) {
              expect(e, fill).toBeInstanceOf(ArgumentError);
            }
          });
          expect(dst.untouched(), `${fill} into ${length} floats`).toBe(true);
          dst.free();
        }
      }
    });

    it(`${name}: a tensor's length and storage cannot be changed, nor a slice reach past its tensor`, () => {
      const dst = guarded(b, 5);
      const t = dst.dst as unknown as Record<string, unknown>;
      for (const key of ["length", "ptr", "data", "base", "owner"]) {
        if (!(key in t)) continue;
        const was = t[key];
        expect(() => {
          t[key] = key === "length" ? 1000 : 0;
        }, key).toThrow(TypeError);
        expect(t[key]).toBe(was);
      }
      withStream(b, (rng) => {
        const r = rng as unknown as Record<string, unknown>;
        for (const key of ["ptr", "state"])
          if (key in r)
            expect(() => {
              r[key] = 0;
            }, key).toThrow(TypeError);
        b.fillUniform(rng, dst.dst, 0, 1);
      });
      expect(() => b.slice(dst.dst, 3, 4)).toThrow(/length: expected at most 2/);
      expect(() => b.slice(dst.dst, -1, 2)).toThrow(/start: expected an integer >= 0/);
      expect(() => b.write(dst.dst, [1, 2, 3], 4)).toThrow(/data: expected at most 1 values/);
      expect(dst.untouched()).toBe(true);
      dst.free();
    });
  }
});

function withTensor<T>(b: Backend, length: number, body: (t: Tensor) => T): T {
  const t = b.alloc(length);
  try {
    return body(t);
  } finally {
    b.free(t);
  }
}
