// Pure-JS twin of assembly/regularizers.ts: the gradient in the kernel's float32 steps (bit
// for bit), the penalty's sums in float64 in plain order (the kernel's lanes only reorder them).

export function regularize(w: Float32Array, grad: Float32Array | null, l1: number, l2: number): number {
  const f = Math.fround,
    l1f = f(l1),
    l2x2 = f(f(l2) * 2);
  let abs = 0,
    sq = 0;
  for (let i = 0; i < w.length; i++) {
    const x = w[i]!;
    abs += Math.abs(x);
    sq += x * x;
    if (grad) grad[i] = f(grad[i]! + f(f(l1f * (x > 0 ? 1 : x < 0 ? -1 : 0)) + f(l2x2 * x)));
  }
  return l1 * abs + l2 * sq;
}
