// Loss functions of a batch: each returns the loss summed over its elements (or rows) and,
// when grad is not 0, writes scale * d(sum)/d(input) to grad (scale = 1 / count makes it
// the gradient of the mean). The loss is small work next to the layers (batch x outputs),
// so it runs scalar in float64 from float32 inputs: accurate, and the same in every engine
// (AssemblyScript's Math is compiled in, not the engine's).

/** sum (p - t)^2; grad = scale * 2 (p - t). */
export function meanSquaredError(pred: usize, target: usize, grad: usize, n: i32, scale: f64): f64 {
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const d = <f64>load<f32>(pred + o) - <f64>load<f32>(target + o);
    sum += d * d;
    if (grad) store<f32>(grad + o, <f32>(scale * 2 * d));
  }
  return sum;
}

/** Binary cross-entropy from logits z, stable for any z: max(z, 0) - z t + log(1 + e^-|z|)
 *  (the form of TensorFlow's sigmoid_cross_entropy_with_logits); grad = scale (sigmoid(z) - t). */
export function sigmoidCrossEntropy(logits: usize, target: usize, grad: usize, n: i32, scale: f64): f64 {
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const z = <f64>load<f32>(logits + o);
    const t = <f64>load<f32>(target + o);
    const e = Math.exp(-Math.abs(z));
    sum += max(z, 0) - z * t + Math.log1p(e);
    if (grad) {
      const p = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      store<f32>(grad + o, <f32>(scale * (p - t)));
    }
  }
  return sum;
}

/** Binary cross-entropy from probabilities p clipped to [eps, 1 - eps] (as Keras):
 *  -(t log p + (1 - t) log(1 - p)); grad = scale (p - t) / (p (1 - p)), 0 where p was clipped. */
export function binaryCrossEntropy(prob: usize, target: usize, grad: usize, n: i32, scale: f64, eps: f64): f64 {
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const raw = <f64>load<f32>(prob + o);
    const t = <f64>load<f32>(target + o);
    const p = min(max(raw, eps), 1 - eps);
    sum -= t * Math.log(p) + (1 - t) * Math.log(1 - p);
    if (grad) store<f32>(grad + o, p == raw ? <f32>(scale * (p - t) / (p * (1 - p))) : 0);
  }
  return sum;
}

/** Softmax cross-entropy from logits z, with probs = softmax(z) from the forward pass:
 *  per row sum_j t_j (logsumexp(z) - z_j); grad = scale ((sum_j t_j) probs - t), which is
 *  probs - t for one-hot or probability targets. Returns the sum over rows. */
export function softmaxCrossEntropy(logits: usize, target: usize, probs: usize, grad: usize, rows: i32, cols: i32, scale: f64): f64 {
  let sum: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * cols << 2;
    let m: f64 = -Infinity;
    for (let j = 0; j < cols; j++) m = max(m, <f64>load<f32>(logits + row + (<usize>j << 2)));
    let s: f64 = 0, tz: f64 = 0, tsum: f64 = 0;
    for (let j = 0; j < cols; j++) {
      const o = row + (<usize>j << 2);
      const z = <f64>load<f32>(logits + o);
      const t = <f64>load<f32>(target + o);
      s += Math.exp(z - m);
      tz += t * z;
      tsum += t;
    }
    sum += tsum * (m + Math.log(s)) - tz;
    if (grad) {
      for (let j = 0; j < cols; j++) {
        const o = row + (<usize>j << 2);
        store<f32>(grad + o, <f32>(scale * (tsum * <f64>load<f32>(probs + o) - <f64>load<f32>(target + o))));
      }
    }
  }
  return sum;
}

/** Rows whose prediction matches the target. One column: (y > threshold) == (t > 0.5), the
 *  threshold being 0.5 for probabilities and 0 for logits. Wider: argmax y == argmax t (the
 *  first maximum wins, as numpy's argmax). */
export function countCorrect(y: usize, target: usize, rows: i32, cols: i32, threshold: f32): i32 {
  let correct = 0;
  if (cols == 1) {
    for (let r = 0; r < rows; r++) {
      const o = <usize>r << 2;
      if ((load<f32>(y + o) > threshold) == (load<f32>(target + o) > 0.5)) correct++;
    }
    return correct;
  }
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * cols << 2;
    if (argmax(y + row, cols) == argmax(target + row, cols)) correct++;
  }
  return correct;
}

function argmax(p: usize, n: i32): i32 {
  let best = 0;
  let value = load<f32>(p);
  for (let j = 1; j < n; j++) {
    const v = load<f32>(p + (<usize>j << 2));
    if (v > value) { value = v; best = j; }
  }
  return best;
}
