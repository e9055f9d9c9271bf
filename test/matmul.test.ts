import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { js, randomArray, tensor, wasm } from "./helpers.js";
import { matmulShapes } from "./edge-sizes.js";

// op(A) is m x k, op(B) is k x n; A stored k x m when transposed, B stored n x k.
function reference(
  ta: boolean,
  tb: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  b: Float32Array,
  beta: number,
  c: Float32Array,
): { value: Float64Array; bound: Float64Array } {
  const value = new Float64Array(m * n),
    bound = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0,
        sa = 0;
      for (let p = 0; p < k; p++) {
        const x = (ta ? a[p * m + i]! : a[i * k + p]!) * (tb ? b[j * k + p]! : b[p * n + j]!);
        s += x;
        sa += Math.abs(x);
      }
      const cij = beta === 0 ? 0 : beta * c[i * n + j]!;
      value[i * n + j] = alpha * s + cij;
      bound[i * n + j] = Math.abs(alpha) * sa + Math.abs(cij);
    }
  return { value, bound };
}

function check(
  ta: boolean,
  tb: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  beta: number,
  seed: number,
): void {
  const a = randomArray(m * k, seed),
    b = randomArray(k * n, seed + 1),
    c = randomArray(m * n, seed + 2);
  const ref = reference(ta, tb, m, n, k, alpha, a, b, beta, c);
  for (const backend of [wasm, js]) {
    const ta_ = tensor(backend, a),
      tb_ = tensor(backend, b),
      tc = tensor(backend, c);
    backend.sgemm(ta, tb, m, n, k, alpha, ta_, tb_, beta, tc);
    const got = backend.read(tc);
    for (let i = 0; i < m * n; i++) {
      // Float32 summation error bound: (k + 2) eps * sum |terms| (Higham, "Accuracy and
      // Stability of Numerical Algorithms", section 3.1).
      const tol = (k + 2) * 1.2e-7 * ref.bound[i]! + 1e-30;
      if (!(Math.abs(got[i]! - ref.value[i]!) <= tol)) {
        expect.fail(
          `${backend.name} ${ta ? "T" : "N"}${tb ? "T" : "N"} ${m}x${n}x${k} at ${i}: ${got[i]} vs ${ref.value[i]} (tol ${tol})`,
        );
      }
    }
    for (const t of [ta_, tb_, tc]) backend.free(t);
  }
}

const AWKWARD = [1, 3, 5, 17, 33, 65];

describe("sgemm", () => {
  for (const ta of [false, true])
    for (const tb of [false, true]) {
      const op = `${ta ? "T" : "N"}${tb ? "T" : "N"}`;
      it(`${op}: awkward sizes on both backends match float64`, () => {
        let seed = 1;
        for (const m of AWKWARD)
          for (const n of [1, 5, 33]) for (const k of [1, 3, 17, 65]) check(ta, tb, m, n, k, 0.75, -1.5, seed++);
        for (const n of AWKWARD) check(ta, tb, 7, n, 9, 1.25, 0.5, seed++);
      });
      it(`${op}: the edge-size grid, each dimension around its register tile and its cache block`, () => {
        let seed = 200;
        for (const [m, n, k] of matmulShapes()) check(ta, tb, m, n, k, 0.75, -1.5, seed++);
      });
      it(`${op}: non-square and past the cache blocks (k > 256, n > 8)`, () => {
        check(ta, tb, 70, 21, 300, -0.5, 0.25, 100);
        check(ta, tb, 130, 9, 513, 1, 0, 101);
        check(ta, tb, 4, 1030, 3, 2, 1, 102);
      });
    }

  it("beta = 0 ignores what C held, NaN included (BLAS semantics), in full tiles and at edges", () => {
    for (const backend of [wasm, js]) {
      for (const [m, n] of [
        [3, 3],
        [5, 9],
        [8, 16],
      ] as const) {
        const a = tensor(backend, randomArray(m * 2, 1)),
          b = tensor(backend, randomArray(2 * n, 2));
        const c = tensor(backend, new Float32Array(m * n).fill(NaN));
        backend.sgemm(false, false, m, n, 2, 1, a, b, 0, c);
        expect(backend.read(c).every(Number.isFinite), `${backend.name} ${m}x${n}`).toBe(true);
      }
    }
  });

  it("k = 0, or alpha = 0 with NaN in A and B, scales C by beta without reading A or B", () => {
    for (const backend of [wasm, js]) {
      const a = tensor(backend, [NaN, NaN, NaN, NaN]),
        b = tensor(backend, [NaN, NaN, NaN, NaN]);
      const c = tensor(backend, [1, 2, 3, 4]);
      backend.sgemm(false, false, 2, 2, 0, 1, a, b, 0.5, c);
      expect(Array.from(backend.read(c))).toEqual([0.5, 1, 1.5, 2]);
      backend.sgemm(false, true, 2, 2, 2, 0, a, b, 2, c);
      expect(Array.from(backend.read(c))).toEqual([1, 2, 3, 4]);
    }
  });

  it("property: random shapes and scalars agree between wasm and the pure-JS path", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 300 }),
        fc.boolean(),
        fc.boolean(),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.integer({ min: 0, max: 1e6 }),
        (m, n, k, ta, tb, alpha, beta, seed) => check(ta, tb, m, n, k, alpha, beta, seed),
      ),
      { numRuns: 60, seed: 24 },
    );
  });
});
