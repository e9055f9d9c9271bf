// simdnet's public API.
import type { Backend } from "./backend/backend.js";
import { CheckedBackend } from "./backend/checked.js";
import { JsBackend } from "./backend/js/index.js";
import { createWasmBackend } from "./backend/wasm.js";
import { ArgumentError } from "./errors.js";
import type { WasmSource } from "./wasm/load.js";

export type { Backend, Tensor, RandomStream } from "./backend/backend.js";
export type { WasmSource } from "./wasm/load.js";
export { ArgumentError, InternalError } from "./errors.js";
export { ACTIVATIONS, gain, DEFAULT_LEAKY_SLOPE, DEFAULT_ELU_ALPHA } from "./activations.js";
export type { ActivationName, ElementwiseActivation } from "./activations.js";
export * as initializers from "./initializers.js";
export type { Initializer, Moments, FanMode, Distribution } from "./initializers.js";
export { JsBackend } from "./backend/js/index.js";
export { WasmBackend } from "./backend/wasm.js";
export { CheckedBackend } from "./backend/checked.js";

export interface BackendOptions {
  /** "wasm" (default): the SIMD core. "js": the pure-JS path (reference and fallback). */
  backend?: "wasm" | "js";
  /** Where the wasm core comes from (bytes, a compiled WebAssembly.Module, a Response or a
   *  URL); by default the package's own build/simdnet.wasm. */
  wasm?: WasmSource;
}

/** A compute backend whose every call checks its arguments. Each wasm backend instantiates
 *  an independent core. */
export async function createBackend(options: BackendOptions = {}): Promise<Backend> {
  const kind = options.backend ?? "wasm";
  if (kind === "js") return new CheckedBackend(new JsBackend());
  if (kind === "wasm") return new CheckedBackend(await createWasmBackend(options.wasm));
  throw new ArgumentError("backend", '"wasm" or "js"', kind);
}
