// Pure-JS twins of assembly/normalization.ts: float32 arithmetic (every step rounded by
// Math.fround) in the core's order, so results agree with it bit for bit. Row sums keep four
// lane sums (element j in lane j & 3), added lane 0 to 3, as the core's vectors do.
const f = Math.fround;

export function batchNormForward(
  x: Float32Array,
  y: Float32Array,
  xhat: Float32Array,
  stats: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  rows: number,
  cols: number,
  epsilon: number,
): void {
  const eps = f(epsilon);
  for (let j = 0; j < cols; j++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum = f(sum + x[r * cols + j]!);
    const mean = f(sum / rows);
    let squares = 0;
    for (let r = 0; r < rows; r++) {
      const d = f(x[r * cols + j]! - mean);
      squares = f(squares + f(d * d));
    }
    const variance = f(squares / rows);
    const invStd = f(1 / f(Math.sqrt(f(variance + eps))));
    for (let r = 0; r < rows; r++) {
      const at = r * cols + j,
        h = f(f(x[at]! - mean) * invStd);
      xhat[at] = h;
      y[at] = f(f(h * gamma[j]!) + beta[j]!);
    }
    stats[j] = mean;
    stats[cols + j] = variance;
    stats[2 * cols + j] = invStd;
  }
}

export function batchNormInference(
  x: Float32Array,
  y: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  rows: number,
  cols: number,
  epsilon: number,
): void {
  const eps = f(epsilon);
  for (let j = 0; j < cols; j++) {
    const invStd = f(1 / f(Math.sqrt(f(variance[j]! + eps))));
    for (let r = 0; r < rows; r++) {
      const at = r * cols + j;
      y[at] = f(f(f(f(x[at]! - mean[j]!) * invStd) * gamma[j]!) + beta[j]!);
    }
  }
}

export function batchNormBackward(
  xhat: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  invStd: Float32Array,
  gamma: Float32Array,
  dGamma: Float32Array,
  dBeta: Float32Array,
  rows: number,
  cols: number,
): void {
  for (let j = 0; j < cols; j++) {
    let sumDy = 0,
      sumDyXhat = 0;
    for (let r = 0; r < rows; r++) {
      const at = r * cols + j;
      sumDy = f(sumDy + dy[at]!);
      sumDyXhat = f(sumDyXhat + f(dy[at]! * xhat[at]!));
    }
    dBeta[j] = sumDy;
    dGamma[j] = sumDyXhat;
    const c = f(f(gamma[j]! * invStd[j]!) / rows);
    for (let r = 0; r < rows; r++) {
      const at = r * cols + j;
      dx[at] = f(c * f(f(f(rows * dy[at]!) - sumDy) - f(xhat[at]! * sumDyXhat)));
    }
  }
}

export function movingAverage(moving: Float32Array, batch: Float32Array, n: number, momentum: number): void {
  const m = f(momentum),
    rest = f(1 - m);
  for (let j = 0; j < n; j++) moving[j] = f(f(moving[j]! * m) + f(batch[j]! * rest));
}

const lanes = new Float64Array(4);
const laneSum = (): number => f(f(f(lanes[0]! + lanes[1]!) + lanes[2]!) + lanes[3]!);

export function layerNormForward(
  x: Float32Array,
  y: Float32Array,
  xhat: Float32Array,
  invStd: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  rows: number,
  cols: number,
  epsilon: number,
): void {
  const eps = f(epsilon);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    lanes.fill(0);
    for (let j = 0; j < cols; j++) lanes[j & 3] = f(lanes[j & 3]! + x[o + j]!);
    const mean = f(laneSum() / cols);
    lanes.fill(0);
    for (let j = 0; j < cols; j++) {
      const d = f(x[o + j]! - mean);
      lanes[j & 3] = f(lanes[j & 3]! + f(d * d));
    }
    const inv = f(1 / f(Math.sqrt(f(f(laneSum() / cols) + eps))));
    invStd[r] = inv;
    for (let j = 0; j < cols; j++) {
      const h = f(f(x[o + j]! - mean) * inv);
      xhat[o + j] = h;
      y[o + j] = f(f(h * gamma[j]!) + beta[j]!);
    }
  }
}

export function layerNormBackward(
  xhat: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  invStd: Float32Array,
  gamma: Float32Array,
  dGamma: Float32Array,
  dBeta: Float32Array,
  rows: number,
  cols: number,
): void {
  dGamma.fill(0, 0, cols);
  dBeta.fill(0, 0, cols);
  const sumGXhat = new Float64Array(4);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    lanes.fill(0);
    sumGXhat.fill(0);
    for (let j = 0; j < cols; j++) {
      const d = dy[o + j]!,
        h = xhat[o + j]!,
        g = f(d * gamma[j]!);
      lanes[j & 3] = f(lanes[j & 3]! + g);
      sumGXhat[j & 3] = f(sumGXhat[j & 3]! + f(g * h));
      dGamma[j] = f(dGamma[j]! + f(d * h));
      dBeta[j] = f(dBeta[j]! + d);
    }
    const s1 = laneSum();
    const s2 = f(f(f(sumGXhat[0]! + sumGXhat[1]!) + sumGXhat[2]!) + sumGXhat[3]!);
    const c = f(invStd[r]! / cols);
    for (let j = 0; j < cols; j++) {
      const g = f(dy[o + j]! * gamma[j]!);
      dx[o + j] = f(c * f(f(f(cols * g) - s1) - f(xhat[o + j]! * s2)));
    }
  }
}
