/**
 * simdnet/charts: a lesson's charts as Vega-Lite specs and as SVG (needs the optional peers vega and vega-lite).
 * @packageDocumentation
 */
// Lesson charts as Vega-Lite specs, rendered to SVG by Vega without a browser. Vega and
// Vega-Lite are optional peer dependencies, loaded on first render: the library itself never
// pulls them into an install or a bundle.
import type { Chart } from "./lessons/lesson.js";

/** Thrown by `renderSvg` when the optional peer dependencies it renders with are not installed. */
export class MissingPeerDependencyError extends Error {
  override readonly name = "MissingPeerDependencyError";
  /** The packages to install, e.g. ["vega", "vega-lite"]. */
  readonly packages: readonly string[];
  constructor(packages: readonly string[], options?: { cause?: unknown }) {
    super(
      `simdnet/charts renders with ${packages.join(" and ")}, optional peer dependencies that are not installed: ` +
        `npm install ${packages.join(" ")}`,
      options,
    );
    this.packages = packages;
  }
}

// Line charts: about this many markers per series, so lines that overlap stay told apart.
const MARKERS_PER_SERIES = 12;
// Dash patterns in the order Vega-Lite gives series, so each series has its own.
const DASHES = [
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
  [12, 4],
  [3, 5],
  [1, 3],
];

type Row = Record<string, number | string>;

/** One number format per axis. Vega already gives a linear axis one; on a log axis it mixes
 *  "10,000" with "1e-7", so there: plain decimals when every value lies in [0.001, 10^4),
 *  else ticks at powers of ten only, in exponent form. */
function logAxis(values: number[]): Record<string, unknown> {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return {};
  const lo = Math.min(...positive),
    hi = Math.max(...positive);
  if (lo >= 1e-3 && hi < 1e4) return { format: "~g" };
  const first = Math.ceil(Math.log10(lo)),
    count = Math.floor(Math.log10(hi)) - first + 1;
  if (count < 2) return { format: "~e" }; // within about a decade: Vega's own ticks
  const step = Math.ceil(count / 8); // at most 8 labels: they must not collide
  return { format: "~e", values: Array.from({ length: Math.ceil(count / step) }, (_, k) => 10 ** (first + k * step)) };
}

/** Marks a few rows of each series (staggered between series) as the ones drawn with a marker. */
function withMarkers(chart: Chart): Row[] {
  const series = chart.series;
  const groups = new Map<string, Row[]>();
  for (const d of chart.data) {
    const key = series ? String(d[series]) : "";
    const rows = groups.get(key);
    if (rows) rows.push(d);
    else groups.set(key, [d]);
  }
  const out: Row[] = [];
  [...groups.values()].forEach((rows, s) => {
    const every = Math.max(1, Math.round(rows.length / MARKERS_PER_SERIES));
    const phase = Math.round((s * every) / Math.max(1, groups.size)) % every;
    rows.forEach((d, i) => out.push({ ...d, marker: i % every === phase || i === rows.length - 1 ? 1 : 0 }));
  });
  return out;
}

