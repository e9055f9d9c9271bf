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
  const layer = chart.kind === "line"
    ? { mark: { type: "line", point: chart.data.length <= 200 }, encoding: { x, y, ...color } }
    : { mark: { type: "bar" }, encoding: { x: chart.series && chart.facet ? { ...x, type: "ordinal", axis: { labelAngle: -45, format: ".2f" } } : x, y, ...color,
      ...(chart.series && chart.facet ? { xOffset: { field: chart.series } } : {}) } };
  const body = chart.facet
    ? { facet: { field: chart.facet, type: "nominal", title: null }, columns: 3, spec: { width: 260, height: 160, ...layer } }
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
