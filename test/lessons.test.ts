// Every lesson's claim must hold: a lesson whose verdict flips fails the suite. They run on
// both paths (the claims are about the math, not the core), and their charts must render.
import { describe, expect, it } from "vitest";
import { renderSvg, vegaLiteSpec } from "../src/charts.js";
import { LESSONS, lessonNamed, runLessons } from "../src/index.js";

describe.each(["wasm", "js"] as const)("lessons (%s)", (backend) => {
  // The cost lesson measures the core's throughput: on the JS path it would time JavaScript.
  for (const lesson of LESSONS.filter((l) => backend === "wasm" || l.name !== "cost")) {
    it(`${lesson.name}: ${lesson.claim}`, async () => {
      const progress: number[] = [];
      const r = await lesson.run({ backend, onProgress: (f) => progress.push(f) });
      expect(r.holds, `${r.verdict}\n${JSON.stringify(r.figures, null, 1)}`).toBe(true);
      expect(r.figures.length).toBeGreaterThan(0);
      expect(r.charts.length).toBeGreaterThan(0);
      expect(progress.at(-1)).toBe(1);
      expect([...progress].sort((a, b) => a - b)).toEqual(progress); // never goes back
    }, 180_000); // the JS path's summary lesson takes ~15 s of CPU alone, several times that on a busy machine
  }
});

it("a lesson is reproducible: the same figures twice", async () => {
  const [a] = await runLessons(["symmetry"]);
  const [b] = await runLessons(["symmetry"]);
  expect(b!.figures).toEqual(a!.figures);
  expect(() => lessonNamed("nonsense")).toThrow(/lesson: expected one of linear, saturation/);
});

it("charts render to SVG with their title, axes and every series", async () => {
  const [r] = await runLessons(["depth"]);
  const chart = r!.charts[0]!;
  const spec = vegaLiteSpec(chart) as { title: string; data: { values: unknown[] } };
  expect(spec.title).toBe(chart.title);
  expect(spec.data.values).toHaveLength(chart.data.length);
  const svg = await renderSvg(chart);
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg).toContain(chart.title);
  expect(svg).toContain(chart.y.title);
  expect(chart.series).toBeDefined();
  for (const series of new Set(chart.data.map((d) => String(d[chart.series!])))) expect(svg).toContain(series);
  expect((svg.match(/<path/g) ?? []).length).toBeGreaterThan(7); // one line per pairing at least
});
