// The raw exports of assembly/index.ts: byte offsets and sizes in, nothing out but scalars.
export interface CoreExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  sgemm(
    transA: number, transB: number, m: number, n: number, k: number,
    alpha: number, a: number, lda: number, b: number, ldb: number,
    beta: number, c: number, ldc: number,
  ): void;
  addBias(x: number, bias: number, rows: number, cols: number): void;
  sumRows(x: number, out: number, rows: number, cols: number): void;
  activationForward(kind: number, x: number, y: number, n: number, alpha: number): void;
  activationBackward(kind: number, z: number, dy: number, dz: number, n: number, alpha: number): void;
  softmaxForward(x: number, y: number, rows: number, cols: number): void;
  softmaxBackward(y: number, dy: number, dx: number, rows: number, cols: number): void;
  rngSeed(state: number, seed: number, stream: number): void;
  fillBits(state: number, out: number, n: number): void;
  fillUniform(state: number, out: number, n: number, lo: number, hi: number, below: number): void;
  fillNormal(state: number, out: number, n: number, mean: number, std: number): void;
  fillTruncatedNormal(state: number, out: number, n: number, mean: number, std: number, lo: number, hi: number): void;
  orthonormalizeRows(p: number, rows: number, cols: number): number;
  transpose(src: number, dst: number, rows: number, cols: number): void;
  fill(p: number, n: number, value: number): void;
  scale(p: number, n: number, s: number): void;
  probeChains(iterations: number): number;
}
