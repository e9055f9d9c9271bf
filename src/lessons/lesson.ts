// What a lesson is: one claim of the article, an experiment on the library that measures
// it, and a verdict with its figures. Every lesson is seeded and reproducible.
import type { Backend } from "../backend/backend.js";

/** One measured figure of a lesson, with its label. */
export interface Figure {
  label: string;
  value: number | string;
}

/** Data for one chart; charts.ts turns it into a Vega-Lite spec and an SVG. */
export interface Chart {
  /** File name without extension. */
  name: string;
  title: string;
  kind: "line" | "bar";
  x: { field: string; title: string; log?: boolean; type?: "quantitative" | "ordinal" | "nominal" };
  /** For histograms: where each bar ends (x is where it starts). */
  x2?: string;
  y: { field: string; title: string; log?: boolean };
  /** Field that splits the data into coloured series. */
  series?: string;
  /** Field that splits the chart into columns of small multiples. */
  facet?: string;
  /** Field that splits the chart into rows of small multiples. */
  row?: string;
  data: Record<string, number | string>[];
}

/** What a lesson's run found: whether the claim holds, the verdict, figures and charts. */
export interface LessonResult {
  name: string;
  title: string;
  claim: string;
  /** The claim held on this run. */
  holds: boolean;
  /** One line: what was measured, with the key figures. */
  verdict: string;
  figures: Figure[];
  charts: Chart[];
  seconds: number;
}

/** How to run a lesson: on which core, with what progress callback. */
export interface LessonOptions {
  /** "wasm" (default) or "js". */
  backend?: "wasm" | "js" | Backend;
  /** Called with the fraction done (0..1) as the lesson runs. */
  onProgress?: (fraction: number) => void;
}

/** A claim of "Activation Functions and Initialization Methods" with the seeded experiment that tests it. */
export interface Lesson {
  name: string;
  title: string;
  claim: string;
  /** Runs the experiment and measures the verdict: whether the claim held, with its figures. */
  run(options?: LessonOptions): Promise<LessonResult>;
}

type Body = (
  o: Required<Pick<LessonOptions, "onProgress">> & LessonOptions,
) => Promise<Omit<LessonResult, "name" | "title" | "claim" | "seconds">>;

/** A lesson from its text and its experiment. */
export function lesson(name: string, title: string, claim: string, body: Body): Lesson {
  return {
    name,
    title,
    claim,
    async run(options = {}) {
      const t0 = (globalThis.performance ?? Date).now();
      const onProgress = options.onProgress ?? (() => {});
      const result = await body({ ...options, onProgress });
      onProgress(1);
      return { name, title, claim, ...result, seconds: ((globalThis.performance ?? Date).now() - t0) / 1000 };
    },
  };
}

/** Three significant digits, exponent form for the very small and very large. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

export const pct = (v: number): string => `${(v * 100).toFixed(v > 0 && v < 0.1 ? 1 : 0)}%`;
