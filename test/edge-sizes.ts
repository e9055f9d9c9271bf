// The shared edge-size grid of the kernel tests, as XNNPACK's kernel testers: every family
// runs below, at and above each multiple of the vector width it crosses, and across the cache
// blocks of assembly/matmul.ts and the narrow-row path of assembly/softmax.ts, where tails and
// block edges hide their bugs. The constants mirror the kernels' (edge-sizes.test.ts reads the
// assembly sources to keep them equal).

/** Floats per v128 lane group: every elementwise kernel's step. */
export const VECTOR_WIDTH = 4;
/** assembly/blocking.ts (SGEMM's): micro-kernel rows and columns, and the packed block sizes. */
export const MATMUL_BLOCKS = { MR: 4, NR: 8, KC: 256, MC: 64, NC: 1024 } as const;
/** assembly/softmax.ts: rows of at most NARROW columns take the four-rows-at-once path. */
export const SOFTMAX_NARROW = 32;

/** 1, then p - 1, p and p + 1 for each point p (sorted, each once). */
export function around(...points: number[]): number[] {
  const sizes = new Set([1]);
  for (const p of points) for (const s of [p - 1, p, p + 1]) if (s >= 1) sizes.add(s);
  return [...sizes].sort((a, b) => a - b);
}

/** Elementwise kernels (activations, optimizers, losses, vector, reductions): below, at and
 *  above one to four vector widths, a wide multiple, and one long run. */
export const ELEMENTWISE_SIZES: readonly number[] = [
  ...around(VECTOR_WIDTH, 2 * VECTOR_WIDTH, 3 * VECTOR_WIDTH, 4 * VECTOR_WIDTH, 8 * VECTOR_WIDTH, 16 * VECTOR_WIDTH),
  1030,
];

/** Row-wise kernels (bias, column reductions, softmax): rows around the four rows handled at
 *  once, columns around the vector width and the narrow-row limit. */
export const ROW_SIZES: readonly number[] = around(VECTOR_WIDTH, 2 * VECTOR_WIDTH);
export const COLUMN_SIZES: readonly number[] = around(
  VECTOR_WIDTH,
  2 * VECTOR_WIDTH,
  SOFTMAX_NARROW,
  2 * SOFTMAX_NARROW,
);

/** Matrix products: each dimension around its register tile and its cache block, the others
 *  small (a full product of the grids would take minutes for no new edge). */
export const MATMUL_SIZES = {
  m: around(MATMUL_BLOCKS.MR, 2 * MATMUL_BLOCKS.MR, MATMUL_BLOCKS.MC),
  n: around(MATMUL_BLOCKS.NR, 2 * MATMUL_BLOCKS.NR, MATMUL_BLOCKS.NC),
  k: around(VECTOR_WIDTH, MATMUL_BLOCKS.KC),
} as const;

/** The matrix shapes of the grid: each dimension's sizes with the other two at awkward small values. */
export function matmulShapes(): [m: number, n: number, k: number][] {
  const shapes: [number, number, number][] = [];
  for (const m of MATMUL_SIZES.m) shapes.push([m, 5, 17]);
  for (const n of MATMUL_SIZES.n) shapes.push([3, n, 17]);
  for (const k of MATMUL_SIZES.k) shapes.push([5, 9, k]);
  return shapes;
}
