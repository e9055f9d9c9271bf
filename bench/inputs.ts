// The inputs every contender of a case shares: generated once per case, from fixed seeds.
import { uniformData } from "./harness.js";

/** Row-major operands for C = op(A) op(B): A is m x k (k x m when transA), B is k x n (n x k when transB). */
export interface SgemmInputs {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  a: Float32Array;
  b: Float32Array;
}

export function sgemmInputs(m: number, n: number, k: number, transA: boolean, transB: boolean): SgemmInputs {
  return {
    m,
    n,
    k,
    transA,
    transB,
    a: uniformData(m * k, -1, 1, 1),
    b: uniformData(k * n, -1, 1, 2),
  };
}

/** Activation inputs: uniform in [-6, 6], covering both saturated tails and the middle. */
export const activationInput = (length: number): Float32Array => uniformData(length, -6, 6, 3);
/** Upstream gradients for the backward rows. */
export const upstreamGradient = (length: number): Float32Array => uniformData(length, -1, 1, 4);
