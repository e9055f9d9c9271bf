// Softmax over each row of a rows x cols matrix, and its backward pass. Wide rows run along
// the row in f32x4 vectors; narrow rows (the usual 2-32 classes) run four rows at a time with
// one row per lane, so no lane sits idle and no horizontal reduction is needed per row.
import { loadConst, ONE, ZERO, expNegLanes, fma, loadPartial, storePartial } from "./math";
import { scratch, LANES_A, LANES_B } from "./scratch";

// Up to this many columns, four rows go through column-major scratch. The forward pass gains
// up to 32 (its exp work is spread over full vectors); the backward pass, with no exp to
// share, only below 5 (measured: 0.9 vs 0.6-0.8 G elements/s at 2-3 columns, 1.9 vs 1.1 at 10).
const NARROW = 32;
const NARROW_BACKWARD = 4;

/** y = e^(x - max) / sum, per row. y may alias x. */
export function softmaxForward(x: usize, y: usize, rows: i32, cols: i32): void {
  const scratchA = scratch(LANES_A);
  if (cols <= NARROW) {
    for (let r = 0; r < rows; r += 4) {
      const count = min(4, rows - r);
      // Three passes over the columns: gather and max; exp and sum; scale and scatter.
      let vmax = gather(x, r, count, cols, scratchA);
      let vsum = ZERO;
      for (let j = 0; j < cols; j++) {
        const p = scratchA + (<usize>j << 4);
        const e = expNegLanes(f32x4.sub(v128.load(p), vmax));
        v128.store(p, e);
        vsum = f32x4.add(vsum, e);
      }
      scatter(scratchA, f32x4.div(loadConst(ONE), vsum), y, r, count, cols);
    }
    return;
  }
  const full = cols & ~3;
  const rest = cols & 3;
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = y + <usize>r * rowBytes;
    let vmax = f32x4.splat(-Infinity);
    // pmax skips a NaN here, but the NaN still reaches the sum through exp(NaN - max).
    for (let j = 0; j < full; j += 4) vmax = f32x4.pmax(vmax, v128.load(xr + (<usize>j << 2)));
    if (rest) vmax = f32x4.pmax(vmax, loadPartial(xr + (<usize>full << 2), rest, -Infinity));
    const m = allMax(vmax);
    let vsum = ZERO, vsum2 = ZERO; // two sums: two independent exp chains per trip
    let j = 0;
    for (; j + 8 <= full; j += 8) {
      const o = <usize>j << 2;
      const e = expNegLanes(f32x4.sub(v128.load(xr + o), m));
      const e2 = expNegLanes(f32x4.sub(v128.load(xr + o, 16), m));
      v128.store(yr + o, e);
      v128.store(yr + o, e2, 16);
      vsum = f32x4.add(vsum, e);
      vsum2 = f32x4.add(vsum2, e2);
    }
    if (j < full) {
      const e = expNegLanes(f32x4.sub(v128.load(xr + (<usize>j << 2)), m));
      v128.store(yr + (<usize>j << 2), e);
      vsum = f32x4.add(vsum, e);
    }
    vsum = f32x4.add(vsum, vsum2);
    if (rest) {
      const e = expNegLanes(f32x4.sub(loadPartial(xr + (<usize>full << 2), rest, -Infinity), m));
      storePartial(yr + (<usize>full << 2), e, rest);
      vsum = f32x4.add(vsum, e); // padded lanes are e^-inf = 0
    }
    const inv = f32x4.div(loadConst(ONE), allSum(vsum));
    for (let j = 0; j < full; j += 4) {
      const q = yr + (<usize>j << 2);
      v128.store(q, f32x4.mul(v128.load(q), inv));
    }
    if (rest) {
      const q = yr + (<usize>full << 2);
      storePartial(q, f32x4.mul(loadPartial(q, rest, 0), inv), rest);
    }
  }
}

