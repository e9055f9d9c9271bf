// Pure-JS twin of assembly/softmax.ts: each row's exponentials kept in float64, rounded once
// on the final store.

let row = new Float64Array(64); // reused across calls; grown for wider rows

export function softmaxForward(x: Float32Array, y: Float32Array, rows: number, cols: number): void {
  if (row.length < cols) row = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, x[o + j]!);
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(x[o + j]! - max);
      row[j] = e;
      sum += e;
    }
    for (let j = 0; j < cols; j++) y[o + j] = row[j]! / sum;
  }
}

export function softmaxBackward(y: Float32Array, dy: Float32Array, dx: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += y[o + j]! * dy[o + j]!;
    for (let j = 0; j < cols; j++) dx[o + j] = y[o + j]! * (dy[o + j]! - dot);
  }
}

/** Twin of the core's logSoftmaxForward: y = x - (max + log(sum e^(x - max))), in float64. */
export function logSoftmaxForward(x: Float32Array, y: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, x[o + j]!);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[o + j]! - max);
    const lse = max + Math.log(sum);
    for (let j = 0; j < cols; j++) y[o + j] = x[o + j]! - lse;
  }
}

/** Twin of the core's logSoftmaxBackward: dx = dy - e^y sum(dy) per row. */
export function logSoftmaxBackward(
  y: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let total = 0;
    for (let j = 0; j < cols; j++) total += dy[o + j]!;
    for (let j = 0; j < cols; j++) dx[o + j] = dy[o + j]! - Math.exp(y[o + j]!) * total;
  }
}
