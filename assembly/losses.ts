// Loss functions of a batch: each returns the loss summed over its elements (or rows) and,
// when grad is not 0, writes scale * d(sum)/d(input) to grad (scale = 1 / count makes it
// the gradient of the mean). The loss is small work next to the layers (batch x outputs),
// so it runs scalar in float64 from float32 inputs: accurate, and the same in every engine
// (AssemblyScript's Math is compiled in, not the engine's).
//
// weights (0: none) holds one float per row (sample weights, Keras' sample_weight): a row's
// loss and gradient are multiplied by it. Without weights w is exactly 1, and every product
// with it is exact, so an unweighted call computes the same bits as before weights existed.
// Elementwise losses find an element's row as i / cols.

// @ts-ignore: decorator
@inline function rowWeight(weights: usize, i: i32, cols: i32): f64 {
  return weights ? <f64>load<f32>(weights + (<usize>(i / cols) << 2)) : 1;
}

/** sum (p - t)^2; grad = scale * 2 (p - t). */
export function meanSquaredError(pred: usize, target: usize, grad: usize, n: i32, scale: f64, weights: usize,
    cols: i32): f64 {
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const w = rowWeight(weights, i, cols);
    const d = <f64>load<f32>(pred + o) - <f64>load<f32>(target + o);
    sum += w * (d * d);
    if (grad) store<f32>(grad + o, <f32>(scale * w * 2 * d));
  }
  return sum;
}

/** Binary cross-entropy from logits z, stable for any z: max(z, 0) - z t + log(1 + e^-|z|)
 *  (the form of TensorFlow's sigmoid_cross_entropy_with_logits); grad = scale (sigmoid(z) - t). */
export function sigmoidCrossEntropy(logits: usize, target: usize, grad: usize, n: i32, scale: f64, weights: usize,
    cols: i32): f64 {
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const w = rowWeight(weights, i, cols);
    const z = <f64>load<f32>(logits + o);
    const t = <f64>load<f32>(target + o);
    const e = Math.exp(-Math.abs(z));
    sum += w * (max(z, 0) - z * t + Math.log1p(e));
    if (grad) {
      const p = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      store<f32>(grad + o, <f32>(scale * w * (p - t)));
    }
  }
  return sum;
}

/** Binary cross-entropy from probabilities p clipped to [eps, 1 - eps] (as Keras):
 *  -(t log p + (1 - t) log(1 - p)); grad = scale (p - t) / (p (1 - p)), 0 where p was clipped. */
export function binaryCrossEntropy(prob: usize, target: usize, grad: usize, n: i32, scale: f64, eps: f64,
    weights: usize, cols: i32): f64 {
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const w = rowWeight(weights, i, cols);
    const raw = <f64>load<f32>(prob + o);
    const t = <f64>load<f32>(target + o);
    const p = min(max(raw, eps), 1 - eps);
    sum -= w * (t * Math.log(p) + (1 - t) * Math.log(1 - p));
    if (grad) store<f32>(grad + o, p == raw ? <f32>(scale * w * (p - t) / (p * (1 - p))) : 0);
  }
  return sum;
}

/** Softmax cross-entropy from logits z, with probs = softmax(z) from the forward pass:
 *  per row sum_j t_j (logsumexp(z) - z_j); grad = scale ((sum_j t_j) probs - t), which is
 *  probs - t for one-hot or probability targets. Returns the sum over rows. */
export function softmaxCrossEntropy(logits: usize, target: usize, probs: usize, grad: usize, rows: i32, cols: i32,
    scale: f64, weights: usize): f64 {
  let sum: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * cols << 2;
    const w = rowWeight(weights, r, 1);
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
    sum += w * (tsum * (m + Math.log(s)) - tz);
    if (grad) {
      for (let j = 0; j < cols; j++) {
        const o = row + (<usize>j << 2);
        store<f32>(grad + o, <f32>(scale * w * (tsum * <f64>load<f32>(probs + o) - <f64>load<f32>(target + o))));
      }
    }
  }
  return sum;
}

