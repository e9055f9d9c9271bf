// Pure-JS SGEMM, the reference for assembly/matmul.ts. Loop order keeps the innermost loop
// on contiguous memory: i-p-j (a row of C updated from a row of B) when B is not transposed,
// dot products along k when it is.

export function sgemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  b: Float32Array,
  beta: number,
  c: Float32Array,
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

// assembly/matmul.ts' panel sizes: the packed layout is the same on both backends.
const NR = 8,
  KC = 256,
  NC = 1024;

/** B (k x n) in assembly/matmul.ts' packWeights layout: blocks of NC columns, in each the
 *  depth blocks of KC, in each NR-column panels stored depth-major and zero-padded. */
export function packWeights(b: Float32Array, n: number, k: number, dst: Float32Array): void {
  let o = 0;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      for (let jr = 0; jr < nc; jr += NR) {
        for (let p = 0; p < kc; p++) {
          const row = (pc + p) * n + jc + jr;
          for (let j = 0; j < NR; j++) dst[o++] = jr + j < nc ? b[row + j]! : 0;
        }
      }
    }
  }
}

/** C = A B with B from packWeights: every element summed over the depths in order, as sgemm
 *  sums it, so the result is bit for bit sgemm(false, false, m, n, k, 1, a, b, 0, c). */
export function sgemmPacked(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  packed: Float32Array,
  c: Float32Array,
): void {
  c.fill(0, 0, m * n);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc),
      ncPadded = Math.ceil(nc / NR) * NR;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc),
        block = jc * k + pc * ncPadded;
      for (let i = 0; i < m; i++) {
        const ci = i * n + jc,
          ai = i * k + pc;
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr),
            panel = block + jr * kc;
          for (let p = 0; p < kc; p++) {
            const s = a[ai + p]!,
              row = panel + p * NR;
            for (let j = 0; j < nr; j++) c[ci + jr + j]! += s * packed[row + j]!;
          }
        }
      }
    }
  }
}