/** dx = y * (dy - sum(dy * y)) per row, from the softmax output y. dx may alias dy. */
export function softmaxBackward(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  const scratchA = scratch(LANES_A), scratchB = scratch(LANES_B);
  if (cols <= NARROW_BACKWARD) {
    const rowBytes = <usize>cols << 2;
    for (let r = 0; r < rows; r += 4) {
      const count = min(4, rows - r);
      // Two passes: gather y and dy with their dot product; then y (dy - dot), scattered.
      const o1 = <usize>min(1, count - 1) * rowBytes;
      const o2 = <usize>min(2, count - 1) * rowBytes;
      const o3 = <usize>min(3, count - 1) * rowBytes;
      const yr = y + <usize>r * rowBytes;
      const dyr = dy + <usize>r * rowBytes;
      let dot = ZERO;
      for (let j = 0; j < cols; j++) {
        const o = <usize>j << 2;
        const vy = column(yr + o, o1, o2, o3);
        const vdy = column(dyr + o, o1, o2, o3);
        v128.store(scratchA + (<usize>j << 4), vy);
        v128.store(scratchB + (<usize>j << 4), vdy);
        dot = fma(vy, vdy, dot);
      }
      for (let j = 0; j < cols; j++) {
        const o = <usize>j << 4;
        v128.store(scratchA + o, f32x4.mul(v128.load(scratchA + o), f32x4.sub(v128.load(scratchB + o), dot)));
      }
      scatter(scratchA, loadConst(ONE), dx, r, count, cols);
    }
    return;
  }
  if (cols <= 16) {
    backwardShortRows(y, dy, dx, rows, cols);
    return;
  }
  const full = cols & ~3;
  const rest = cols & 3;
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * rowBytes;
    let vdot = ZERO;
    for (let j = 0; j < full; j += 4) {
      const o = off + (<usize>j << 2);
      vdot = fma(v128.load(y + o), v128.load(dy + o), vdot);
    }
    if (rest) {
      const o = off + (<usize>full << 2);
      vdot = fma(loadPartial(y + o, rest, 0), loadPartial(dy + o, rest, 0), vdot);
    }
    const dot = allSum(vdot);
    for (let j = 0; j < full; j += 4) {
      const o = off + (<usize>j << 2);
      v128.store(dx + o, f32x4.mul(v128.load(y + o), f32x4.sub(v128.load(dy + o), dot)));
    }
    if (rest) {
      const o = off + (<usize>full << 2);
      storePartial(dx + o, f32x4.mul(loadPartial(y + o, rest, 0), f32x4.sub(loadPartial(dy + o, rest, 0), dot)), rest);
    }
  }
}

// Rows of 5-16 columns: the row's (up to) four vectors of y and dy stay in registers between
// the dot product and the result, instead of being loaded twice through two short loops.
function backwardShortRows(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  const vectors = (cols + 3) >> 2; // 2 to 4
  const last = cols - ((vectors - 1) << 2); // floats in the last vector, 1 to 4
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * rowBytes;
    const lastOff = off + (<usize>(vectors - 1) << 4);
    const y0 = v128.load(y + off), d0 = v128.load(dy + off);
    const y1 = vectors > 2 ? v128.load(y + off, 16) : ZERO;
    const d1 = vectors > 2 ? v128.load(dy + off, 16) : ZERO;
    const y2 = vectors > 3 ? v128.load(y + off, 32) : ZERO;
    const d2 = vectors > 3 ? v128.load(dy + off, 32) : ZERO;
    const yl = loadPartial(y + lastOff, last, 0);
    const dl = loadPartial(dy + lastOff, last, 0);
    const dot = allSum(fma(y0, d0, fma(y1, d1, fma(y2, d2, f32x4.mul(yl, dl)))));
    v128.store(dx + off, f32x4.mul(y0, f32x4.sub(d0, dot)));
    if (vectors > 2) v128.store(dx + off + 16, f32x4.mul(y1, f32x4.sub(d1, dot)));
    if (vectors > 3) v128.store(dx + off + 32, f32x4.mul(y2, f32x4.sub(d2, dot)));
    storePartial(dx + lastOff, f32x4.mul(yl, f32x4.sub(dl, dot)), last);
  }
}

// Horizontal reductions by two shuffles: the result lands in every lane, ready to use.
// Sum order: (l0 + l2) + (l1 + l3), the same on every engine.
// @ts-ignore: decorator
@inline function allSum(v: v128): v128 {
  const h = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.add(h, v128.shuffle<f32>(h, h, 1, 0, 3, 2));
}
// @ts-ignore: decorator
@inline function allMax(v: v128): v128 {
  const h = f32x4.pmax(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.pmax(h, v128.shuffle<f32>(h, h, 1, 0, 3, 2));
}

// Element p of four rows (p, p + o1, p + o2, p + o3) as one vector. Lanes are filled in a
// register and stored whole: a vector load of four scalar stores would miss store-to-load
// forwarding.
// @ts-ignore: decorator
@inline function column(p: usize, o1: usize, o2: usize, o3: usize): v128 {
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + o1));
  v = f32x4.replace_lane(v, 2, load<f32>(p + o2));
  return f32x4.replace_lane(v, 3, load<f32>(p + o3));
}

