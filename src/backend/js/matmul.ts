// Pure-JS SGEMM, the reference for assembly/matmul.ts. Loop order keeps the innermost loop
// on contiguous memory: i-p-j (a row of C updated from a row of B) when B is not transposed,
// dot products along k when it is.

export function sgemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array,
): void {
  for (let i = 0; i < m * n; i++) c[i] = beta === 0 ? 0 : beta * c[i]!;
  if (k === 0 || alpha === 0) return;
  if (!transB) {
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      for (let p = 0; p < k; p++) {
        const s = alpha * (transA ? a[p * m + i]! : a[i * k + p]!);
        const bp = p * n;
        for (let j = 0; j < n; j++) c[ci + j]! += s * b[bp + j]!;
      }
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let sum = 0;
      if (transA) for (let p = 0; p < k; p++) sum += a[p * m + i]! * b[bj + p]!;
      else {
        const ai = i * k;
        for (let p = 0; p < k; p++) sum += a[ai + p]! * b[bj + p]!;
      }
      c[i * n + j]! += alpha * sum;
    }
  }
}
