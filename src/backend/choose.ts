// Which core computes, in one place: the wasm SIMD core where the engine supports it, else the
// pure-JS path. createBackend (for users) and the models' backends (createModel, loadModel,
// the lessons) are both made here.
import { ArgumentError, rejectUnknownKeys, StateError } from "../errors.js";
import type { WasmSource } from "../wasm/load.js";
import { simdSupported } from "../wasm/simd.js";
import type { Backend } from "./backend.js";
import { CheckedBackend } from "./checked.js";
import { JsBackend } from "./js/index.js";
import { createWasmBackend } from "./wasm.js";
import { checkThreads, type ThreadsOption } from "../threads/count.js";

/** "auto" (default): the wasm SIMD core if the engine validates SIMD, else the pure-JS path.
 *  "wasm" or "js" forces one. */
export type CoreChoice = "auto" | "wasm" | "js";

/** The core that `choice` means on this engine; refuses a forced "wasm" where SIMD is missing. */
export function chooseCore(choice: CoreChoice | undefined, argument = "backend"): "wasm" | "js" {
  if (choice === undefined || choice === "auto") return simdSupported() ? "wasm" : "js";
  if (choice === "js") return "js";
  if (choice !== "wasm") throw new ArgumentError(argument, '"auto", "wasm" or "js"', choice);
  if (!simdSupported()) {
    throw new StateError(
      'this engine does not support WebAssembly SIMD, which the wasm core needs; use backend: "auto" or "js"',
    );
  }
  return "wasm";
}

/** Which core createBackend makes, and where the wasm comes from. */
export interface BackendOptions {
  /** "auto" (default): the SIMD core where the engine supports wasm SIMD, else the pure-JS
   *  path. "wasm" or "js" forces one; the result's `name` says which runs. */
  backend?: CoreChoice;
  /** Where the wasm core comes from (bytes, a compiled WebAssembly.Module, a Response or a
   *  URL); by default the package's own build/simdnet.wasm. */
  wasm?: WasmSource;
  /** Threads the wasm core runs on: a count or "auto" (default: the available cores, at most
   *  8). Where shared memory is unavailable it runs on one; `threads` and `threadsReason` on
   *  the backend say how many run and why. See docs/threads.md. */
  threads?: ThreadsOption;
}

/** A compute backend whose every call checks its arguments. Each wasm backend instantiates
 *  an independent core. */
export async function createBackend(options: BackendOptions = {}): Promise<Backend> {
  if (options == null || typeof options !== "object")
    throw new ArgumentError("options", "backend options { backend, wasm }", options);
  rejectUnknownKeys(options, ["backend", "wasm", "threads"], "options");
  checkThreads(options.threads);
  const kind = chooseCore(options.backend);
  if (kind === "js") return new CheckedBackend(new JsBackend());
  return new CheckedBackend(await createWasmBackend(options.wasm, options.threads));
}

// The wasm cores the models of this process share unless given a backend of their own: one
// per thread count asked for.
const sharedCores = new Map<ThreadsOption, Promise<Backend>>();

/** @internal The backend a model runs on (createModel's and loadModel's `backend` and
 *  `threads` options): unchecked, because the model sizes its own buffers. */
export async function resolveBackend(
  choice: CoreChoice | Backend | undefined,
  threads: ThreadsOption = "auto",
): Promise<Backend> {
  checkThreads(threads);
  if (choice === undefined || typeof choice === "string") {
    if (chooseCore(choice as CoreChoice) === "js") return new JsBackend();
    let core = sharedCores.get(threads);
    if (core === undefined) {
      core = createWasmBackend(undefined, threads).catch((e: unknown) => {
        sharedCores.delete(threads);
        throw e;
      });
      sharedCores.set(threads, core);
    }
    return core;
  }
  if (choice instanceof CheckedBackend) return choice.inner;
  if (choice != null && typeof choice === "object" && typeof (choice as Backend).sgemm === "function") return choice;
  throw new ArgumentError("backend", '"auto", "wasm", "js" or a backend from createBackend()', choice);
}
