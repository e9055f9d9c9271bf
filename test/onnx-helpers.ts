// Shared by the ONNX and TF.js tests.
import { expect } from "vitest";

/** Largest difference relative to the reference's largest magnitude (its output scale). */
export function relativeError(got: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(got.length).toBe(expected.length);
  let err = 0,
    scale = 0;
  for (let i = 0; i < expected.length; i++) {
    err = Math.max(err, Math.abs(got[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return err / scale;
}
