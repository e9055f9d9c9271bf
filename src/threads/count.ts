// How many threads a wasm core runs on: the user's count or "auto", reduced to one where the
// engine cannot share memory between threads, with the reason kept for `backend.threadsReason`.
import { ArgumentError } from "../errors.js";

/** A thread count (1 to MAX_THREADS) or "auto": the available cores, at most AUTO_THREADS. */
export type ThreadsOption = number | "auto";

/** The most threads a core may be asked for. */
export const MAX_THREADS = 64;
/** "auto" stops here: past eight threads the training sizes this library is for gain little
 *  (the per-step serial parts and memory bandwidth dominate; see docs/threads.md). */
export const AUTO_THREADS = 8;

/** What runs, and why it is fewer threads than asked for (null when it is not). */
export interface ThreadChoice {
  count: number;
  /** The cores available (the pool polls only when count <= cores). */
  cores: number;
  reason: string | null;
}

/** Checks `option` (ArgumentError naming `argument`) before anything is loaded. */
export function checkThreads(option: unknown, argument = "threads"): asserts option is ThreadsOption | undefined {
  if (option === undefined || option === "auto") return;
  if (typeof option !== "number" || !Number.isInteger(option) || option < 1 || option > MAX_THREADS) {
    throw new ArgumentError(argument, `"auto" or a whole number of threads from 1 to ${MAX_THREADS}`, option);
  }
}

/** The thread count `option` means on this engine. */
export async function chooseThreads(option: ThreadsOption | undefined): Promise<ThreadChoice> {
  const cores = await availableCores();
  const wanted = option === undefined || option === "auto" ? Math.min(cores, AUTO_THREADS) : option;
  if (wanted === 1) return { count: 1, cores, reason: option === 1 ? null : "one core is available" };
  const missing = missingSupport();
  return missing === null ? { count: wanted, cores, reason: null } : { count: 1, cores, reason: missing };
}

/** Why this engine cannot run the core on several threads, or null when it can. */
export function missingSupport(): string | null {
  const g = globalThis as {
    SharedArrayBuffer?: unknown;
    crossOriginIsolated?: boolean;
    Worker?: unknown;
    process?: { versions?: { node?: string } };
  };
  if (typeof g.SharedArrayBuffer !== "function" || g.crossOriginIsolated === false) {
    return (
      "SharedArrayBuffer is unavailable: a web page must be cross-origin isolated " +
      "(served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)"
    );
  }
  if (typeof g.Worker !== "function" && typeof g.process?.versions?.node !== "string")
    return "this engine has no workers";
  return null;
}

async function availableCores(): Promise<number> {
  const fromNavigator = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  if (typeof fromNavigator === "number" && fromNavigator >= 1) return fromNavigator;
  const g = globalThis as { process?: { versions?: { node?: string } } };
  if (typeof g.process?.versions?.node === "string") {
    const specifier = "node:os"; // computed: bundlers for the browser leave node:os alone
    const os = (await import(/* @vite-ignore */ specifier)) as typeof import("node:os");
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return 1;
}
