// The lesson charts: every kind renders without a word from Vega or Vega-Lite, overlapping
// series stay apart (dash, marker shape, one legend), a log axis has one number format, and
// plain bar charts are sorted with zero bars still drawn.
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { renderSvg, vegaLiteSpec, type Chart } from "../src/charts.js";

let said: string[] = [];
beforeEach(() => {
  said = [];
  for (const method of ["warn", "error", "log", "info"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      said.push(args.join(" "));
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
});

const curves = (series: string[], epochs: number, value: (s: number, e: number) => number): Chart["data"] =>
  series.flatMap((name, s) =>
    Array.from({ length: epochs }, (_, e) => ({ run: name, epoch: e + 1, loss: value(s, e) })),
  );
const line: Chart = {
  name: "loss",
  title: "Loss",
  kind: "line",
  x: { field: "epoch", title: "epoch" },
  y: { field: "loss", title: "loss", log: true },
  series: "run",
  // Two series that coincide exactly, and one that falls over nine decades.
  data: curves(["a", "b", "c"], 60, (s, e) => (s < 2 ? 0.69 : 10 ** (1 - e / 6))),
};
const bar: Chart = {
  name: "rate",
  title: "Rates",
  kind: "bar",
  x: { field: "name", title: "activation", type: "nominal" },
  y: { field: "rate", title: "rate" },
  data: [
    { name: "tanh", rate: 1.4 },
    { name: "zero", rate: 0 },
    { name: "relu", rate: 5.5 },
  ],
};
const histogram: Chart = {
  name: "h",
  title: "Histograms",
  kind: "bar",
  x: { field: "from", title: "activation" },
  x2: "to",
  y: { field: "share", title: "share" },
  series: "setup",
  facet: "layer",
  row: "setup",
  data: ["a", "b"].flatMap((setup) =>
    ["layer 1", "layer 2"].flatMap((layer) =>
      Array.from({ length: 10 }, (_, k) => ({
        setup,
        layer,
        from: k / 10,
        to: (k + 1) / 10,
        share: k === 9 ? 0.9 : 0.0001,
      })),
    ),
  ),
};

it("every kind of chart renders to SVG without a warning", async () => {
  for (const chart of [line, bar, histogram]) {
    const svg = await renderSvg(chart);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain(chart.title);
  }
  expect(said).toEqual([]);
});

it("line series differ by colour, dash and marker under one legend, markers staggered", () => {
  const spec = vegaLiteSpec(line) as {
    data: { values: Record<string, unknown>[] };
    encoding: Record<string, { legend?: unknown }>;
    layer: { encoding: Record<string, { field: string; legend?: unknown; scale?: { range: number[][] } }> }[];
  };
  const [lines, points] = spec.layer;
  expect(spec.encoding.color!.legend).not.toBeNull();
  expect(lines!.encoding.strokeDash!.field).toBe("run");
  expect(points!.encoding.shape!.field).toBe("run");
  for (const channel of [lines!.encoding.strokeDash!, points!.encoding.shape!]) expect(channel.legend).not.toBeNull();
  const dashes = lines!.encoding.strokeDash!.scale!.range.map((d) => d.join(","));
  expect(new Set(dashes).size).toBe(dashes.length);
  // The two coinciding series put their markers at different epochs.
  const marked = (run: string) =>
    spec.data.values.filter((d) => d.run === run && d.marker === 1).map((d) => d.epoch as number);
  expect(marked("a").length).toBeGreaterThanOrEqual(10);
  expect(marked("a").slice(0, -1)).not.toEqual(marked("b").slice(0, -1));
});

it("a log axis has one number format: powers of ten in exponent form beyond [0.001, 10^4), decimals within", () => {
  const wide = (vegaLiteSpec(line) as { encoding: { y: { axis: { format: string; values: number[] } } } }).encoding.y
    .axis;
  expect(wide.format).toBe("~e");
  expect(wide.values.length).toBeLessThanOrEqual(8);
  for (const v of wide.values) expect(Math.log10(v)).toBeCloseTo(Math.round(Math.log10(v)), 10);
  const oneDecade = vegaLiteSpec({ ...line, data: curves(["a"], 10, (_, e) => 2e-5 + e * 6e-6) }) as {
    encoding: { y: { axis: { format: string; values?: number[] } } };
  };
  expect(oneDecade.encoding.y.axis).toEqual({ format: "~e" }); // no empty tick list
  const narrow = vegaLiteSpec({ ...line, data: curves(["a"], 10, (_, e) => 0.5 / (e + 1)) }) as {
    encoding: { y: { axis: { format: string } } };
  };
  expect(narrow.encoding.y.axis.format).toBe("~g");
});

it("plain bar charts are horizontal, sorted by value, with a tick that shows a zero bar", () => {
  const spec = vegaLiteSpec(bar) as {
    data: { values: { name: string }[] };
    encoding: { x: { field: string }; y: { field: string; sort: unknown } };
    layer: { mark: { type: string } }[];
  };
  expect(spec.data.values.map((d) => d.name)).toEqual(["relu", "tanh", "zero"]);
  expect(spec.encoding.y).toMatchObject({ field: "name", sort: null });
  expect(spec.encoding.x.field).toBe("rate");
  expect(spec.layer.map((l) => l.mark.type)).toEqual(["bar", "tick", "text"]);
});