/** A Vega-Lite specification of the chart. */
export function vegaLiteSpec(chart: Chart): Record<string, unknown> {
  const xValues = chart.data.map((d) => d[chart.x.field]);
  const yValues = chart.data.map((d) => Number(d[chart.y.field]));
  // Epochs and layers are counts: whole-number ticks.
  const integers = xValues.every((v) => Number.isInteger(v));
  const xAxis = chart.x.type
    ? {}
    : integers
      ? { format: "d", tickMinStep: 1 }
      : chart.x.log
        ? logAxis(xValues.map(Number))
        : {};
  const x = {
    field: chart.x.field,
    type: chart.x.type ?? "quantitative",
    title: chart.x.title,
    ...(chart.x.log ? { scale: { type: "log" } } : {}),
    axis: xAxis,
  };
  const yAxis = chart.y.log ? logAxis(yValues) : {};
  const y = {
    field: chart.y.field,
    type: "quantitative",
    title: chart.y.title,
    ...(chart.y.log ? { scale: { type: "log" } } : {}),
    axis: yAxis,
  };
  const base = { $schema: "https://vega.github.io/schema/vega-lite/v6.json", title: chart.title, background: "white" };

  if (chart.kind === "line") {
    // Colour, dash and marker shape all follow the series, under one legend: two series that
    // overlap still show both dash patterns and both markers.
    const bySeries = chart.series
      ? Object.fromEntries(
          ["color", "strokeDash", "shape"].map((channel) => [
            channel,
            {
              field: chart.series,
              type: "nominal",
              title: chart.series,
              legend: { labelLimit: 320, symbolStrokeWidth: 2, symbolSize: 120 },
              ...(channel === "strokeDash" ? { scale: { range: DASHES } } : {}),
            },
          ]),
        )
      : {};
    return {
      ...base,
      width: 520,
      height: 300,
      data: { values: withMarkers(chart) },
      encoding: { x, y, color: bySeries.color },
      layer: [
        { mark: { type: "line", strokeWidth: 2 }, encoding: { strokeDash: bySeries.strokeDash } },
        {
          mark: { type: "point", filled: false, size: 50, strokeWidth: 1.5 },
          transform: [{ filter: "datum.marker === 1" }],
          encoding: { shape: bySeries.shape },
        },
      ],
    };
  }
  if (chart.facet || chart.row) {
    const x2 = chart.x2 ? { x2: { field: chart.x2 }, y2: { datum: 0 } } : {}; // bars from x to x2, up from 0
    const color = chart.series
      ? { color: { field: chart.series, type: "nominal", title: chart.series, legend: null } }
      : {};
    return {
      ...base,
      data: { values: chart.data },
      facet: {
        ...(chart.facet ? { column: { field: chart.facet, type: "nominal", title: null } } : {}),
        ...(chart.row ? { row: { field: chart.row, type: "nominal", title: null } } : {}),
      },
      spec: { width: 220, height: 90, mark: { type: "bar" }, encoding: { x, ...x2, y, ...color } },
      resolve: { scale: { x: "independent" } },
    };
  }
  // A plain bar chart: horizontal bars sorted by value, each with its value printed and a
  // tick at its end, so a zero bar still shows (and reads) as zero.
  const value = { field: chart.y.field, type: "quantitative", title: chart.y.title, axis: yAxis };
  // Sorted here, not by Vega-Lite: a sort in a layered chart makes each layer sort on its own.
  const sorted = [...chart.data].sort((a, b) => Number(b[chart.y.field]) - Number(a[chart.y.field]));
  const category = {
    field: chart.x.field,
    type: chart.x.type ?? "nominal",
    title: chart.x.title,
    sort: null,
    // The title above the labels, level: turned along a short axis it would stretch the chart.
    axis: { labelLimit: 240, titleAngle: 0, titleAlign: "right", titleBaseline: "bottom", titleX: 0, titleY: -4 },
  };
  return {
    ...base,
    width: 420,
    height: { step: 34 },
    data: { values: sorted },
    encoding: { y: category, x: value },
    layer: [
      { mark: { type: "bar", color: "#4c78a8" } },
      { mark: { type: "tick", color: "#1f3b5c", thickness: 2 } },
      { mark: { type: "text", align: "left", dx: 5 }, encoding: { text: { field: chart.y.field, format: ".3~g" } } },
    ],
  };
}

/** Vega and Vega-Lite, or a MissingPeerDependencyError naming the ones to install. */
async function loadVega(): Promise<[typeof import("vega"), typeof import("vega-lite")]> {
  const missing: string[] = [];
  const absent =
    (name: string) =>
    (error: unknown): null => {
      const e = error as { code?: string; message?: string };
      if ((e?.code === "ERR_MODULE_NOT_FOUND" || e?.code === "MODULE_NOT_FOUND") && e.message?.includes(`'${name}'`)) {
        missing.push(name);
        return null;
      }
      throw error;
    };
  const [vega, vegaLite] = await Promise.all([
    import("vega").catch(absent("vega")),
    import("vega-lite").catch(absent("vega-lite")),
  ]);
  if (!vega || !vegaLite) throw new MissingPeerDependencyError(missing.sort());
  return [vega, vegaLite];
}

/** The chart as an SVG document. Needs the optional peer dependencies `vega` and `vega-lite`
 *  (a MissingPeerDependencyError says so when they are not installed). */
export async function renderSvg(chart: Chart): Promise<string> {
  const [vega, vegaLite] = await loadVega();
  const view = new vega.View(vega.parse(vegaLite.compile(vegaLiteSpec(chart) as never).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export type { Chart } from "./lessons/lesson.js";
