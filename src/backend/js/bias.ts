// Pure-JS twins of assembly/bias.ts.

export function addBias(x: Float32Array, bias: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) x[o + j]! += bias[j]!;
  }
}

export function sumRows(x: Float32Array, out: Float32Array, rows: number, cols: number): void {
  out.fill(0, 0, cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) out[j]! += x[o + j]!;
  }
}
