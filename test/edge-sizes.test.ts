// The edge-size grid's constants are the kernels' own: read from the assembly sources.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { around, ELEMENTWISE_SIZES, MATMUL_BLOCKS, SOFTMAX_NARROW, VECTOR_WIDTH } from "./edge-sizes.js";

const constant = (file: string, name: string): number => {
  const match = new RegExp(`const ${name} = (\\d+);`).exec(
    readFileSync(new URL(`../assembly/${file}`, import.meta.url), "utf8"),
  );
  if (!match) throw new Error(`no constant ${name} in assembly/${file}`);
  return Number(match[1]);
};

describe("the edge-size grid", () => {
  it("uses the cache blocks of assembly/blocking.ts (SGEMM's) and the narrow-row limit of assembly/softmax.ts", () => {
    for (const [name, value] of Object.entries(MATMUL_BLOCKS)) expect(constant("blocking.ts", name), name).toBe(value);
    expect(constant("softmax.ts", "NARROW")).toBe(SOFTMAX_NARROW);
  });

  it("holds sizes below, at and above every multiple of the vector width up to four", () => {
    for (let k = 1; k <= 4; k++)
      for (const s of [k * VECTOR_WIDTH - 1, k * VECTOR_WIDTH, k * VECTOR_WIDTH + 1])
        expect(ELEMENTWISE_SIZES).toContain(s);
    expect(around(4, 64)).toEqual([1, 3, 4, 5, 63, 64, 65]);
  });
});
