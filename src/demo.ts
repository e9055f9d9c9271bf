// The demo behind `npx simdnet demo`: the depth lesson (src/lessons/depth.ts) rendered as a
// table for the terminal. The lesson runs the experiment and gives the verdicts; this file
// only lays them out, so the demo and the lesson can never disagree.
import type { LessonResult } from "./lessons/lesson.js";

/** The layers whose std the table shows (of the lesson's 10). */
export const DEMO_LAYERS = [1, 2, 3, 5, 7, 10];

/** The depth lesson's result as text: a line per pairing with the std of its activations
 *  after the layers in `layers`, and the lesson's verdict for it (steady, shrinks, explodes). */
export function renderDepthLesson(result: LessonResult, layers: readonly number[] = DEMO_LAYERS): string {
  const chart = result.charts.find((c) => c.name === "std-by-depth");
  if (!chart) throw new Error("the depth lesson's result has no std-by-depth chart");
  const std = new Map<string, number[]>();
  for (const row of chart.data) {
    const pairing = String(row.pairing);
    (std.get(pairing) ?? std.set(pairing, []).get(pairing)!)[Number(row.layer) - 1] = Number(row.std);
  }
  const width = Math.max(...[...std.keys()].map((p) => p.length)) + 2;
  const lines = [`${"pairing".padEnd(width)}${layers.map((l) => `L${l}`.padStart(10)).join("")}   verdict`];
  for (const [pairing, values] of std) {
    // The figure of a pairing reads "<first> -> <last>, <verdict>".
    const figure = result.figures.find((f) => f.label.startsWith(`${pairing}:`));
    const verdict = figure ? String(figure.value).split(", ").pop() : "";
    lines.push(
      `${pairing.padEnd(width)}${layers.map((l) => formatStd(values[l - 1]!).padStart(10)).join("")}   ${verdict}`,
    );
  }
  return lines.join("\n");
}

const formatStd = (v: number): string => (v !== 0 && (v < 1e-3 || v >= 1e4) ? v.toExponential(1) : v.toFixed(3));
