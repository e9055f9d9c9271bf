// The Backend over the wasm SIMD core: tensors are blocks of its linear memory.
import { activationCode, type ElementwiseActivation } from "../activations.js";
import { ArgumentError, InternalError } from "../errors.js";
import { instantiateCore, type WasmSource } from "../wasm/load.js";
import type { CoreExports } from "../wasm/exports.js";
import { Arena } from "../wasm/memory.js";
import { float32Below, type Backend, type RandomStream, type Tensor } from "./backend.js";

export class WasmTensor implements Tensor {
  /** Set by free(): the block may already hold another tensor. */
  released = false;
  /** `base` is the tensor a slice views; an allocated tensor is its own base. */
  constructor(readonly ptr: number, readonly length: number, readonly base?: WasmTensor) {}
  get live(): boolean { return !(this.base ?? this).released; }
}

class WasmRandom implements RandomStream {
  constructor(readonly seed: number, readonly stream: number, readonly ptr: number) {}
}

const asWasm = (t: Tensor): WasmTensor => {
  if (!(t instanceof WasmTensor)) throw new InternalError("tensor does not belong to the wasm backend");
  // A freed block may be reused: touching it would read or overwrite another tensor.
  if (!t.live) throw new ArgumentError("tensor", "a tensor that has not been freed", "a freed tensor");
  return t;
};

export class WasmBackend implements Backend {
  readonly name = "wasm" as const;
  readonly core: CoreExports;
  readonly arena: Arena;
  private disposed = false;

  constructor(core: CoreExports) {
    this.core = core;
    this.arena = new Arena(core.memory, core.heapBase());
  }

  alloc(length: number): Tensor {
    this.live();
    let ptr: number;
    try {
      ptr = this.arena.alloc(length * 4);
    } catch (cause) {
      throw new InternalError(`wasm memory exhausted allocating ${length} floats (${this.arena.memoryBytes} bytes in use)`, { cause });
    }
    return new WasmTensor(ptr, length);
  }

  free(tensor: Tensor): void {
    if (tensor instanceof WasmTensor && tensor.released) return; // freeing twice is harmless
    const t = asWasm(tensor);
    if (t.base !== undefined) return; // a slice owns nothing
    t.released = true;
    if (!this.disposed) this.arena.release(t.ptr);
  }

  slice(tensor: Tensor, start: number, length: number): Tensor {
    const t = asWasm(tensor);
    return new WasmTensor(t.ptr + start * 4, length, t.base ?? t);
  }

  write(tensor: Tensor, data: ArrayLike<number>, at = 0): void {
    const t = asWasm(tensor);
    this.arena.f32().set(data, t.ptr / 4 + at);
  }

  read(tensor: Tensor): Float32Array {
    const t = asWasm(tensor);
    return this.arena.f32().slice(t.ptr / 4, t.ptr / 4 + t.length);
  }

  fill(tensor: Tensor, value: number): void {
    this.core.fill(asWasm(tensor).ptr, tensor.length, value);
  }

  scale(tensor: Tensor, s: number): void {
    this.core.scale(asWasm(tensor).ptr, tensor.length, s);
  }

  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Tensor, b: Tensor, beta: number, c: Tensor): void {
    this.core.sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha,
      asWasm(a).ptr, transA ? m : k, asWasm(b).ptr, transB ? k : n, beta, asWasm(c).ptr, n);
  }

  addBias(x: Tensor, bias: Tensor, rows: number, cols: number): void {
    this.core.addBias(asWasm(x).ptr, asWasm(bias).ptr, rows, cols);
  }

  sumRows(x: Tensor, out: Tensor, rows: number, cols: number): void {
    this.core.sumRows(asWasm(x).ptr, asWasm(out).ptr, rows, cols);
  }

  activation(name: ElementwiseActivation, x: Tensor, y: Tensor, alpha: number): void {
    this.core.activationForward(activationCode(name), asWasm(x).ptr, asWasm(y).ptr, x.length, alpha);
  }

  activationGrad(name: ElementwiseActivation, z: Tensor, dy: Tensor, dz: Tensor, alpha: number): void {
    this.core.activationBackward(activationCode(name), asWasm(z).ptr, asWasm(dy).ptr, asWasm(dz).ptr, z.length, alpha);
  }

  softmax(x: Tensor, y: Tensor, rows: number, cols: number): void {
    this.core.softmaxForward(asWasm(x).ptr, asWasm(y).ptr, rows, cols);
  }

  softmaxGrad(y: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number): void {
    this.core.softmaxBackward(asWasm(y).ptr, asWasm(dy).ptr, asWasm(dx).ptr, rows, cols);
  }

  random(seed: number, stream: number): RandomStream {
    this.live();
    const ptr = this.arena.alloc(64);
    this.core.rngSeed(ptr, seed >>> 0, stream >>> 0);
    return new WasmRandom(seed, stream, ptr);
  }

  freeRandom(rng: RandomStream): void {
    if (!this.disposed) this.arena.release(this.rng(rng).ptr);
  }

  fillBits(rng: RandomStream, out: Tensor): void {
    this.core.fillBits(this.rng(rng).ptr, asWasm(out).ptr, out.length);
  }

  fillUniform(rng: RandomStream, out: Tensor, lo: number, hi: number): void {
    this.core.fillUniform(this.rng(rng).ptr, asWasm(out).ptr, out.length, lo, hi, hi > lo ? float32Below(hi) : lo);
  }

  fillNormal(rng: RandomStream, out: Tensor, mean: number, std: number): void {
    this.core.fillNormal(this.rng(rng).ptr, asWasm(out).ptr, out.length, mean, std);
  }

  fillTruncatedNormal(rng: RandomStream, out: Tensor, mean: number, std: number, lo: number, hi: number): void {
    this.core.fillTruncatedNormal(this.rng(rng).ptr, asWasm(out).ptr, out.length, mean, std, lo, hi);
  }

  orthonormalizeRows(x: Tensor, rows: number, cols: number): boolean {
    return this.core.orthonormalizeRows(asWasm(x).ptr, rows, cols) === 0;
  }

  transpose(src: Tensor, dst: Tensor, rows: number, cols: number): void {
    this.core.transpose(asWasm(src).ptr, asWasm(dst).ptr, rows, cols);
  }

  dispose(): void {
    this.disposed = true;
  }

  private rng(r: RandomStream): WasmRandom {
    if (!(r instanceof WasmRandom)) throw new InternalError("random stream does not belong to the wasm backend");
    return r;
  }

  private live(): void {
    if (this.disposed) throw new InternalError("this wasm backend has been disposed");
  }
}

/** Loads a fresh wasm core (its own memory) and wraps it as a Backend. */
export async function createWasmBackend(source?: WasmSource): Promise<WasmBackend> {
  return new WasmBackend(await instantiateCore(source));
}
