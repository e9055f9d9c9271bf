// Pure-JS twins of assembly/losses.ts, in float64 as there; grad null skips the gradient;
// weights (one per row) scale each row's loss and gradient, exactly 1 without them.

const rowWeight = (weights: Float32Array | null, i: number, cols: number): number =>
  weights ? weights[Math.floor(i / cols)]! : 1;

export function meanSquaredError(
  pred: Float32Array,
  target: Float32Array,
  grad: Float32Array | null,
  n: number,
  scale: number,
  weights: Float32Array | null = null,
  cols = 1,
): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const w = rowWeight(weights, i, cols);
    const d = pred[i]! - target[i]!;
    sum += w * (d * d);
    if (grad) grad[i] = scale * w * 2 * d;
  }
  return sum;
}

export function sigmoidCrossEntropy(
  logits: Float32Array,
  target: Float32Array,
  grad: Float32Array | null,
  n: number,
  scale: number,
  weights: Float32Array | null = null,
  cols = 1,
): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const w = rowWeight(weights, i, cols);
    const z = logits[i]!,
      t = target[i]!;
    const e = Math.exp(-Math.abs(z));
    sum += w * (Math.max(z, 0) - z * t + Math.log1p(e));
    if (grad) grad[i] = scale * w * ((z >= 0 ? 1 / (1 + e) : e / (1 + e)) - t);
  }
  return sum;
}

export function binaryCrossEntropy(
  prob: Float32Array,
  target: Float32Array,
  grad: Float32Array | null,
  n: number,
  scale: number,
  eps: number,
  weights: Float32Array | null = null,
  cols = 1,
): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const w = rowWeight(weights, i, cols);
    const raw = prob[i]!,
      t = target[i]!;
    const p = Math.min(Math.max(raw, eps), 1 - eps);
    sum -= w * (t * Math.log(p) + (1 - t) * Math.log(1 - p));
    if (grad) grad[i] = p === raw ? (scale * w * (p - t)) / (p * (1 - p)) : 0;
  }
  return sum;
}

export function softmaxCrossEntropy(
  logits: Float32Array,
  target: Float32Array,
  probs: Float32Array,
  grad: Float32Array | null,
  rows: number,
  cols: number,
  scale: number,
  weights: Float32Array | null = null,
): number {
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols,
      w = rowWeight(weights, r, 1);
    let m = -Infinity;
    for (let j = 0; j < cols; j++) m = Math.max(m, logits[o + j]!);
    let s = 0,
      tz = 0,
      tsum = 0;
    for (let j = 0; j < cols; j++) {
      const z = logits[o + j]!,
        t = target[o + j]!;
      s += Math.exp(z - m);
      tz += t * z;
      tsum += t;
    }
    sum += w * (tsum * (m + Math.log(s)) - tz);
    if (grad) for (let j = 0; j < cols; j++) grad[o + j] = scale * w * (tsum * probs[o + j]! - target[o + j]!);
  }
  return sum;
}

export function meanAbsoluteError(
  pred: Float32Array,
  target: Float32Array,
  grad: Float32Array | null,
  n: number,
  scale: number,
  weights: Float32Array | null = null,
  cols = 1,
): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const w = rowWeight(weights, i, cols);
    const d = pred[i]! - target[i]!;
    sum += w * Math.abs(d);
    if (grad) grad[i] = scale * w * (d > 0 ? 1 : d < 0 ? -1 : 0);
  }
  return sum;
}

export function huber(
  pred: Float32Array,
  target: Float32Array,
  grad: Float32Array | null,
  n: number,
  scale: number,
  delta: number,
  weights: Float32Array | null = null,
  cols = 1,
): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const w = rowWeight(weights, i, cols);
    const d = pred[i]! - target[i]!,
      a = Math.abs(d),
      inside = a <= delta;
    sum += w * (inside ? 0.5 * d * d : delta * a - 0.5 * delta * delta);
    if (grad) grad[i] = scale * w * (inside ? d : d > 0 ? delta : -delta);
  }
  return sum;
}

export function logCosh(
  pred: Float32Array,
  target: Float32Array,
  grad: Float32Array | null,
  n: number,
  scale: number,
  weights: Float32Array | null = null,
  cols = 1,
): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const w = rowWeight(weights, i, cols);
    const d = pred[i]! - target[i]!,
      y = -2 * d;
    sum += w * (d + Math.max(y, 0) + Math.log1p(Math.exp(-Math.abs(y))) - Math.LN2);
    if (grad) grad[i] = scale * w * Math.tanh(d);
  }
  return sum;
}

export function categoricalHinge(
  pred: Float32Array,
  target: Float32Array,
  grad: Float32Array | null,
  rows: number,
  cols: number,
  scale: number,
  weights: Float32Array | null = null,
): number {
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols,
      w = rowWeight(weights, r, 1);
    let pos = 0,
      neg = -Infinity;
    for (let j = 0; j < cols; j++) {
      pos += target[o + j]! * pred[o + j]!;
      neg = Math.max(neg, (1 - target[o + j]!) * pred[o + j]!);
    }
    const loss = Math.max(neg - pos + 1, 0);
    sum += w * loss;
    if (!grad) continue;
    let ties = 0;
    for (let j = 0; j < cols; j++) if ((1 - target[o + j]!) * pred[o + j]! === neg) ties++;
    for (let j = 0; j < cols; j++) {
      const t = target[o + j]!,
        atMax = (1 - t) * pred[o + j]! === neg ? (1 - t) / ties : 0;
      grad[o + j] = loss > 0 ? scale * w * (atMax - t) : 0;
    }
  }
  return sum;
}

export function countCorrect(
  y: Float32Array,
  target: Float32Array,
  rows: number,
  cols: number,
  threshold: number,
): number {
  let correct = 0;
  if (cols === 1) {
    for (let r = 0; r < rows; r++) if (y[r]! > threshold === target[r]! > 0.5) correct++;
    return correct;
  }
  for (let r = 0; r < rows; r++) if (argmax(y, r * cols, cols) === argmax(target, r * cols, cols)) correct++;
  return correct;
}

export function argmax(x: Float32Array, start: number, n: number): number {
  let best = 0,
    value = x[start]!;
  for (let j = 1; j < n; j++)
    if (x[start + j]! > value) {
      value = x[start + j]!;
      best = j;
    }
  return best;
}
