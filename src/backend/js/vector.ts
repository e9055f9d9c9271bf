// Pure-JS twins of assembly/vector.ts.

export function fill(x: Float32Array, value: number): void {
  x.fill(value);
}

export function scale(x: Float32Array, s: number): void {
  const f = Math.fround(s);
  for (let i = 0; i < x.length; i++) x[i]! *= f;
}

export function gatherRows(
  src: Float32Array,
  index: Float32Array,
  dst: Float32Array,
  count: number,
  cols: number,
): void {
  for (let i = 0; i < count; i++) {
    const from = index[i]! * cols;
    dst.set(src.subarray(from, from + cols), i * cols);
  }
}

/** In float64, as the kernel (whose four partial sums only reorder the additions). */
export function sumSquares(x: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]! * x[i]!;
  return sum;
}

export function countNonFinite(x: Float32Array): number {
  let count = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) count++;
  return count;
}
