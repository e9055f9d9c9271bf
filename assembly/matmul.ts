// SGEMM: C = alpha * op(A) * op(B) + beta * C, row-major, op in {N, T}.
// Structure after Goto & van de Geijn, "Anatomy of high-performance matrix multiplication"
// (2008): B is packed into KC x NC panels (stay in L2), A into MC x KC blocks, and a
// register-blocked MR x NR micro-kernel streams through both. Packing also absorbs the
// transposes, so all four op combinations run the same inner loop.
// BLAS semantics: when beta == 0, C is written without being read (NaN in C is ignored).
// For inference, packWeights lays out a whole B once and sgemmPacked multiplies by it: the
// same panels in the same order, so the result is bit for bit sgemm's.

import { MR, NR, KC, MC, NC } from "./blocking";
import { scratch, PACKED_A, PACKED_B, EDGE_TILE } from "./scratch";

export { KC } from "./blocking";

export function sgemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0) {
    scaleC(m, n, beta, c, ldc);
    return;
  }
  const packedB = scratch(PACKED_B);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      if (transB) packBT(b, ldb, pc, jc, kc, nc, packedB);
      else packBN(b, ldb, pc, jc, kc, nc, packedB);
      // Later depth blocks accumulate into what the first one wrote.
      multiplyPanel(transA, m, a, lda, jc, pc, kc, nc, packedB, alpha, pc == 0 ? beta : 1, c, ldc);
    }
  }
}

/**
 * Packs B (k x n, row-major, ldb = n) whole into `dst` for sgemmPacked: for each block of NC
 * columns, each depth block of KC in turn, NR-column panels zero-padded to whole panels
 * (k x roundUp(n, NR) floats in all).
 */
export function packWeights(b: usize, n: i32, k: i32, dst: usize): void {
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      packBN(b, n, pc, jc, min(KC, k - pc), nc, dst + panelOffset(jc, pc, nc, k));
    }
  }
}

/** C = A B, A m x k (lda = k), B from packWeights, C m x n (ldc = n): sgemm(N, N, alpha 1, beta 0). */
export function sgemmPacked(m: i32, n: i32, k: i32, a: usize, packed: usize, c: usize): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    scaleC(m, n, 0, c, n);
    return;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      multiplyPanel(0, m, a, k, jc, pc, kc, nc, packed + panelOffset(jc, pc, nc, k), 1, pc == 0 ? 0 : 1, c, n);
    }
  }
}

// Where block (jc, pc) starts in packWeights' layout: the column blocks before it hold
// k x NC floats each, the depth blocks before it in its own column block kc x roundUp(nc, NR).
// @ts-ignore: decorator
@inline function panelOffset(jc: i32, pc: i32, nc: i32, k: i32): usize {
  return (<usize>jc * <usize>k + <usize>pc * <usize>((nc + NR - 1) & ~(NR - 1))) * 4;
}

// One packed panel of B (depths pc..pc+kc, columns jc..jc+nc) times the matching columns of
// op(A), into C: A packed MC rows at a time, the micro-kernel over every MR x NR block.
function multiplyPanel(transA: i32, m: i32, a: usize, lda: i32, jc: i32, pc: i32, kc: i32, nc: i32,
  panel: usize, alpha: f32, beta: f32, c: usize, ldc: i32): void {
  const packedA = scratch(PACKED_A);
  for (let ic = 0; ic < m; ic += MC) {
    const mc = min(MC, m - ic);
    if (transA) packAT(a, lda, ic, pc, mc, kc);
    else packAN(a, lda, ic, pc, mc, kc);
    for (let jr = 0; jr < nc; jr += NR) {
      const nr = min(NR, nc - jr);
      const pb = panel + <usize>(jr * kc) * 4;
      for (let ir = 0; ir < mc; ir += MR) {
        const mr = min(MR, mc - ir);
        const pa = packedA + <usize>(ir * kc) * 4;
        const cp = c + (<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) * 4;
        microKernel(kc, pa, pb, cp, <usize>ldc * 4, alpha, beta, mr, nr);
      }
    }
  }
}

// C = beta * C (k == 0 or alpha == 0: the product contributes nothing).
function scaleC(m: i32, n: i32, beta: f32, c: usize, ldc: i32): void {
  for (let i = 0; i < m; i++) {
    const row = c + <usize>i * <usize>ldc * 4;
    for (let j = 0; j < n; j++) {
      const p = row + <usize>j * 4;
      store<f32>(p, beta == 0 ? 0 : beta * load<f32>(p));
    }
  }
}

// Packing writes panels of `width` lanes (MR rows of A, NR columns of B) k-major: the
// element of lane i at depth p lands at panel[p * width + i], zero past the matrix edge.

// Lanes [0, valid) of depths [from, kc): lane i, depth p is read at src + i*laneStride + p*depthStride.
// @ts-ignore: decorator
@inline function packScalar(dst: usize, src: usize, laneStride: usize, depthStride: usize,
  valid: i32, width: i32, from: i32, kc: i32): usize {
  for (let p = from; p < kc; p++) {
    for (let i = 0; i < width; i++) {
      store<f32>(dst, i < valid ? load<f32>(src + <usize>i * laneStride + <usize>p * depthStride) : 0);
      dst += 4;
    }
  }
  return dst;
}

