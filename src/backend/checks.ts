// Constant-time argument checks for CheckedBackend and the initializers. Kernels trust their arguments; these
// stop a wrong size from reading or writing past a tensor (in wasm, into another tensor).
import { ArgumentError } from "../errors.js";
import type { Tensor } from "./backend.js";

export function checkCount(name: string, n: number, min = 1): void {
  if (!Number.isInteger(n) || n < min || n > 0x7fffffff) throw new ArgumentError(name, `an integer >= ${min}`, n);
}

/** A seed or stream of the generator: an integer in [0, 2^32). */
export function checkSeed(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw new ArgumentError(name, "an integer in [0, 2^32)", v);
  return v;
}

export function checkFinite(name: string, v: number): void {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ArgumentError(name, "a finite number", v);
}

/** `t` holds at least `need` floats. */
export function checkHolds(name: string, t: Tensor, need: number, what: string): void {
  if (t.length < need)
    throw new ArgumentError(name, `a tensor of at least ${need} floats (${what})`, `a tensor of ${t.length}`);
}

export function checkSgemm(
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Tensor,
  b: Tensor,
  beta: number,
  c: Tensor,
): void {
  checkCount("m", m);
  checkCount("n", n);
  checkCount("k", k, 0);
  checkFinite("alpha", alpha);
  checkFinite("beta", beta);
  checkHolds("a", a, m * k, `op(a) is ${m} x ${k}`);
  checkHolds("b", b, k * n, `op(b) is ${k} x ${n}`);
  checkHolds("c", c, m * n, `c is ${m} x ${n}`);
}

export function checkMatrix(name: string, t: Tensor, rows: number, cols: number): void {
  checkCount("rows", rows);
  checkCount("cols", cols);
  checkHolds(name, t, rows * cols, `${rows} x ${cols}`);
}

/** The stretch of `t` a write of `count` values at `at` covers lies inside it. */
export function checkWrite(t: Tensor, count: number, at: number): void {
  checkCount("at", at, 0);
  if (at + count > t.length)
    throw new ArgumentError("data", `at most ${t.length - at} values (tensor of ${t.length} from ${at})`, count);
}

export function checkSlice(t: Tensor, start: number, length: number): void {
  checkCount("start", start, 0);
  checkCount("length", length, 0);
  if (start + length > t.length)
    throw new ArgumentError("length", `at most ${t.length - start} (tensor of ${t.length} from ${start})`, length);
}
