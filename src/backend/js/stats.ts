// Pure-JS twins of assembly/stats.ts.

export function sum(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s;
}

export function countAbsAbove(x: Float32Array, t: number): number {
  let count = 0;
  for (let i = 0; i < x.length; i++) if (Math.abs(x[i]!) > t) count++;
  return count;
}

export function countBelow(x: Float32Array, t: number): number {
  let count = 0;
  for (let i = 0; i < x.length; i++) if (x[i]! < t) count++;
  return count;
}

export function columnMax(x: Float32Array, rows: number, cols: number, out: Float32Array, accumulate: boolean): void {
  for (let j = 0; j < cols; j++) {
    let m = accumulate ? out[j]! : -Infinity;
    for (let r = 0; r < rows; r++) {
      const v = x[r * cols + j]!;
      if (Number.isNaN(v) || v > m) m = Number.isNaN(m) ? m : v;
    }
    out[j] = m;
  }
}

export function histogram(x: Float32Array, lo: number, hi: number, bins: number, out: Float32Array): void {
  const scale = Math.fround(bins / Math.fround(hi - lo));
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (Number.isNaN(v)) continue;
    const slot =
      v < lo ? 0 : v >= hi ? bins + 1 : 1 + Math.min(bins - 1, Math.trunc(Math.fround(Math.fround(v - lo) * scale)));
    out[slot]! += 1;
  }
}

export function columnHash(x: Float32Array, rows: number, cols: number, out: Uint32Array): void {
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  for (let j = 0; j < cols; j++) {
    let h = 2166136261;
    for (let r = 0; r < rows; r++) {
      const i = r * cols + j;
      h = Math.imul(h ^ (x[i] === 0 ? 0 : bits[i]!), 16777619) >>> 0;
    }
    out[j] = h;
  }
}

export function countSameSignColumns(x: Float32Array, rows: number, cols: number): number {
  let count = 0;
  for (let j = 0; j < cols; j++) {
    let pos = 0,
      neg = 0;
    for (let r = 0; r < rows; r++) {
      const v = x[r * cols + j]!;
      if (v > 0) pos++;
      else if (v < 0) neg++;
    }
    if ((pos === 0) !== (neg === 0)) count++;
  }
  return count;
}

export function columnSumSquares(x: Float32Array, out: Float32Array, rows: number, cols: number): void {
  for (let j = 0; j < cols; j++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s = Math.fround(s + Math.fround(x[r * cols + j]! * x[r * cols + j]!));
    out[j] = s;
  }
}

export function sumSquaredDiff(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}
