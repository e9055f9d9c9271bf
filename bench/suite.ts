// What every benchmark suite shares: arguments, running a case into a row, the report's
// provenance (core hash, git head) and printing and writing the results.
import { execFileSync } from "node:child_process";
import os from "node:os";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { measureCase, type Contender, type TimingOptions } from "./harness.js";
import {
  consoleTable,
  implsAmong,
  markdown,
  ratiosOf,
  targetLine,
  type Report,
  type Row,
  type TargetResult,
  type Unit,
} from "./report.js";

export interface Options {
  quick: boolean;
  filter: string | undefined;
}

export interface Case {
  name: string;
  shape: string;
  unit: Unit;
  /** Built only when the case runs, so filtered-out cases cost nothing. */
  contenders: () => Contender[];
}

const SCALE: Record<Unit, number> = { "GFLOP/s": 1e9, "Gelem/s": 1e9, "Msamples/s": 1e6, "samples/s": 1, "rows/s": 1 };

export function parseArgs(argv: string[]): Options {
  const options: Options = { quick: false, filter: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--quick") options.quick = true;
    else if (arg === "--filter") options.filter = argv[++i];
    else if (arg.startsWith("--filter=")) options.filter = arg.slice("--filter=".length);
    else throw new Error(`unknown argument ${arg} (expected --quick, --filter <substring>)`);
  }
  return options;
}

/** Measures one case; `tolerance` bounds the cross-check of outputs against simdnet's. */
export async function runCase(
  c: Case,
  timing: TimingOptions,
  tolerance: number,
): Promise<{ row: Row; warnings: string[]; worstError: number }> {
  const t0 = performance.now();
  const { measurements, errors } = await measureCase(c.contenders(), timing);
  const results: Row["results"] = {};
  const warnings: string[] = [];
  for (const impl of implsAmong(measurements.keys())) {
    const m = measurements.get(impl);
    if (!m) continue;
    results[impl] = m.rate / SCALE[c.unit];
    if (m.spread > 0.1)
      warnings.push(`${c.name} ${c.shape} ${impl}: noisy (IQR ${(m.spread * 100).toFixed(0)}% of median)`);
  }
  let worstError = errors.size ? 0 : -1;
  for (const [impl, err] of errors) {
    worstError = Math.max(worstError, err);
    if (!(err <= tolerance))
      warnings.push(`${c.name} ${c.shape} ${impl}: output differs from simdnet by ${err.toExponential(1)}`);
  }
  const row: Row = {
    case: c.name,
    shape: c.shape,
    unit: c.unit,
    results,
    ratios: ratiosOf(results, c.name.startsWith("sgemm")),
  };
  const summary = implsAmong(measurements.keys())
    .filter((i) => results[i] !== undefined)
    .map((i) => `${i} ${results[i]!.toFixed(2)}`)
    .join(", ");
  console.log(`  ${c.name} ${c.shape} (${((performance.now() - t0) / 1000).toFixed(1)} s): ${summary} ${c.unit}`);
  return { row, warnings, worstError };
}

/** Four significant digits for every number in the JSON: more is noise. */
export function rounded<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) =>
      typeof v === "number" && Number.isFinite(v) ? Number(v.toPrecision(4)) : v,
    ),
  ) as T;
}

/**
 * The core's bytes, read once: the backend is instantiated from exactly these bytes and the
 * report carries their hash, since build/simdnet.wasm may be rebuilt while the suite runs.
 */
export function loadCoreBytes(): { bytes: Buffer; sha256: string } {
  const bytes = readFileSync(new URL("../build/simdnet.wasm", import.meta.url));
  return { bytes, sha256: createHash("sha256").update(bytes).digest("hex").slice(0, 16) };
}

export function gitHead(): string | null {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "assembly", "src"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return null;
  }
}

/** Prints the table, warnings, notes and targets; writes results/<suite>.json and .md (a
 *  --quick or --filter run writes <suite>-partial.* instead, leaving the full results alone). */
export function finish(report: Report, warnings: string[], worstError: number, options: Options): void {
  console.log(`\n${consoleTable(report.rows)}\n`);
  console.log(
    worstError < 0
      ? "cross-check: no case in this run has deterministic outputs to compare"
      : `cross-check: every output within ${worstError.toExponential(1)} of simdnet's (relative to max(1, |value|))`,
  );
  if (warnings.length) console.log(`warnings:\n${warnings.map((w) => `  ${w}`).join("\n")}`);
  console.log(`\nnotes:\n${report.notes.map((n) => `  - ${n}`).join("\n")}\n`);
  console.log("targets:");
  for (const t of report.targets) if (t.pass !== null) console.log(`  ${targetLine(t)}`);
  const failed = report.targets.filter((t) => t.pass === false).length;
  const passed = report.targets.filter((t) => t.pass === true).length;
  const skipped = report.targets.length - passed - failed;
  console.log(
    `  ${passed} pass, ${failed} fail${skipped ? `, ${skipped} skipped (figures not measured in this run)` : ""}`,
  );

  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const base = options.quick || options.filter !== undefined ? `${report.suite}-partial` : report.suite;
  writeFileSync(`${dir}${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${dir}${base}.md`, markdown(report));
  console.log(`\nwrote bench/results/${base}.json and ${base}.md (${String(report.environment["seconds"])} s)`);
}

/**
 * Runs the cases in turn: their rows, every warning, and the worst cross-check error (-1 when no case compared
 * outputs).
 */
export async function runCases(
  cases: Case[],
  timing: TimingOptions,
  tolerance: number,
): Promise<{ rows: Row[]; warnings: string[]; worstError: number }> {
  const rows: Row[] = [],
    warnings: string[] = [];
  let worstError = -1;
  for (const c of cases) {
    const { row, warnings: w, worstError: e } = await runCase(c, timing, tolerance);
    rows.push(row);
    warnings.push(...w);
    worstError = Math.max(worstError, e);
  }
  return { rows, warnings, worstError };
}

/** What a run ran on and how, for its report: the machine, the core's hash, the git head, the timing. */
export interface RunInfo {
  cpu: string;
  coreSha256: string;
  options: Options;
  timing: TimingOptions;
  /** performance.now() when the cases started. */
  started: number;
}

/** The report of a run: its rows and goals rounded, its notes, and the run's provenance
 *  followed by the suite's own `environment` entries (peer versions and the like). */
export function makeReport(
  suite: Report["suite"],
  rows: Row[],
  targets: TargetResult[],
  notes: string[],
  run: RunInfo,
  environment: Record<string, unknown>,
): Report {
  return {
    suite,
    node: process.version,
    date: new Date().toISOString(),
    rows: rows.map(rounded),
    targets: targets.map(rounded),
    environment: {
      cpu: run.cpu,
      platform: `${os.platform()} ${os.arch()}`,
      simdnetWasmSha256: run.coreSha256,
      git: gitHead(),
      mode: run.options.quick ? "quick" : "full",
      filter: run.options.filter ?? null,
      samples: run.timing.samples,
      sampleMs: run.timing.sampleMs,
      ...environment,
      seconds: Math.round((performance.now() - run.started) / 1000),
    },
    notes,
  };
}

/** Runs a suite's main. The tfjs wasm module installs process handlers that rethrow, which
 *  would print its minified source on any error: errors are reported here instead. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}
