// Pure-JS twins of assembly/initializers.ts (Gram-Schmidt twice, float64 dot products).

export function orthonormalizeRows(x: Float32Array, rows: number, cols: number): boolean {
  for (let i = 0; i < rows; i++) {
    const ri = i * cols;
    let before = 0;
    for (let j = 0; j < cols; j++) before += x[ri + j]! * x[ri + j]!;
    before = Math.sqrt(before);
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < i; k++) {
        const rk = k * cols;
        let d = 0;
        for (let j = 0; j < cols; j++) d += x[ri + j]! * x[rk + j]!;
        for (let j = 0; j < cols; j++) x[ri + j]! -= d * x[rk + j]!;
      }
    }
    let norm = 0;
    for (let j = 0; j < cols; j++) norm += x[ri + j]! * x[ri + j]!;
    norm = Math.sqrt(norm);
    if (!(norm > 1e-4 * before)) return false; // dependent on the rows before it
    for (let j = 0; j < cols; j++) x[ri + j]! /= norm;
  }
  return true;
}

export function transpose(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j]!;
}