/** Mean absolute error (Keras' mean_absolute_error): sum |p - t|; grad = scale sign(p - t),
 *  0 where p == t (the subgradient TensorFlow's abs takes). */
export function meanAbsoluteError(pred: usize, target: usize, grad: usize, n: i32, scale: f64, weights: usize,
    cols: i32): f64 {
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const w = rowWeight(weights, i, cols);
    const d = <f64>load<f32>(pred + o) - <f64>load<f32>(target + o);
    sum += w * Math.abs(d);
    if (grad) store<f32>(grad + o, <f32>(scale * w * (d > 0 ? 1 : d < 0 ? -1 : 0)));
  }
  return sum;
}

/** Huber loss (Keras' huber): with d = p - t, d^2 / 2 where |d| <= delta, else
 *  delta |d| - delta^2 / 2; grad = scale d, or scale delta sign(d) beyond delta. */
export function huber(pred: usize, target: usize, grad: usize, n: i32, scale: f64, delta: f64, weights: usize,
    cols: i32): f64 {
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const w = rowWeight(weights, i, cols);
    const d = <f64>load<f32>(pred + o) - <f64>load<f32>(target + o);
    const a = Math.abs(d);
    const inside = a <= delta;
    sum += w * (inside ? 0.5 * d * d : delta * a - 0.5 * delta * delta);
    if (grad) store<f32>(grad + o, <f32>(scale * w * (inside ? d : d > 0 ? delta : -delta)));
  }
  return sum;
}

/** Log-cosh loss (Keras' log_cosh): log cosh(d) with d = p - t, computed as
 *  d + softplus(-2d) - log 2 so it never overflows; grad = scale tanh(d). */
export function logCosh(pred: usize, target: usize, grad: usize, n: i32, scale: f64, weights: usize, cols: i32): f64 {
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const w = rowWeight(weights, i, cols);
    const d = <f64>load<f32>(pred + o) - <f64>load<f32>(target + o);
    const y = -2 * d;
    sum += w * (d + max(y, 0) + Math.log1p(Math.exp(-Math.abs(y))) - Math.LN2);
    if (grad) store<f32>(grad + o, <f32>(scale * w * Math.tanh(d)));
  }
  return sum;
}

/** Categorical hinge (Keras' categorical_hinge), per row max(0, 1 + neg - pos) with
 *  pos = sum_j t_j p_j and neg = max_j (1 - t_j) p_j. Where the row's loss is positive,
 *  grad_j = scale (-t_j + (1 - t_j) [(1 - t_j) p_j == neg] / ties): the maximum's gradient
 *  shared among tied maxima, as TensorFlow's reduce_max does; 0 elsewhere. Returns the sum
 *  over rows. */
export function categoricalHinge(pred: usize, target: usize, grad: usize, rows: i32, cols: i32, scale: f64,
    weights: usize): f64 {
  let sum: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * cols << 2;
    const w = rowWeight(weights, r, 1);
    let pos: f64 = 0, neg: f64 = -Infinity;
    for (let j = 0; j < cols; j++) {
      const o = row + (<usize>j << 2);
      const p = <f64>load<f32>(pred + o), t = <f64>load<f32>(target + o);
      pos += t * p;
      neg = max(neg, (1 - t) * p);
    }
    const loss = max(neg - pos + 1, 0);
    sum += w * loss;
    if (!grad) continue;
    let ties = 0;
    for (let j = 0; j < cols; j++) {
      const o = row + (<usize>j << 2);
      const t = <f64>load<f32>(target + o);
      if ((1 - t) * <f64>load<f32>(pred + o) == neg) ties++;
    }
    for (let j = 0; j < cols; j++) {
      const o = row + (<usize>j << 2);
      const t = <f64>load<f32>(target + o);
      const atMax = (1 - t) * <f64>load<f32>(pred + o) == neg ? (1 - t) / <f64>ties : 0;
      store<f32>(grad + o, loss > 0 ? <f32>(scale * w * (atMax - t)) : 0);
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
