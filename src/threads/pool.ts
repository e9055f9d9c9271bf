// The threads of one wasm core: workers that each instantiate the threads build over the
// core's shared memory, and the calling thread, which publishes a call's chunks, runs chunks
// itself and sleeps until the workers have finished theirs (Atomics.wait/notify: no thread
// spins between calls).
import { InternalError } from "../errors.js";
import { LAYOUT, POLL_MICROSECONDS, pollThenWait, workerSource, type WorkerStart } from "./worker.js";

const { wake: WAKE, next: NEXT, end: END, done: DONE, failed: FAILED, stop: STOP, rows: ROWS, width: WIDTH } = LAYOUT;
// Tickets only grow; well before they would overflow an int32 the counters restart at 0.
const TICKET_LIMIT = 2 ** 30;

type Kernel = (...args: number[]) => number;

/** One worker, whichever API made it: Node's worker_threads or the Web Worker of browsers,
 *  Deno and Bun. */
interface WorkerHandle {
  post(message: WorkerStart): void;
  terminate(): void;
  /** @internal Ends the worker as a crash would (for the lifecycle tests). */
  crash(): void;
  /** Settles when the worker has ended. */
  readonly ended: Promise<void>;
}

let running = 0;

/** @internal Workers started and not yet ended, over every pool of the process (for the
 *  lifecycle tests and the soak script). */
export function runningWorkers(): number {
  return running;
}

/** The calling thread plus `size - 1` workers over one shared memory. */
export class ThreadPool {
  /** Each chunk's row: the kernel's index in `kernels`, then its arguments. */
  readonly table: Float64Array;
  /** Why the pool can no longer be used (a worker exited or failed to start), or null. */
  broken: string | null = null;
  private readonly control: Int32Array;
  private readonly canBlock: boolean;
  private closed = false;

  private constructor(
    readonly size: number,
    private readonly kernels: readonly Kernel[],
    private readonly kernelNames: readonly string[],
    /** @internal */
    readonly workers: WorkerHandle[],
    control: SharedArrayBuffer,
    table: SharedArrayBuffer,
    private readonly poll: number,
  ) {
    this.control = new Int32Array(control);
    this.table = new Float64Array(table);
    this.canBlock = mayBlock(this.control);
  }

  /**
   * Starts `size - 1` workers over `memory`: worker i points its instance's scratch at
   * `scratch + (i - 1) * scratchBytes`. `kernels` are the calling thread's own exports, by
   * the names the workers look up. Resolves once every worker has instantiated the core, so
   * no instantiation (and its data segments) ever overlaps a running kernel.
   */
  static async start(options: {
    size: number;
    cores: number;
    module: WebAssembly.Module;
    memory: WebAssembly.Memory;
    scratch: number;
    scratchBytes: number;
    kernels: Record<string, Kernel>;
  }): Promise<ThreadPool> {
    const poll = options.size <= options.cores ? POLL_MICROSECONDS : 0;
    const names = Object.keys(options.kernels);
    const control = new SharedArrayBuffer(LAYOUT.slots * 4);
    const table = new SharedArrayBuffer(ROWS * WIDTH * 8);
    const workers: WorkerHandle[] = [];
    let pool: ThreadPool | undefined;
    const lost = (why: string): void => {
      if (pool && !pool.closed) pool.broken ??= why;
    };
    try {
      await Promise.all(
        Array.from({ length: options.size - 1 }, async (_, i) => {
          const { handle, ready } = await spawn(lost);
          workers.push(handle);
          handle.post({
            core: options.module,
            memory: options.memory,
            scratch: options.scratch + i * options.scratchBytes,
            poll,
            kernels: names,
            control,
            table,
          });
          await ready;
        }),
      );
    } catch (cause) {
      for (const w of workers) w.terminate();
      throw cause;
    }
    pool = new ThreadPool(
      options.size,
      names.map((n) => options.kernels[n]!),
      names,
      workers,
      control,
      table,
      poll,
    );
    return pool;
  }

  /** The index of the kernel called `name` in the table's rows. */
  kernel(name: string): number {
    const i = this.kernelNames.indexOf(name);
    if (i < 0) throw new InternalError(`kernel ${name} is not one the threads run`);
    return i;
  }

  /** Where chunk `i` (< LAYOUT.rows) of the next call writes its row in `table`. */
  row(i: number): number {
    return ((Atomics.load(this.control, END) + i) % ROWS) * WIDTH;
  }

  /** Runs chunks 0..count-1 of the rows written, on every thread, and returns when all are
   *  done: the sum of the values the chunks returned (exact for counts). */
  run(count: number): number {
    const c = this.control;
    const end = Atomics.load(c, END) + count;
    Atomics.store(c, END, end); // publishes the rows: the seq-cst store orders them before any claim
    Atomics.add(c, WAKE, 1);
    Atomics.notify(c, WAKE, Math.min(count - 1, this.size - 1));
    let failure: unknown = null;
    for (;;) {
      const ticket = Atomics.load(c, NEXT);
      if (ticket >= end) break;
      if (Atomics.compareExchange(c, NEXT, ticket, ticket + 1) !== ticket) continue;
      try {
        this.call(ticket);
      } catch (cause) {
        failure ??= cause;
      }
      Atomics.add(c, DONE, 1);
    }
    // The workers may still be writing: wait for them even when a chunk here failed.
    for (let done = Atomics.load(c, DONE); done < end; done = Atomics.load(c, DONE)) {
      pollThenWait(c, DONE, done, this.poll, this.canBlock);
    }
    const failed = Atomics.exchange(c, FAILED, 0);
    if (end > TICKET_LIMIT) this.restartTickets();
    if (failure !== null) throw failure;
    if (failed !== 0) {
      const r = ((failed - 1) % ROWS) * WIDTH;
      throw new InternalError(`wasm trap in a worker thread running ${this.describe(r)}`);
    }
    let total = 0;
    for (let ticket = end - count; ticket < end; ticket++) total += this.table[(ticket % ROWS) * WIDTH + WIDTH - 1]!;
    return total;
  }

