// The Backend that users get from createBackend: every call's sizes and scalars are checked
// (in constant time) before it reaches the kernels of the wrapped backend. Kernels stay
// free of validation; the model code, which sizes its own buffers, may use either.
import type { ElementwiseActivation } from "../activations.js";
import { ArgumentError } from "../errors.js";
import type { Backend, Overlap, RandomStream, Tensor } from "./backend.js";
import {
  checkActivation, checkCount, checkFinite, checkHolds, checkMatrix, checkSgemm, checkSlice, checkWrite,
} from "./checks.js";

export class CheckedBackend implements Backend {
  constructor(readonly inner: Backend) {}

  get name(): "wasm" | "js" { return this.inner.name; }

  alloc(length: number): Tensor {
    checkCount("length", length, 0);
    return this.inner.alloc(length);
  }
  free(tensor: Tensor): void { this.inner.free(tensor); }
  slice(tensor: Tensor, start: number, length: number): Tensor {
    checkSlice(tensor, start, length);
    return this.inner.slice(tensor, start, length);
  }
  write(tensor: Tensor, data: ArrayLike<number>, at = 0): void {
    if (data == null || typeof data.length !== "number") throw new ArgumentError("data", "an array or typed array of numbers", data);
    checkWrite(tensor, data.length, at);
    this.inner.write(tensor, data, at);
  }
  read(tensor: Tensor): Float32Array { return this.inner.read(tensor); }
  overlap(a: Tensor, b: Tensor): Overlap { return this.inner.overlap(a, b); }
  fill(tensor: Tensor, value: number): void {
    checkFinite("value", value);
    this.inner.fill(tensor, value);
  }
  scale(tensor: Tensor, s: number): void {
    checkFinite("s", s);
    this.inner.scale(tensor, s);
  }

  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Tensor, b: Tensor, beta: number, c: Tensor): void {
    checkSgemm(m, n, k, alpha, a, b, beta, c);
    this.apart("c", c, "a", a);
    this.apart("c", c, "b", b);
    this.inner.sgemm(transA, transB, m, n, k, alpha, a, b, beta, c);
  }
  addBias(x: Tensor, bias: Tensor, rows: number, cols: number): void {
    checkMatrix("x", x, rows, cols);
    checkHolds("bias", bias, cols, `one per column`);
    this.apart("bias", bias, "x", x);
    this.inner.addBias(x, bias, rows, cols);
  }
  sumRows(x: Tensor, out: Tensor, rows: number, cols: number): void {
    checkMatrix("x", x, rows, cols);
    checkHolds("out", out, cols, `one per column`);
    this.apart("out", out, "x", x);
    this.inner.sumRows(x, out, rows, cols);
  }

  activation(name: ElementwiseActivation, x: Tensor, y: Tensor, alpha: number): void {
    checkActivation(name);
    checkFinite("alpha", alpha);
    checkHolds("y", y, x.length, "as long as x");
    this.sameOrApart("y", y, "x", x);
    this.inner.activation(name, x, y, alpha);
  }
  activationGrad(name: ElementwiseActivation, z: Tensor, dy: Tensor, dz: Tensor, alpha: number): void {
    checkActivation(name);
    checkFinite("alpha", alpha);
    checkHolds("dy", dy, z.length, "as long as z");
    checkHolds("dz", dz, z.length, "as long as z");
    this.sameOrApart("dz", dz, "dy", dy);
    this.sameOrApart("dz", dz, "z", z);
    this.inner.activationGrad(name, z, dy, dz, alpha);
  }
  softmax(x: Tensor, y: Tensor, rows: number, cols: number): void {
    checkMatrix("x", x, rows, cols);
    checkHolds("y", y, rows * cols, `${rows} x ${cols}`);
    this.sameOrApart("y", y, "x", x);
    this.inner.softmax(x, y, rows, cols);
  }
  softmaxGrad(y: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number): void {
    checkMatrix("y", y, rows, cols);
    checkHolds("dy", dy, rows * cols, `${rows} x ${cols}`);
    checkHolds("dx", dx, rows * cols, `${rows} x ${cols}`);
    this.sameOrApart("dx", dx, "dy", dy);
    this.sameOrApart("dx", dx, "y", y);
    this.inner.softmaxGrad(y, dy, dx, rows, cols);
  }

  random(seed: number, stream: number): RandomStream {
    for (const [name, v] of [["seed", seed], ["stream", stream]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new ArgumentError(name, "an integer in [0, 2^32)", v);
    }
    return this.inner.random(seed, stream);
  }
  freeRandom(rng: RandomStream): void { this.inner.freeRandom(rng); }
  fillBits(rng: RandomStream, out: Tensor): void { this.inner.fillBits(rng, out); }
  fillUniform(rng: RandomStream, out: Tensor, lo: number, hi: number): void {
    checkFinite("lo", lo);
    checkFinite("hi", hi);
    if (hi < lo) throw new ArgumentError("hi", `a number >= lo (${lo})`, hi);
    this.inner.fillUniform(rng, out, lo, hi);
  }
  fillNormal(rng: RandomStream, out: Tensor, mean: number, std: number): void {
    checkFinite("mean", mean);
    checkFinite("std", std);
    if (std < 0) throw new ArgumentError("std", "a number >= 0", std);
    this.inner.fillNormal(rng, out, mean, std);
  }
  fillTruncatedNormal(rng: RandomStream, out: Tensor, mean: number, std: number, lo: number, hi: number): void {
    checkFinite("mean", mean);
    checkFinite("std", std);
    checkFinite("lo", lo);
    checkFinite("hi", hi);
    if (std < 0) throw new ArgumentError("std", "a number >= 0", std);
    if (hi < lo) throw new ArgumentError("hi", `a number >= lo (${lo})`, hi);
    this.inner.fillTruncatedNormal(rng, out, mean, std, lo, hi);
  }
  orthonormalizeRows(x: Tensor, rows: number, cols: number): boolean {
    checkMatrix("x", x, rows, cols);
    if (rows > cols) throw new ArgumentError("rows", `at most cols (${cols})`, rows);
    return this.inner.orthonormalizeRows(x, rows, cols);
  }
  transpose(src: Tensor, dst: Tensor, rows: number, cols: number): void {
    checkMatrix("src", src, rows, cols);
    checkHolds("dst", dst, rows * cols, `${cols} x ${rows}`);
    this.apart("dst", dst, "src", src);
    this.inner.transpose(src, dst, rows, cols);
  }
  dispose(): void { this.inner.dispose(); }

  // An output read back while it is written must not share storage with the input.
  private apart(outName: string, out: Tensor, inName: string, input: Tensor): void {
    if (this.inner.overlap(out, input) !== "disjoint") {
      throw new ArgumentError(outName, `a tensor not overlapping ${inName}`, "an overlapping tensor");
    }
  }

  // Elementwise outputs may be their input exactly (in place), but not a shifted window of it.
  private sameOrApart(outName: string, out: Tensor, inName: string, input: Tensor): void {
    if (this.inner.overlap(out, input) === "partial") {
      throw new ArgumentError(outName, `${inName} itself or a tensor not overlapping it`, "a partly overlapping tensor");
    }
  }
}
