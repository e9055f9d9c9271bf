// Pure-JS twin of assembly/matvec.ts: y = x W + bias for a few rows. The sums run as this
// backend's sgemm and addBias run them (each row of y updated from the rows of W in order,
// then the bias added), so the result is bit for bit theirs.

export function matvec(
  m: number,
  n: number,
  k: number,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array,
  y: Float32Array,
): void {
  for (let i = 0; i < m; i++) {
    const yi = i * n,
      xi = i * k;
    y.fill(0, yi, yi + n);
    for (let p = 0; p < k; p++) {
      const s = x[xi + p]!,
        wp = p * n;
      for (let j = 0; j < n; j++) y[yi + j]! += s * w[wp + j]!;
    }
    for (let j = 0; j < n; j++) y[yi + j]! += bias[j]!;
  }
}