  /** @internal Settles when every worker has ended (after close). */
  get ended(): Promise<void> {
    return Promise.all(this.workers.map((w) => w.ended)).then(() => undefined);
  }

  /** Ends the workers. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, WAKE, 1);
    Atomics.notify(this.control, WAKE);
    for (const w of this.workers) w.terminate();
  }

  private call(ticket: number): void {
    const t = this.table,
      r = (ticket % ROWS) * WIDTH;
    t[r + 19] =
      this.kernels[t[r]!]!(
        t[r + 1]!,
        t[r + 2]!,
        t[r + 3]!,
        t[r + 4]!,
        t[r + 5]!,
        t[r + 6]!,
        t[r + 7]!,
        t[r + 8]!,
        t[r + 9]!,
        t[r + 10]!,
        t[r + 11]!,
        t[r + 12]!,
        t[r + 13]!,
        t[r + 14]!,
        t[r + 15]!,
        t[r + 16]!,
        t[r + 17]!,
        t[r + 18]!,
      ) || 0;
  }

  private describe(r: number): string {
    const kernel = this.kernels[this.table[r]!]!;
    return `${this.kernelNames[this.table[r]!]}(${Array.from(this.table.subarray(r + 1, r + 1 + kernel.length)).join(", ")})`;
  }

  // Every ticket is done and no worker holds one: `end` first, so a worker that reads the new
  // `next` can only see an `end` at or below it.
  private restartTickets(): void {
    Atomics.store(this.control, END, 0);
    Atomics.store(this.control, NEXT, 0);
    Atomics.store(this.control, DONE, 0);
  }
}

// A browser's main thread may not block (Atomics.wait throws there): it then polls for the
// few microseconds between finishing its own chunks and the workers finishing theirs.
function mayBlock(control: Int32Array): boolean {
  try {
    Atomics.wait(control, STOP, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts one worker; `ready` settles when it has instantiated the core (or could not). */
async function spawn(lost: (why: string) => void): Promise<{ handle: WorkerHandle; ready: Promise<void> }> {
  running++;
  let markEnded!: () => void;
  const ended = new Promise<void>((resolve) => {
    markEnded = () => {
      running--;
      resolve();
    };
  });
  let settle!: (error?: string) => void;
  const ready = new Promise<void>((resolve, reject) => {
    settle = (error) =>
      error === undefined ? resolve() : reject(new InternalError(`a worker thread could not start: ${error}`));
  });
  const onMessage = (data: unknown): void => {
    if (data === "ready") settle();
    else settle((data as { error?: string })?.error ?? String(data));
  };
  // Browsers and Bun: Web Workers (Bun's can be unref'ed). Node and Deno: worker_threads, whose
  // workers can be unref'ed, so that a sleeping one never keeps the process alive.
  const g = globalThis as { Worker?: typeof Worker; Deno?: unknown };
  const WebWorker = g.Worker;
  if (typeof WebWorker === "function" && g.Deno === undefined) {
    const url = URL.createObjectURL(new Blob([workerSource], { type: "text/javascript" }));
    const worker = new WebWorker(url, { type: "module" });
    (worker as { unref?(): void }).unref?.(); // Bun: an idle worker does not keep the process alive
    worker.onmessage = (event) => onMessage(event.data);
    worker.onerror = (event) => {
      event.preventDefault?.();
      const why = `a worker thread failed: ${event.message ?? "an error"}`;
      settle(why);
      lost(why);
    };
    void ready.finally(() => URL.revokeObjectURL(url)).catch(() => undefined);
    let alive = true;
    const terminate = (): void => {
      if (!alive) return;
      alive = false;
      worker.terminate(); // immediate: a Web Worker has no exit event
      markEnded();
    };
    const crash = (): void => {
      terminate();
      lost("a worker thread exited (terminated)");
    };
    return { handle: { post: (m) => worker.postMessage(m), terminate, crash, ended }, ready };
  }
  // Node. A computed specifier, so that bundlers for the browser leave node:worker_threads alone.
  const specifier = "node:worker_threads";
  const { Worker: NodeWorker } = (await import(/* @vite-ignore */ specifier)) as typeof import("node:worker_threads");
  const worker = new NodeWorker(workerSource, { eval: true });
  let ending = false;
  // A listener for messages keeps the process alive even on an unref'ed worker: it goes once
  // the worker is ready, and from then on a sleeping worker holds nothing open.
  const onReady = (data: unknown): void => {
    worker.off("message", onReady);
    worker.unref();
    onMessage(data);
  };
  worker.on("message", onReady);
  worker.on("error", (error) => {
    settle(error.message);
    lost(`a worker thread failed: ${error.message}`);
  });
  worker.on("exit", (code) => {
    markEnded();
    settle(`it exited with code ${code}`);
    if (!ending) lost(`a worker thread exited (code ${code})`);
  });
  return {
    handle: {
      post: (m) => worker.postMessage(m),
      terminate: () => {
        ending = true;
        void worker.terminate();
      },
      crash: () => void worker.terminate(),
      ended,
    },
    ready,
  };
}
