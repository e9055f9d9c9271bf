// The benchmark probe of this core's SIMD arithmetic limit, run beside the kernels so the
// benchmarks can report their speed as a share of what the engine and CPU allow.

/** Eight independent chains of acc = acc * m + c (f32x4): mul and add both on the chain, as
 *  in a latency-bound kernel. Returns a lane so the work cannot be optimized away.
 *  FLOPs: iterations * 8 chains * 4 lanes * 2. */
export function probeChains(iterations: i32): f32 {
  const m = f32x4.splat(0.999999);
  const c = f32x4.splat(1e-7);
  let a0 = f32x4.splat(1), a1 = f32x4.splat(2), a2 = f32x4.splat(3), a3 = f32x4.splat(4);
  let a4 = f32x4.splat(5), a5 = f32x4.splat(6), a6 = f32x4.splat(7), a7 = f32x4.splat(8);
  for (let i = 0; i < iterations; i++) {
    a0 = f32x4.add(f32x4.mul(a0, m), c); a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c); a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c); a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c); a7 = f32x4.add(f32x4.mul(a7, m), c);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(s, 0);
}
