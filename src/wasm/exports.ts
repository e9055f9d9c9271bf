// The raw exports of assembly/index.ts: byte offsets and sizes in, nothing out but scalars.
export interface CoreExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  /** Points this instance's kernels at a scratch region of scratchBytes() bytes. */
  useScratch(p: number): void;
  scratchAt(): number;
  scratchBytes(): number;
  sgemm(
    transA: number, transB: number, m: number, n: number, k: number,
    alpha: number, a: number, lda: number, b: number, ldb: number,
    beta: number, c: number, ldc: number,
  ): void;
  matvec(m: number, n: number, k: number, x: number, w: number, bias: number, y: number): void;
  packWeights(b: number, n: number, k: number, dst: number): void;
  sgemmPacked(m: number, n: number, k: number, a: number, packed: number, c: number): void;
  addBias(x: number, bias: number, rows: number, cols: number): void;
  sumRows(x: number, out: number, rows: number, cols: number): void;
  activationForward(kind: number, x: number, y: number, n: number, alpha: number): void;
  activationBackward(kind: number, z: number, dy: number, dz: number, n: number, alpha: number): void;
  softmaxForward(x: number, y: number, rows: number, cols: number): void;
  softmaxBackward(y: number, dy: number, dx: number, rows: number, cols: number): void;
  logSoftmaxForward(x: number, y: number, rows: number, cols: number): void;
  logSoftmaxBackward(y: number, dy: number, dx: number, rows: number, cols: number): void;
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
  copy(src: number, dst: number, n: number): void;
  gatherRows(src: number, index: number, dst: number, count: number, cols: number): void;
  sumSquares(p: number, n: number): number;
  countNonFinite(p: number, n: number): number;
  meanSquaredError(pred: number, target: number, grad: number, n: number, scale: number): number;
  sigmoidCrossEntropy(logits: number, target: number, grad: number, n: number, scale: number): number;
  binaryCrossEntropy(prob: number, target: number, grad: number, n: number, scale: number, eps: number): number;
  softmaxCrossEntropy(logits: number, target: number, probs: number, grad: number, rows: number, cols: number, scale: number): number;
  countCorrect(y: number, target: number, rows: number, cols: number, threshold: number): number;
  sgdStep(w: number, g: number, v: number, n: number, lr: number, mu: number, nesterov: number, decay: number, gradScale: number,
    wOut: number, vOut: number): void;
  adamStep(w: number, g: number, m: number, v: number, n: number, lr: number, b1: number, b2: number, eps: number,
    decay: number, decoupled: number, gradScale: number, stepSize: number, invRootBc2: number, wOut: number, mOut: number, vOut: number): void;
  sum(p: number, n: number): number;
  countAbsAbove(p: number, n: number, t: number): number;
  countBelow(p: number, n: number, t: number): number;
  columnMax(x: number, rows: number, cols: number, out: number, accumulate: number): void;
  histogram(p: number, n: number, lo: number, hi: number, bins: number, out: number): void;
  columnHash(x: number, rows: number, cols: number, out: number): void;
  countSameSignColumns(x: number, rows: number, cols: number): number;
  sumSquaredDiff(a: number, b: number, n: number): number;
  columnSumSquares(x: number, rows: number, cols: number, out: number): void;
  rmspropStep(w: number, g: number, s: number, n: number, lr: number, rho: number, eps: number, decay: number, gradScale: number,
    wOut: number, sOut: number): void;
}
