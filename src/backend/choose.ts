// Which core computes: the wasm SIMD core where the engine supports it, else the pure-JS path.
import { ArgumentError, StateError } from "../errors.js";
import { simdSupported } from "../wasm/simd.js";

/** "auto" (default): the wasm SIMD core if the engine validates SIMD, else the pure-JS path.
 *  "wasm" or "js" forces one. */
export type CoreChoice = "auto" | "wasm" | "js";

/** The core that `choice` means on this engine; refuses a forced "wasm" where SIMD is missing. */
export function chooseCore(choice: CoreChoice | undefined, argument = "backend"): "wasm" | "js" {
  if (choice === undefined || choice === "auto") return simdSupported() ? "wasm" : "js";
  if (choice === "js") return "js";
  if (choice !== "wasm") throw new ArgumentError(argument, '"auto", "wasm" or "js"', choice);
  if (!simdSupported()) {
    throw new StateError('this engine does not support WebAssembly SIMD, which the wasm core needs; use backend: "auto" or "js"');
  }
  return "wasm";
}
