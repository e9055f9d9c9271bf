import { describe, expect, it } from "vitest";
import { renderDepthLesson } from "../src/demo.js";
import { lessonNamed } from "../src/lessons/index.js";
import type { LessonResult } from "../src/lessons/lesson.js";

// The demo is the depth lesson laid out as a table: the same numbers and the same verdicts.
describe("demo: the depth lesson as a table", () => {
  it("shows every pairing of the lesson with its std by layer and the lesson's verdict", async () => {
    const result = await lessonNamed("depth").run({ backend: "wasm" });
    expect(result.holds).toBe(true);
    const lines = renderDepthLesson(result, [1, 10]).split("\n");
    const chart = result.charts.find((c) => c.name === "std-by-depth")!;
    const pairings = [...new Set(chart.data.map((r) => String(r.pairing)))];
    expect(lines).toHaveLength(pairings.length + 1);
    expect(lines[0]).toMatch(/^pairing\s+L1\s+L10\s+verdict$/);
    pairings.forEach((pairing, i) => {
      const [first, last] = [1, 10].map((layer) =>
        Number(chart.data.find((r) => r.pairing === pairing && r.layer === layer)!.std),
      );
      const verdict = String(result.figures.find((f) => f.label.startsWith(`${pairing}:`))!.value)
        .split(", ")
        .pop()!;
      const cells = lines[i + 1]!.slice(pairing.length).trim().split(/\s+/);
      expect(lines[i + 1]!.startsWith(pairing)).toBe(true);
      // Printed to 3 decimals, or 2 significant digits when tiny or huge.
      expect(Math.abs(Number(cells[0]) - first!)).toBeLessThanOrEqual(0.05 * first! + 5e-4);
      expect(Math.abs(Number(cells[1]) - last!)).toBeLessThanOrEqual(0.05 * last! + 5e-4);
      expect(cells[2]).toBe(verdict);
      expect(["steady", "shrinks", "explodes"]).toContain(verdict);
    });
  });

  it("refuses a result that is not the depth lesson's", () => {
    const other = { charts: [], figures: [] } as unknown as LessonResult;
    expect(() => renderDepthLesson(other)).toThrow(/std-by-depth/);
  });
});
