// Lesson charts as Vega-Lite specs, rendered to SVG by Vega without a browser. Vega is loaded
// on first use, so the library itself never pulls it into a bundle.
import type { Chart } from "./lessons/lesson.js";

/** A Vega-Lite specification of the chart. */
export function vegaLiteSpec(chart: Chart): Record<string, unknown> {
  const color = chart.series ? { color: { field: chart.series, type: "nominal", title: chart.series, legend: { labelLimit: 320 } } } : {};
  // Epochs and layers are counts: whole-number ticks.
  const integers = chart.data.every((d) => Number.isInteger(d[chart.x.field]));
  const x = { field: chart.x.field, type: chart.x.type ?? "quantitative", title: chart.x.title,
    ...(chart.x.log ? { scale: { type: "log" } } : {}), ...(integers && !chart.x.type ? { axis: { format: "d", tickMinStep: 1 } } : {}) };
  const y = { field: chart.y.field, type: "quantitative", title: chart.y.title, ...(chart.y.log ? { scale: { type: "log" } } : {}) };
  const x2 = chart.x2 ? { x2: { field: chart.x2 }, y2: { datum: 0 } } : {}; // bars from x to x2, up from 0
  const dash = chart.series ? { strokeDash: { field: chart.series, type: "nominal", legend: null } } : {};
  const layer = chart.kind === "line"
    ? { mark: { type: "line", point: chart.data.length <= 200 }, encoding: { x, y, ...color, ...dash } }
    : chart.facet || chart.row
      ? { mark: { type: "bar" }, encoding: { x, ...x2, y, ...color } }
      // A plain bar chart also prints each bar's value: a zero bar must still be read as zero.
      : { encoding: { x, y, ...color }, layer: [{ mark: { type: "bar" } }, { mark: { type: "text", dy: -6 }, encoding: { text: { field: chart.y.field, format: ".3~g" } } }] };
  const facet = {
    ...(chart.facet ? { column: { field: chart.facet, type: "nominal", title: null } } : {}),
    ...(chart.row ? { row: { field: chart.row, type: "nominal", title: null } } : {}),
  };
  const body = chart.facet || chart.row
    ? { facet, spec: { width: 240, height: 110, ...layer }, resolve: { scale: { x: "independent" } } }
    : { width: 520, height: 300, ...layer };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: chart.title,
    background: "white",
    data: { values: chart.data },
    ...body,
  };
}

/** The chart as an SVG document. */
export async function renderSvg(chart: Chart): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new vega.View(vega.parse(vegaLite.compile(vegaLiteSpec(chart) as never).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
