// Initializer kernels beyond plain random fills (those live in random.ts).
import { fma, loadPartial } from "./math";

// @ts-ignore: decorator
@inline function dot(a: usize, b: usize, n: i32): f64 {
  let acc = f32x4.splat(0);
  const full = <usize>(n & ~3) << 2;
  for (let j: usize = 0; j < full; j += 16) acc = fma(v128.load(a + j), v128.load(b + j), acc);
  if (n & 3) acc = fma(loadPartial(a + full, n & 3, 0), loadPartial(b + full, n & 3, 0), acc);
  return <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) +
    <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
}

// a -= s * b over n floats.
// @ts-ignore: decorator
@inline function axpy(a: usize, b: usize, s: f32, n: i32): void {
  const vs = f32x4.splat(s);
  const full = <usize>(n & ~3) << 2;
  for (let j: usize = 0; j < full; j += 16) v128.store(a + j, f32x4.sub(v128.load(a + j), f32x4.mul(vs, v128.load(b +
      j))));
  for (let j = n & ~3; j < n; j++) {
    const p = a + (<usize>j << 2);
    store<f32>(p, load<f32>(p) - s * load<f32>(b + (<usize>j << 2)));
  }
}

/** Makes the rows of a rows x cols matrix (rows <= cols) orthonormal, in place, by modified
 *  Gram-Schmidt with one re-orthogonalization pass ("twice is enough": Giraud et al. 2005),
 *  which keeps float32 orthogonality near machine precision. Row i keeps the direction of
 *  its component orthogonal to rows 0..i-1, so for Gaussian input this is the Q of a QR
 *  decomposition with a positive diagonal in R: the Haar-distributed orthogonal matrix of
 *  Saxe et al. 2014 and the Keras/PyTorch orthogonal initializers. Returns 0, or the index
 *  + 1 of a row left with less than 1e-4 of its length (rank deficiency). */
export function orthonormalizeRows(p: usize, rows: i32, cols: i32): i32 {
  const rowBytes = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const ri = p + <usize>i * rowBytes;
    const before = Math.sqrt(dot(ri, ri, cols));
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < i; k++) {
        const rk = p + <usize>k * rowBytes;
        axpy(ri, rk, <f32>dot(ri, rk, cols), cols);
      }
    }
    // What survives of a row inside the span of the others is float32 noise, about 1e-7 of
    // its length: below 1e-4 of it, the row counts as dependent.
    const norm = Math.sqrt(dot(ri, ri, cols));
    if (!(norm > 1e-4 * before)) return i + 1;
    const inv = <f32>(1.0 / norm);
    const vs = f32x4.splat(inv);
    const full = <usize>(cols & ~3) << 2;
    for (let j: usize = 0; j < full; j += 16) v128.store(ri + j, f32x4.mul(v128.load(ri + j), vs));
    for (let j = cols & ~3; j < cols; j++) {
      const q = ri + (<usize>j << 2);
      store<f32>(q, load<f32>(q) * inv);
    }
  }
  return 0;
}

/** dst (cols x rows) = transpose of src (rows x cols). */
export function transpose(src: usize, dst: usize, rows: i32, cols: i32): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      store<f32>(dst + (<usize>j * <usize>rows + <usize>i) * 4, load<f32>(src + (<usize>i * <usize>cols +
          <usize>j) * 4));
    }
  }
}
