// Normalization layers. Batch normalization (Ioffe & Szegedy 2015) normalizes each column
// over the rows of a batch; layer normalization (Ba et al. 2016) each row over its columns.
// Both then scale by gamma and shift by beta per column: y = xhat gamma + beta. Variances are
// biased (divided by the count, as Keras 3 and TF.js do). Column statistics run four columns
// per vector down the rows, so each column's sum is taken in row order; row statistics keep
// four lane sums along the row (element j in lane j & 3), added lane 0 to 3 at the end. The
// JS twins (src/backend/js/normalization.ts) follow the same order and agree bit for bit.
import { loadLanes, storeLanes } from "./math";

// @ts-ignore: decorator
@inline function laneSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Training-mode batch normalization of the rows x cols matrix x: per column the batch mean
 *  and biased variance go to stats [mean | variance | 1 / sqrt(variance + epsilon)], the
 *  normalized values to xhat, and xhat gamma + beta to y (y may be x; xhat may not). */
export function batchNormForward(x: usize, y: usize, xhat: usize, stats: usize, gamma: usize, beta: usize,
  rows: i32, cols: i32, epsilon: f32): void {
  const rowBytes = <usize>cols << 2, colBytes = <usize>cols << 2;
  const count = f32x4.splat(<f32>rows), eps = f32x4.splat(epsilon), one = f32x4.splat(1);
  for (let j = 0; j < cols; j += 4) {
    const lanes = min(4, cols - j), o = <usize>j << 2;
    let sum = f32x4.splat(0);
    for (let r = 0; r < rows; r++) sum = f32x4.add(sum, loadLanes(x + <usize>r * rowBytes + o, lanes, 0));
    const mean = f32x4.div(sum, count);
    let squares = f32x4.splat(0);
    for (let r = 0; r < rows; r++) {
      const d = f32x4.sub(loadLanes(x + <usize>r * rowBytes + o, lanes, 0), mean);
      squares = f32x4.add(squares, f32x4.mul(d, d));
    }
    const variance = f32x4.div(squares, count);
    const invStd = f32x4.div(one, f32x4.sqrt(f32x4.add(variance, eps)));
    const g = loadLanes(gamma + o, lanes, 0), b = loadLanes(beta + o, lanes, 0);
    for (let r = 0; r < rows; r++) {
      const at = <usize>r * rowBytes + o;
      const h = f32x4.mul(f32x4.sub(loadLanes(x + at, lanes, 0), mean), invStd);
      storeLanes(xhat + at, h, lanes);
      storeLanes(y + at, f32x4.add(f32x4.mul(h, g), b), lanes);
    }
    storeLanes(stats + o, mean, lanes);
    storeLanes(stats + colBytes + o, variance, lanes);
    storeLanes(stats + (colBytes << 1) + o, invStd, lanes);
  }
}

/** Inference-mode batch normalization: y = (x - mean) / sqrt(variance + epsilon) gamma + beta
 *  per column, from the moving statistics (y may be x). The same arithmetic as training
 *  mode, so the moving statistics equal to a batch's give that batch's outputs. */
export function batchNormInference(x: usize, y: usize, mean: usize, variance: usize, gamma: usize, beta: usize,
  rows: i32, cols: i32, epsilon: f32): void {
  const rowBytes = <usize>cols << 2;
  const eps = f32x4.splat(epsilon), one = f32x4.splat(1);
  for (let j = 0; j < cols; j += 4) {
    const lanes = min(4, cols - j), o = <usize>j << 2;
    const m = loadLanes(mean + o, lanes, 0);
    const invStd = f32x4.div(one, f32x4.sqrt(f32x4.add(loadLanes(variance + o, lanes, 1), eps)));
    const g = loadLanes(gamma + o, lanes, 0), b = loadLanes(beta + o, lanes, 0);
    for (let r = 0; r < rows; r++) {
      const at = <usize>r * rowBytes + o;
      const h = f32x4.mul(f32x4.sub(loadLanes(x + at, lanes, 0), m), invStd);
      storeLanes(y + at, f32x4.add(f32x4.mul(h, g), b), lanes);
    }
  }
}

/** Backward pass of training-mode batch normalization, from xhat and 1 / std (stats' third
 *  part): dBeta = sum dy, dGamma = sum dy xhat per column, and
 *  dx = gamma / (std rows) (rows dy - dBeta - xhat dGamma). dx may be dy. */
export function batchNormBackward(xhat: usize, dy: usize, dx: usize, invStd: usize, gamma: usize, dGamma: usize,
    dBeta: usize,
  rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  const count = f32x4.splat(<f32>rows);
  for (let j = 0; j < cols; j += 4) {
    const lanes = min(4, cols - j), o = <usize>j << 2;
    let sumDy = f32x4.splat(0), sumDyXhat = f32x4.splat(0);
    for (let r = 0; r < rows; r++) {
      const at = <usize>r * rowBytes + o;
      const d = loadLanes(dy + at, lanes, 0);
      sumDy = f32x4.add(sumDy, d);
      sumDyXhat = f32x4.add(sumDyXhat, f32x4.mul(d, loadLanes(xhat + at, lanes, 0)));
    }
    storeLanes(dBeta + o, sumDy, lanes);
    storeLanes(dGamma + o, sumDyXhat, lanes);
    const c = f32x4.div(f32x4.mul(loadLanes(gamma + o, lanes, 0), loadLanes(invStd + o, lanes, 0)), count);
    for (let r = 0; r < rows; r++) {
      const at = <usize>r * rowBytes + o;
      const t = f32x4.sub(f32x4.sub(f32x4.mul(count, loadLanes(dy + at, lanes, 0)), sumDy), f32x4.mul(loadLanes(xhat +
          at, lanes, 0), sumDyXhat));
      storeLanes(dx + at, f32x4.mul(c, t), lanes);
    }
  }
}

