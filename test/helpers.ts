// Shared by the tests: both backends, seeded test data, float32 tolerance helpers.
import type { Backend, Tensor } from "../src/backend/backend.js";
import { JsBackend } from "../src/backend/js/index.js";
import { createWasmBackend, type WasmBackend } from "../src/backend/wasm.js";
import type { ElementwiseActivation } from "../src/activations.js";
import { forward as activate } from "../src/backend/js/activations.js";
import type { Model } from "../src/model.js";
import type { DenseLayer } from "../src/layers.js";

export const wasm: WasmBackend = await createWasmBackend();
export const js = new JsBackend();

/** Deterministic test data (mulberry32), independent of the library's own generator. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const next = seeded(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * next();
  return a;
}

/** A tensor on `backend` holding a copy of `data`. */
export function tensor(backend: Backend, data: ArrayLike<number>): Tensor {
  const t = backend.alloc(data.length);
  backend.write(t, data);
  return t;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** Sample mean and standard deviation, in float64. */
export function meanStd(a: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  const mean = s / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / (a.length - 1)) };
}

/** Every layer's pre-activations z and activations a for the rows of x, in float64 from the
 *  model's float32 weights (or the given float64 ones): the reference the model is checked against. */
export function forward64(
  model: Model,
  x: Float32Array,
  rows: number,
  weights?: { kernel: ArrayLike<number>; bias: ArrayLike<number> }[],
): { z: number[][]; a: number[][] }[] {
  const w = weights ?? model.getWeights();
  let a = Array.from({ length: rows }, (_, r) => Array.from(x.subarray(r * model.inputs, (r + 1) * model.inputs)));
  return (model.layers as readonly DenseLayer[]).map((l, i) => {
    const z = a.map((row) =>
      Array.from({ length: l.units }, (_, j) =>
        row.reduce((s, v, k) => s + v * w[i]!.kernel[k * l.units + j]!, w[i]!.bias[j]!),
      ),
    );
    const lse = (row: number[]): number => {
      const m = Math.max(...row);
      return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    };
    a =
      l.activation === "softmax"
        ? z.map((row) => {
            const c = lse(row);
            return row.map((v) => Math.exp(v - c));
          })
        : l.activation === "logSoftmax"
          ? z.map((row) => {
              const c = lse(row);
              return row.map((v) => v - c);
            })
          : z.map((row) => row.map((v) => activate(l.activation as ElementwiseActivation, v, l.alpha)));
    return { z, a };
  });
}
