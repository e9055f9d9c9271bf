// The body of every worker thread. It runs from its own source text (workerSource), so it
// may use nothing from outside the function: no imports, no helpers, only its first message.

/** The control block (an Int32Array over a SharedArrayBuffer) and the argument table
 *  (a Float64Array: `rows` rows of `width` floats, the kernel's index then its arguments). */
export const LAYOUT = {
  /** Bumped once per published call; idle workers sleep on it. */
  wake: 0,
  /** The next unclaimed ticket: one ticket per chunk, claimed by compare-exchange. */
  next: 1,
  /** One past the last ticket of the published call. */
  end: 2,
  /** Tickets finished; the caller sleeps on it until it reaches `end`. */
  done: 3,
  /** 1 + the ticket of the first chunk that threw in a worker; 0 while none has. */
  failed: 4,
  /** Set once: workers leave their loop. */
  stop: 5,
  /** Slots in the control block. */
  slots: 8,
  /** At most this many chunks per call. */
  rows: 64,
  /** The kernel's index, up to 18 arguments, and the value it returned. */
  width: 20,
} as const;

/** Microseconds a thread polls before it sleeps (see pollThenWait), when there are no more
 *  threads than cores; with more, a polling thread would hold a core that the thread it waits
 *  for needs, so every thread sleeps at once. */
export const POLL_MICROSECONDS = 200;

/** What a worker gets first: the core, the memory, its scratch region and the shared tables. */
export interface WorkerStart {
  core: WebAssembly.Module;
  memory: WebAssembly.Memory;
  scratch: number;
  /** How long it polls for work before it sleeps (0: it sleeps at once). */
  poll: number;
  kernels: string[];
  control: SharedArrayBuffer;
  table: SharedArrayBuffer;
}

// Workers claim chunks by ticket until none is left, then sleep until the next call: a ticket
// belongs to one call only (tickets only grow), so a worker that wakes late can never run a
// chunk of the wrong call or twice. The program is plain JavaScript text, not a function of
// this module: no compiler, bundler or test runner may rewrite it (they add helpers, such as
// the names of functions, that the worker would not have).
const program = `
const { wake: WAKE, next: NEXT, end: END, done: DONE, failed: FAILED, stop: STOP, rows: ROWS, width: WIDTH } = LAYOUT;
const pollThenWait = ${pollThenWait.toString()};
async function serve(port, start) {
  let kernels;
  try {
    const instance = await WebAssembly.instantiate(start.core, { env: { memory: start.memory } });
    instance.exports.useScratch(start.scratch);
    kernels = start.kernels.map((name) => instance.exports[name]);
  } catch (cause) {
    port.postMessage({ error: String(cause && cause.message || cause) });
    return;
  }
  const control = new Int32Array(start.control), t = new Float64Array(start.table);
  port.postMessage("ready");
  for (;;) {
    const seen = Atomics.load(control, WAKE);
    for (;;) {
      const ticket = Atomics.load(control, NEXT), end = Atomics.load(control, END);
      if (ticket >= end) break;
      if (Atomics.compareExchange(control, NEXT, ticket, ticket + 1) !== ticket) continue;
      const r = (ticket % ROWS) * WIDTH;
      try {
        t[r + 19] = kernels[t[r]](t[r + 1], t[r + 2], t[r + 3], t[r + 4], t[r + 5], t[r + 6], t[r + 7], t[r + 8], t[r + 9],
          t[r + 10], t[r + 11], t[r + 12], t[r + 13], t[r + 14], t[r + 15], t[r + 16], t[r + 17], t[r + 18]) || 0;
      } catch {
        Atomics.compareExchange(control, FAILED, 0, ticket + 1);
      }
      if (Atomics.add(control, DONE, 1) + 1 >= end) Atomics.notify(control, DONE);
    }
    if (Atomics.load(control, STOP) !== 0) break;
    pollThenWait(control, WAKE, seen, start.poll, true);
  }
  if (port.close) port.close();
}
if (typeof globalThis.postMessage === "function" && typeof globalThis.addEventListener === "function") {
  globalThis.onmessage = (event) => {
    globalThis.onmessage = null;
    serve(globalThis, event.data);
  };
} else {
  import("node:worker_threads").then(({ parentPort }) => parentPort.once("message", (start) => serve(parentPort, start)));
}
`;

/**
 * Waits until control[slot] differs from `seen`. Waking a sleeping thread takes the operating
 * system tens to hundreds of microseconds (more on a virtual machine whose idle CPU halts),
 * longer than many kernel calls of a training step, and the next call usually follows within
 * microseconds: so a thread first polls for `microseconds`, then sleeps (Atomics.wait) when
 * it may block. A worker that finds no call within that time sleeps: between steps or when
 * the model is idle no thread spins. The worker runs a copy of its source text (bound to this
 * name, whatever a minifier calls it), so it may use nothing but globals.
 */
export function pollThenWait(
  control: Int32Array,
  slot: number,
  seen: number,
  microseconds: number,
  mayBlock: boolean,
): void {
  const until = performance.now() + microseconds / 1000;
  for (let i = 1; Atomics.load(control, slot) === seen; i++) {
    if ((i & 63) === 0 && performance.now() > until) {
      if (!mayBlock) continue;
      Atomics.wait(control, slot, seen);
      return;
    }
  }
}

/** The worker's program as text, for `new Worker(text, { eval: true })` in Node and a Blob
 *  URL elsewhere: no separate file to resolve, bundle or serve. */
export const workerSource = `const LAYOUT = ${JSON.stringify(LAYOUT)};\n${program}`;
