// Pure-JS twins of assembly/vector.ts.

export function fill(x: Float32Array, value: number): void {
  x.fill(value);
}

export function scale(x: Float32Array, s: number): void {
  const f = Math.fround(s);
  for (let i = 0; i < x.length; i++) x[i]! *= f;
}