// Four rows of four floats (r0..r3, stride apart) stored as four columns, `step` bytes apart.
// @ts-ignore: decorator
@inline function storeTransposed(src: usize, stride: usize, dst: usize, step: usize): void {
  const r0 = v128.load(src);
  const r1 = v128.load(src + stride);
  const r2 = v128.load(src + 2 * stride);
  const r3 = v128.load(src + 3 * stride);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + step, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * step, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * step, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

// op(A) = A: A is m x k, element (i, p) at a[i*lda + p]. Rows are strided, depths contiguous:
// full panels go through 4x4 transposes.
function packAN(a: usize, lda: i32, ic: i32, pc: i32, mc: i32, kc: i32): void {
  let dst = scratch(PACKED_A);
  const stride = <usize>lda * 4;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const src = a + (<usize>(ic + ir) * <usize>lda + <usize>pc) * 4;
    let p = 0;
    if (rows == MR) {
      for (; p + 4 <= kc; p += 4) {
        storeTransposed(src + <usize>p * 4, stride, dst, 16);
        dst += 64;
      }
    }
    dst = packScalar(dst, src, stride, 4, rows, MR, p, kc);
  }
}

// op(A) = A^T: A is stored k x m, element (i, p) at a[p*lda + i]: a panel's rows are contiguous.
function packAT(a: usize, lda: i32, ic: i32, pc: i32, mc: i32, kc: i32): void {
  let dst = scratch(PACKED_A);
  const stride = <usize>lda * 4;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const src = a + (<usize>pc * <usize>lda + <usize>(ic + ir)) * 4;
    if (rows == MR) {
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src + <usize>p * stride));
        dst += 16;
      }
    } else {
      dst = packScalar(dst, src, 4, stride, rows, MR, 0, kc);
    }
  }
}

// op(B) = B: B is k x n, element (p, j) at b[p*ldb + j]: a panel's columns are contiguous.
function packBN(b: usize, ldb: i32, pc: i32, jc: i32, kc: i32, nc: i32, dst: usize): void {
  const stride = <usize>ldb * 4;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const src = b + (<usize>pc * <usize>ldb + <usize>(jc + jr)) * 4;
    if (cols == NR) {
      for (let p = 0; p < kc; p++) {
        const row = src + <usize>p * stride;
        v128.store(dst, v128.load(row));
        v128.store(dst, v128.load(row, 16), 16);
        dst += 32;
      }
    } else {
      dst = packScalar(dst, src, 4, stride, cols, NR, 0, kc);
    }
  }
}

// op(B) = B^T: B is stored n x k, element (p, j) at b[j*ldb + p]: columns strided, depths
// contiguous, so full panels go through 4x4 transposes, two per four depths.
function packBT(b: usize, ldb: i32, pc: i32, jc: i32, kc: i32, nc: i32, dst: usize): void {
  const stride = <usize>ldb * 4;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const src = b + (<usize>(jc + jr) * <usize>ldb + <usize>pc) * 4;
    let p = 0;
    if (cols == NR) {
      for (; p + 4 <= kc; p += 4) {
        storeTransposed(src + <usize>p * 4, stride, dst, 32);
        storeTransposed(src + 4 * stride + <usize>p * 4, stride, dst + 16, 32);
        dst += 128;
      }
    }
    dst = packScalar(dst, src, stride, 4, cols, NR, p, kc);
  }
}

// The MR x NR register block: 8 f32x4 accumulators, 2 loads of B and 4 broadcasts of A per k.
@inline
function microKernel(
  kc: i32, pa: usize, pb: usize, c: usize, ldcBytes: usize,
  alpha: f32, beta: f32, mr: i32, nr: i32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load32_splat(pa);
    const a1 = v128.load32_splat(pa, 4);
    const a2 = v128.load32_splat(pa, 8);
    const a3 = v128.load32_splat(pa, 12);
    c00 = f32x4.add(c00, f32x4.mul(a0, b0));
    c01 = f32x4.add(c01, f32x4.mul(a0, b1));
    c10 = f32x4.add(c10, f32x4.mul(a1, b0));
    c11 = f32x4.add(c11, f32x4.mul(a1, b1));
    c20 = f32x4.add(c20, f32x4.mul(a2, b0));
    c21 = f32x4.add(c21, f32x4.mul(a2, b1));
    c30 = f32x4.add(c30, f32x4.mul(a3, b0));
    c31 = f32x4.add(c31, f32x4.mul(a3, b1));
    pa += 16;
    pb += 32;
  }
  if (mr == MR && nr == NR) {
    storeRow(c, c00, c01, alpha, beta);
    storeRow(c + ldcBytes, c10, c11, alpha, beta);
    storeRow(c + 2 * ldcBytes, c20, c21, alpha, beta);
    storeRow(c + 3 * ldcBytes, c30, c31, alpha, beta);
    return;
  }
  // Edge block: spill the accumulators and merge only the valid part.
  const edgeTile = scratch(EDGE_TILE);
  v128.store(edgeTile, c00); v128.store(edgeTile, c01, 16);
  v128.store(edgeTile, c10, 32); v128.store(edgeTile, c11, 48);
  v128.store(edgeTile, c20, 64); v128.store(edgeTile, c21, 80);
  v128.store(edgeTile, c30, 96); v128.store(edgeTile, c31, 112);
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const p = c + <usize>i * ldcBytes + <usize>j * 4;
      const acc = alpha * load<f32>(edgeTile + <usize>(i * NR + j) * 4);
      store<f32>(p, beta == 0 ? acc : acc + beta * load<f32>(p));
    }
  }
}

@inline
function storeRow(p: usize, lo: v128, hi: v128, alpha: f32, beta: f32): void {
  const va = f32x4.splat(alpha);
  let r0 = f32x4.mul(va, lo);
  let r1 = f32x4.mul(va, hi);
  if (beta != 0) {
    const vb = f32x4.splat(beta);
    r0 = f32x4.add(r0, f32x4.mul(vb, v128.load(p)));
    r1 = f32x4.add(r1, f32x4.mul(vb, v128.load(p, 16)));
  }
  v128.store(p, r0);
  v128.store(p, r1, 16);
}