/** moving = moving momentum + batch (1 - momentum), Keras's convention for the moving
 *  statistics (momentum is the weight of the old value). */
export function movingAverage(moving: usize, batch: usize, n: i32, momentum: f32): void {
  const m = f32x4.splat(momentum), rest = f32x4.splat(<f32>1 - momentum);
  for (let j = 0; j < n; j += 4) {
    const lanes = min(4, n - j), o = <usize>j << 2;
    storeLanes(moving + o, f32x4.add(f32x4.mul(loadLanes(moving + o, lanes, 0), m), f32x4.mul(loadLanes(batch + o,
        lanes, 0), rest)), lanes);
  }
}

/** Layer normalization of each row of x: per row mean and biased variance over the columns,
 *  1 / sqrt(variance + epsilon) to invStd[row], the normalized row to xhat, and
 *  xhat gamma + beta to y (y may be x; xhat may not). */
export function layerNormForward(x: usize, y: usize, xhat: usize, invStd: usize, gamma: usize, beta: usize,
  rows: i32, cols: i32, epsilon: f32): void {
  const rowBytes = <usize>cols << 2, count = <f32>cols;
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * rowBytes;
    let sum = f32x4.splat(0);
    for (let j = 0; j < cols; j += 4) sum = f32x4.add(sum, loadLanes(x + row + (<usize>j << 2), min(4, cols - j), 0));
    const mean = laneSum(sum) / count, vmean = f32x4.splat(mean);
    let squares = f32x4.splat(0);
    for (let j = 0; j < cols; j += 4) {
      // Lanes past the row's end load the mean: they add exactly nothing.
      const d = f32x4.sub(loadLanes(x + row + (<usize>j << 2), min(4, cols - j), mean), vmean);
      squares = f32x4.add(squares, f32x4.mul(d, d));
    }
    const inv = <f32>1 / sqrt<f32>(laneSum(squares) / count + epsilon), vinv = f32x4.splat(inv);
    store<f32>(invStd + (<usize>r << 2), inv);
    for (let j = 0; j < cols; j += 4) {
      const lanes = min(4, cols - j), o = <usize>j << 2;
      const h = f32x4.mul(f32x4.sub(loadLanes(x + row + o, lanes, 0), vmean), vinv);
      storeLanes(xhat + row + o, h, lanes);
      storeLanes(y + row + o, f32x4.add(f32x4.mul(h, loadLanes(gamma + o, lanes, 0)), loadLanes(beta + o, lanes, 0)),
          lanes);
    }
  }
}

/** Backward pass of layer normalization. With g = dy gamma per row:
 *  dx = invStd / cols (cols g - sum g - xhat sum(g xhat)); dGamma = sum over rows of dy xhat,
 *  dBeta = sum over rows of dy. dx may be dy. */
export function layerNormBackward(xhat: usize, dy: usize, dx: usize, invStd: usize, gamma: usize, dGamma: usize,
    dBeta: usize,
  rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2, count = <f32>cols, vcount = f32x4.splat(count);
  for (let j = 0; j < cols; j += 4) {
    const lanes = min(4, cols - j), o = <usize>j << 2;
    storeLanes(dGamma + o, f32x4.splat(0), lanes);
    storeLanes(dBeta + o, f32x4.splat(0), lanes);
  }
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * rowBytes;
    let sumG = f32x4.splat(0), sumGXhat = f32x4.splat(0);
    for (let j = 0; j < cols; j += 4) {
      const lanes = min(4, cols - j), o = <usize>j << 2;
      const d = loadLanes(dy + row + o, lanes, 0), h = loadLanes(xhat + row + o, lanes, 0);
      const g = f32x4.mul(d, loadLanes(gamma + o, lanes, 0));
      sumG = f32x4.add(sumG, g);
      sumGXhat = f32x4.add(sumGXhat, f32x4.mul(g, h));
      storeLanes(dGamma + o, f32x4.add(loadLanes(dGamma + o, lanes, 0), f32x4.mul(d, h)), lanes);
      storeLanes(dBeta + o, f32x4.add(loadLanes(dBeta + o, lanes, 0), d), lanes);
    }
    const s1 = f32x4.splat(laneSum(sumG)), s2 = f32x4.splat(laneSum(sumGXhat));
    const c = f32x4.splat(load<f32>(invStd + (<usize>r << 2)) / count);
    for (let j = 0; j < cols; j += 4) {
      const lanes = min(4, cols - j), o = <usize>j << 2;
      const g = f32x4.mul(loadLanes(dy + row + o, lanes, 0), loadLanes(gamma + o, lanes, 0));
      const t = f32x4.sub(f32x4.sub(f32x4.mul(vcount, g), s1), f32x4.mul(loadLanes(xhat + row + o, lanes, 0), s2));
      storeLanes(dx + row + o, f32x4.mul(c, t), lanes);
    }
  }
}