// Rows r..r+count-1 of a (rows x cols) matrix into column-major scratch: column j is the
// vector at scratch + 16 j, lane i holding row r + i. Missing rows (count < 4) repeat the
// last one, so every lane computes something finite and harmless. Returns the lanewise max.
// @ts-ignore: decorator
@inline function gather(src: usize, r: i32, count: i32, cols: i32, scratch: usize): v128 {
  const rowBytes = <usize>cols << 2;
  const r0 = src + <usize>r * rowBytes;
  const r1 = src + <usize>(r + min(1, count - 1)) * rowBytes;
  const r2 = src + <usize>(r + min(2, count - 1)) * rowBytes;
  const r3 = src + <usize>(r + min(3, count - 1)) * rowBytes;
  let vmax = f32x4.splat(-Infinity);
  for (let j = 0; j < cols; j++) {
    const v = column(r0 + (<usize>j << 2), r1 - r0, r2 - r0, r3 - r0);
    v128.store(scratch + (<usize>j << 4), v);
    vmax = f32x4.pmax(vmax, v); // a NaN skipped here still reaches the sum through exp(NaN - max)
  }
  return vmax;
}

// The inverse of gather, times `scale`, for the `count` rows that exist.
// @ts-ignore: decorator
@inline function scatter(scratch: usize, scale: v128, dst: usize, r: i32, count: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  const d0 = dst + <usize>r * rowBytes;
  if (count == 4) {
    for (let j = 0; j < cols; j++) {
      const v = f32x4.mul(v128.load(scratch + (<usize>j << 4)), scale);
      const o = d0 + (<usize>j << 2);
      store<f32>(o, f32x4.extract_lane(v, 0));
      store<f32>(o + rowBytes, f32x4.extract_lane(v, 1));
      store<f32>(o + 2 * rowBytes, f32x4.extract_lane(v, 2));
      store<f32>(o + 3 * rowBytes, f32x4.extract_lane(v, 3));
    }
    return;
  }
  for (let j = 0; j < cols; j++) v128.store(scratch + (<usize>j << 4), f32x4.mul(v128.load(scratch + (<usize>j << 4)),
      scale));
  for (let i = 0; i < count; i++) {
    const row = d0 + <usize>i * rowBytes;
    const lane = scratch + (<usize>i << 2);
    for (let j = 0; j < cols; j++) store<f32>(row + (<usize>j << 2), load<f32>(lane + (<usize>j << 4)));
  }
}

/** Log-softmax of each row, y = x - logsumexp(x) with logsumexp = max + log(sum e^(x - max))
 *  (PyTorch's nn.LogSoftmax, ONNX LogSoftmax on the last axis). An output layer's rows are
 *  short, so this runs in float64 through the core's own exp and log: identical on every engine. */
export function logSoftmaxForward(x: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * cols << 2;
    let m: f64 = -Infinity;
    for (let j = 0; j < cols; j++) m = max(m, <f64>load<f32>(x + row + (<usize>j << 2)));
    let s: f64 = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(<f64>load<f32>(x + row + (<usize>j << 2)) - m);
    const lse = m + Math.log(s);
    for (let j = 0; j < cols; j++) {
      const o = row + (<usize>j << 2);
      store<f32>(y + o, <f32>(<f64>load<f32>(x + o) - lse));
    }
  }
}

/** dx = dy - softmax(x) sum(dy) per row, from the forward output y (softmax = e^y). dx may be dy. */
export function logSoftmaxBackward(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * cols << 2;
    let total: f64 = 0;
    for (let j = 0; j < cols; j++) total += <f64>load<f32>(dy + row + (<usize>j << 2));
    for (let j = 0; j < cols; j++) {
      const o = row + (<usize>j << 2);
      store<f32>(dx + o, <f32>(<f64>load<f32>(dy + o) - Math.exp(<f64>load<f32>(y + o)) * total));
    }
  }
}
