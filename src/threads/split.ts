// The work split: which chunk of a kernel call each thread runs. Every split gives each output
// element to exactly one chunk and leaves each element's own arithmetic as the one-thread call
// does it, so results are bit for bit the same for every thread count.
import type { ThreadPool } from "./pool.js";

// SGEMM's micro-kernel block (assembly/blocking.ts): chunk edges on whole blocks.
const MR = 4;
const NR = 8;
// Ranges split on whole multiples of this many floats, so every element keeps the SIMD lane
// and unrolled group it has in the one-thread call.
const RANGE_ALIGN = 64;

/** Work below which a call stays on the calling thread, in multiply-adds (m n k). Handing a
 *  call to a worker costs 10-50 microseconds (publishing, a wake-up, the wait for the last
 *  chunk); on this 2-core machine two threads beat one on SGEMM from about 1M multiply-adds
 *  (64x128x128: 1.1x, 64x192x192: 1.6x; docs/threads.md). */
export const MIN_SPLIT_FLOPS = 1 << 20;
/** The same for range kernels, in elements: tanh over 65,536 floats ran 1.2x faster on two
 *  threads, over 32,768 0.85x. */
export const MIN_SPLIT_ELEMENTS = 1 << 16;

/**
 * sgemm's arguments (transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) split into
 * blocks of C: column blocks when C is at least as wide as tall (each thread packs all of A,
 * the smaller operand), else row blocks (each packs all of B). Returns the chunk count.
 */
export function splitSgemm(
  pool: ThreadPool,
  kernel: number,
  transA: number,
  transB: number,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  beta: number,
  c: number,
  ldc: number,
): number {
  const byColumns = n >= m;
  const size = byColumns ? n : m,
    unit = byColumns ? NR : MR;
  const step = Math.ceil(Math.ceil(size / pool.size) / unit) * unit;
  const t = pool.table;
  let chunks = 0;
  for (let from = 0; from < size; from += step, chunks++) {
    const part = Math.min(step, size - from),
      r = pool.row(chunks);
    t[r] = kernel;
    t[r + 1] = transA;
    t[r + 2] = transB;
    t[r + 3] = byColumns ? m : part;
    t[r + 4] = byColumns ? part : n;
    t[r + 5] = k;
    t[r + 6] = alpha;
    t[r + 7] = byColumns ? a : a + 4 * from * (transA ? 1 : lda);
    t[r + 8] = lda;
    t[r + 9] = byColumns ? b + 4 * from * (transB ? ldb : 1) : b;
    t[r + 10] = ldb;
    t[r + 11] = beta;
    t[r + 12] = c + 4 * from * (byColumns ? 1 : ldc);
    t[r + 13] = ldc;
  }
  return chunks;
}

/** sgemmPacked(m, n, k, a, packed, c) split into row blocks of C. */
export function splitSgemmPacked(
  pool: ThreadPool,
  kernel: number,
  m: number,
  n: number,
  k: number,
  a: number,
  packed: number,
  c: number,
): number {
  const step = Math.ceil(Math.ceil(m / pool.size) / MR) * MR,
    t = pool.table;
  let chunks = 0;
  for (let from = 0; from < m; from += step, chunks++) {
    const r = pool.row(chunks);
    t[r] = kernel;
    t[r + 1] = Math.min(step, m - from);
    t[r + 2] = n;
    t[r + 3] = k;
    t[r + 4] = a + 4 * from * k;
    t[r + 5] = packed;
    t[r + 6] = c + 4 * from * n;
  }
  return chunks;
}

/**
 * A kernel over `n` independent elements split into ranges: `args` are its arguments, the ones
 * at `pointers` byte offsets of float arrays (0: no array, left 0) and the one at `lengthAt` the
 * element count. Any elementwise or optimizer kernel of that shape splits this way.
 */
export function splitRange(
  pool: ThreadPool,
  kernel: number,
  args: readonly number[],
  pointers: readonly number[],
  lengthAt: number,
): number {
  const n = args[lengthAt]!;
  const step = Math.ceil(Math.ceil(n / pool.size) / RANGE_ALIGN) * RANGE_ALIGN,
    t = pool.table;
  let chunks = 0;
  for (let from = 0; from < n; from += step, chunks++) {
    const r = pool.row(chunks);
    t[r] = kernel;
    for (let i = 0; i < args.length; i++) t[r + 1 + i] = args[i]!;
    for (const p of pointers) if (args[p] !== 0) t[r + 1 + p] = args[p]! + 4 * from;
    t[r + 1 + lengthAt] = Math.min(step, n - from);
  }
  return chunks;
}

/** addBias(x, bias, rows, cols) split into row blocks of x. */
export function splitRows(
  pool: ThreadPool,
  kernel: number,
  x: number,
  bias: number,
  rows: number,
  cols: number,
): number {
  const step = Math.ceil(rows / pool.size),
    t = pool.table;
  let chunks = 0;
  for (let from = 0; from < rows; from += step, chunks++) {
    const r = pool.row(chunks);
    t[r] = kernel;
    t[r + 1] = x + 4 * from * cols;
    t[r + 2] = bias;
    t[r + 3] = Math.min(step, rows - from);
    t[r + 4] = cols;
  }
  return chunks;
}
