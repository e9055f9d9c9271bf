// Whole-buffer vector kernels: fill and scale.

export function fill(p: usize, n: i32, value: f32): void {
  const v = f32x4.splat(value);
  const end = p + (<usize>(n & ~3) << 2);
  for (; p < end; p += 16) v128.store(p, v);
  for (let i = 0; i < (n & 3); i++) store<f32>(p + (<usize>i << 2), value);
}

export function scale(p: usize, n: i32, s: f32): void {
  const v = f32x4.splat(s);
  const end = p + (<usize>(n & ~3) << 2);
  for (; p < end; p += 16) v128.store(p, f32x4.mul(v128.load(p), v));
  for (let i = 0; i < (n & 3); i++) {
    const q = p + (<usize>i << 2);
    store<f32>(q, load<f32>(q) * s);
  }
}
