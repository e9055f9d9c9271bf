// Pure-JS twins of assembly/losses.ts, in float64 as there; grad null skips the gradient.

export function meanSquaredError(pred: Float32Array, target: Float32Array, grad: Float32Array | null, n: number, scale: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i]! - target[i]!;
    sum += d * d;
    if (grad) grad[i] = scale * 2 * d;
  }
  return sum;
}

export function sigmoidCrossEntropy(logits: Float32Array, target: Float32Array, grad: Float32Array | null, n: number, scale: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const z = logits[i]!, t = target[i]!;
    const e = Math.exp(-Math.abs(z));
    sum += Math.max(z, 0) - z * t + Math.log1p(e);
    if (grad) grad[i] = scale * ((z >= 0 ? 1 / (1 + e) : e / (1 + e)) - t);
  }
  return sum;
}

export function binaryCrossEntropy(prob: Float32Array, target: Float32Array, grad: Float32Array | null, n: number, scale: number, eps: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const raw = prob[i]!, t = target[i]!;
    const p = Math.min(Math.max(raw, eps), 1 - eps);
    sum -= t * Math.log(p) + (1 - t) * Math.log(1 - p);
    if (grad) grad[i] = p === raw ? scale * (p - t) / (p * (1 - p)) : 0;
  }
  return sum;
}

export function softmaxCrossEntropy(logits: Float32Array, target: Float32Array, probs: Float32Array, grad: Float32Array | null,
  rows: number, cols: number, scale: number): number {
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = -Infinity;
    for (let j = 0; j < cols; j++) m = Math.max(m, logits[o + j]!);
    let s = 0, tz = 0, tsum = 0;
    for (let j = 0; j < cols; j++) {
      const z = logits[o + j]!, t = target[o + j]!;
      s += Math.exp(z - m);
      tz += t * z;
      tsum += t;
    }
    sum += tsum * (m + Math.log(s)) - tz;
    if (grad) for (let j = 0; j < cols; j++) grad[o + j] = scale * (tsum * probs[o + j]! - target[o + j]!);
  }
  return sum;
}

export function countCorrect(y: Float32Array, target: Float32Array, rows: number, cols: number, threshold: number): number {
  let correct = 0;
  if (cols === 1) {
    for (let r = 0; r < rows; r++) if ((y[r]! > threshold) === (target[r]! > 0.5)) correct++;
    return correct;
  }
  for (let r = 0; r < rows; r++) if (argmax(y, r * cols, cols) === argmax(target, r * cols, cols)) correct++;
  return correct;
}

export function argmax(x: Float32Array, start: number, n: number): number {
  let best = 0, value = x[start]!;
  for (let j = 1; j < n; j++) if (x[start + j]! > value) { value = x[start + j]!; best = j; }
  return best;
}
