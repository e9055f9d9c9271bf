// The report: rows of rates, the targets checked against them, and its text forms
// (console table, markdown for docs/benchmarks.md).

export const IMPLS = [
  "simdnet",
  "simdnet-plain",
  "simdnet-js",
  "ort-web",
  "tfjs-wasm",
  "tfjs-wasm-cachedB",
  "tfjs-cpu",
  "brain.js",
  "probe",
  "matvec",
  "sgemm-packed",
] as const;
/** The fixed contenders, and the thread counts of bench/threads.ts (simdnet-1t, simdnet-2t, ...). */
export type Impl = (typeof IMPLS)[number] | `simdnet-${number}t`;

/** The contenders among `names`: the fixed ones in IMPLS order, then the thread counts ascending. */
export function implsAmong(names: Iterable<string>): Impl[] {
  const all = [...new Set(names)];
  const threads = all
    .filter((n) => /^simdnet-\d+t$/.test(n))
    .sort((a, b) => parseInt(a.slice(8)) - parseInt(b.slice(8)));
  return [...IMPLS.filter((i) => all.includes(i)), ...(threads as Impl[])];
}
export type Unit = "GFLOP/s" | "Gelem/s" | "Msamples/s" | "samples/s" | "rows/s";

export interface Row {
  case: string;
  shape: string;
  unit: Unit;
  /** Rate per implementation; absent when an implementation was not run for this row. */
  results: Partial<Record<Impl, number>>;
  /** simdnet over each other implementation present (higher is better for simdnet). */
  ratios: Record<string, number>;
}

export interface TargetResult {
  goal: string;
  /** The measured ratio (ratio goals). */
  ratio?: number;
  /** The measured rate (absolute goals). */
  value?: number;
  threshold: number;
  /** null when a figure it needs was not measured (--quick, --filter). */
  pass: boolean | null;
}

export interface Report {
  suite: "core" | "train" | "inference" | "threads";
  node: string;
  date: string;
  rows: Row[];
  targets: TargetResult[];
  environment: Record<string, unknown>;
  notes: string[];
}

export function ratiosOf(results: Row["results"], isSgemm: boolean): Record<string, number> {
  const out: Record<string, number> = {};
  const s = results.simdnet;
  if (s === undefined) return out;
  for (const other of [
    "ort-web",
    "tfjs-wasm",
    "tfjs-wasm-cachedB",
    "tfjs-cpu",
    "brain.js",
    "simdnet-js",
    ...(isSgemm ? ["probe"] : []),
  ] as Impl[]) {
    const r = results[other];
    if (r !== undefined && r > 0) out[`simdnet/${other}`] = s / r;
  }
  return out;
}

/** Three significant digits, no exponent for the ranges these rates live in. */
export function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "-";
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

const fmtRatio = (x: number | undefined): string => (x === undefined ? "-" : `${x.toFixed(2)}x`);

// Only the implementations and ratios some row has: each suite has its own contenders.
function columns(rows: Row[]): { head: string[]; cells: string[][] } {
  const impls = implsAmong(rows.flatMap((r) => Object.keys(r.results)));
  const vs = impls.filter((i) => i !== "simdnet" && rows.some((r) => r.ratios[`simdnet/${i}`] !== undefined));
  const head = ["case", "shape", "unit", ...impls, ...vs.map((i) => `vs ${i}`)];
  const cells = rows.map((r) => [
    r.case,
    r.shape,
    r.unit,
    ...impls.map((i) => fmt(r.results[i])),
    ...vs.map((i) => fmtRatio(r.ratios[`simdnet/${i}`])),
  ]);
  return { head, cells };
}

/** A fixed-width table for the terminal. */
export function consoleTable(rows: Row[]): string {
  const { head, cells } = columns(rows);
  const widths = head.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
  const line = (row: string[]): string =>
    row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

export function targetLine(t: TargetResult): string {
  const status = t.pass === null ? "SKIP" : t.pass ? "PASS" : "FAIL";
  const measured = t.ratio !== undefined ? `${t.ratio.toFixed(2)}x` : t.value !== undefined ? fmt(t.value) : "nothing";
  return `${status}  ${t.goal}  (measured ${measured}, need >= ${t.threshold})`;
}

/** The form docs/benchmarks.md quotes: the rates table, then the targets. */
export function markdown(report: Report): string {
  const { head, cells } = columns(report.rows);
  const row = (r: string[]): string => `| ${r.join(" | ")} |`;
  const env = report.environment;
  return [
    `Node ${report.node}, ${String(env["cpu"])}, ${report.suite === "threads" ? "threads as named" : "single thread"}, ${report.date.slice(0, 10)}. ` +
      `Medians of ${String(env["samples"])} interleaved samples; "vs" columns are simdnet's rate over the other's.`,
    "",
    row(head),
    row(head.map((_, i) => (i < 3 ? "---" : "---:"))),
    ...cells.map(row),
    "",
    "| target | measured | status |",
    "|---|---:|---|",
    ...report.targets.map((t) =>
      row([
        `${t.goal} (>= ${t.threshold})`,
        t.ratio !== undefined ? `${t.ratio.toFixed(2)}x` : t.value !== undefined ? fmt(t.value) : "-",
        t.pass === null ? "not run" : t.pass ? "pass" : "FAIL",
      ]),
    ),
    "",
    ...report.notes.map((n) => `- ${n}`),
    "",
  ].join("\n");
}
