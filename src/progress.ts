// fit's console output (Keras' verbose): 0 silent; 1 a progress bar per epoch redrawn in place
// on a terminal (rows done, rate, ETA, loss and metrics so far), or one plain line per epoch
// where the output is not a terminal (a file, a CI log, a browser console); 2 one line per
// epoch. Redraws are throttled, so the bar costs nothing measurable next to a training step.
import { ArgumentError } from "./errors.js";

/** 0 silent, 1 progress bar, 2 one line per epoch. */
export type Verbosity = 0 | 1 | 2;

/** Where progress goes: a terminal when isTTY (the bar is redrawn with a carriage return). */
export interface ProgressOutput {
  isTTY: boolean;
  /** Writes text as it is (lines end with their own newline; a terminal's bar with a carriage return). */
  write(text: string): void;
  /** Terminal width in characters (the bar is fitted to it). */
  columns?: number;
}

/** Least time between two redraws of the bar. */
const REDRAW_MS = 100;
const BAR = 30;

/** Process stdout where there is one (Node, Bun, Deno's node compatibility), else console lines. */
export function defaultOutput(): ProgressOutput {
  const stdout = (
    globalThis as { process?: { stdout?: { isTTY?: boolean; columns?: number; write?: (s: string) => unknown } } }
  ).process?.stdout;
  if (stdout && typeof stdout.write === "function") {
    return { isTTY: stdout.isTTY === true, columns: stdout.columns, write: (s) => void stdout.write!(s) };
  }
  let pending = "";
  return {
    isTTY: false,
    write(text) {
      // console.log adds its own newline: hand it whole lines
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) console.log(line);
    },
  };
}

/** The verbose option, checked: silent unless asked (a library's fit prints nothing by default). */
export function checkVerbose(value: unknown): Verbosity {
  if (value === undefined) return 0;
  if (value !== 0 && value !== 1 && value !== 2)
    throw new ArgumentError("verbose", "0 (silent), 1 (progress bar) or 2 (a line per epoch)", value);
  return value;
}

/** Values shown after the counts: loss first, then accuracy and the metrics by their log keys. */
export type ShownValues = Record<string, number | undefined>;

/** Formats a number of seconds as Keras does (1.2s, 35ms, 2m 05s). */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 1) return `${Math.round(s * 1000)}ms`;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m ${String(Math.round(s - 60 * m)).padStart(2, "0")}s`;
}

const formatValues = (values: ShownValues): string =>
  Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` - ${k}: ${(v as number).toFixed(4)}`)
    .join("");

/** One fit's progress reporting; every method is a no-op at verbosity 0. */
export class Progress {
  private started = 0;
  private lastDraw = -Infinity;
  private width = 0;

  constructor(
    private readonly verbose: Verbosity,
    private readonly epochs: number,
    private readonly rows: number,
    private readonly out: ProgressOutput,
    private readonly clock: () => number,
  ) {}

  /** Whether the bar is redrawn per batch (and batch() is worth calling). */
  get live(): boolean {
    return this.verbose === 1 && this.out.isTTY;
  }

  epochStart(epoch: number): void {
    if (this.verbose === 0) return;
    this.started = this.clock();
    this.lastDraw = -Infinity;
    if (this.live) this.out.write(`Epoch ${epoch + 1}/${this.epochs}\n`);
  }

  /** After a batch: `done` rows of this epoch so far, the running loss and metrics. */
  batch(done: number, values: () => ShownValues): void {
    if (!this.live || done >= this.rows) return; // the last batch's values are the epoch's: epochEnd draws them
    const now = this.clock();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const seconds = (now - this.started) / 1000;
    const rate = done / Math.max(seconds, 1e-9);
    this.draw(
      `${this.counts(done)} ${this.rateText(rate)} ETA ${formatSeconds((this.rows - done) / rate)}${formatValues(values())}`,
    );
  }

  /** At the end of an epoch, with its final values (validation included). */
  epochEnd(epoch: number, values: ShownValues): void {
    if (this.verbose === 0) return;
    const seconds = (this.clock() - this.started) / 1000;
    const timing = `${formatSeconds(seconds)} ${this.rateText(this.rows / Math.max(seconds, 1e-9))}`;
    if (this.verbose === 2) {
      this.out.write(`Epoch ${epoch + 1}/${this.epochs} - ${timing}${formatValues(values)}\n`);
      return;
    }
    const line = `${this.counts(this.rows)} ${timing}${formatValues(values)}`;
    if (this.live) this.draw(line);
    else this.out.write(`Epoch ${epoch + 1}/${this.epochs} ${line}`); // no terminal: one plain line, header included
    this.out.write("\n");
    this.width = 0;
  }

  /** After a fit that ended mid-epoch (an error, a stop): ends a half-drawn bar's line. */
  close(): void {
    if (this.width > 0) this.out.write("\n");
    this.width = 0;
  }

  // Rows done of all, and the bar: `[=====>.....]`.
  private counts(done: number): string {
    const digits = String(this.rows).length;
    const filled = Math.min(BAR, Math.floor((BAR * done) / this.rows));
    const bar = done >= this.rows ? "=".repeat(BAR) : `${"=".repeat(filled)}>${".".repeat(BAR - filled - 1)}`;
    return `${String(done).padStart(digits)}/${this.rows} [${bar}]`;
  }

  private rateText(rate: number): string {
    return `${Math.round(rate).toLocaleString("en")} rows/s`;
  }

  // Back to the start of the line, the new text (cut to the terminal), blanks over the rest of the old.
  private draw(text: string): void {
    const columns = this.out.columns && this.out.columns > 20 ? this.out.columns - 1 : Infinity;
    const shown = text.length > columns ? text.slice(0, columns) : text;
    this.out.write(`\r${shown}${" ".repeat(Math.max(0, this.width - shown.length))}`);
    this.width = shown.length;
  }
}
