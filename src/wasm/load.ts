// Finding and instantiating the compiled core. The only module that touches
// @assemblyscript/loader. The exports' types are asc's own: build/simdnet.d.ts, written with
// the wasm by `npm run build:wasm`, so a kernel whose signature changes in assembly/ fails the
// typecheck wherever a call no longer fits.
import { instantiate } from "@assemblyscript/loader";
import { ArgumentError, InternalError } from "../errors.js";
import type { instantiate as generatedInstantiate } from "../../build/simdnet.js";

/** The raw exports of assembly/index.ts (byte offsets and sizes in, nothing out but scalars),
 *  typed by the declarations asc generates from assembly/. */
export type CoreExports = Awaited<ReturnType<typeof generatedInstantiate>>;

/** Where the wasm core comes from: bytes, a compiled module (edge runtimes that forbid
 *  compiling at run time), a fetch Response, or a URL/path to the .wasm file. */
export type WasmSource =
  WebAssembly.Module | ArrayBuffer | ArrayBufferView | Response | Promise<Response> | URL | string;

// Literal URLs, so that bundlers see both files and ship them as assets.
const singleUrl = (): URL => new URL("../../build/simdnet.wasm", import.meta.url);
const threadsUrl = (): URL => new URL("../../build/simdnet-threads.wasm", import.meta.url);

const isNode = (): boolean => typeof process !== "undefined" && typeof process.versions?.node === "string";

async function resolveSource(source: WasmSource): Promise<Exclude<WasmSource, URL | string>> {
  if (!(typeof source === "string" || source instanceof URL)) return source;
  const where: string | URL =
    typeof source === "string" && /^[a-z][a-z0-9+.-]*:/i.test(source) && !/^[a-z]:[\\/]/i.test(source)
      ? new URL(source)
      : source;
  if (isNode() && (typeof where === "string" || where.protocol === "file:")) {
    // A computed specifier, so that bundlers for the browser and workerd leave node:fs alone.
    const fs = "node:fs/promises";
    const { readFile } = (await import(/* @vite-ignore */ fs)) as typeof import("node:fs/promises");
    return readFile(where);
  }
  // Elsewhere a path is relative to the page (as a bundler's asset URL is), fetched like a URL.
  return fetch(typeof where === "string" ? new URL(where, globalThis.location?.href) : where);
}

/** What `source` must be, checked before anything is fetched or compiled. */
function checkSource(source: unknown): asserts source is WasmSource | undefined {
  const ok =
    source === undefined ||
    typeof source === "string" ||
    source instanceof URL ||
    source instanceof ArrayBuffer ||
    ArrayBuffer.isView(source) ||
    source instanceof WebAssembly.Module ||
    (typeof Response !== "undefined" && source instanceof Response) ||
    source instanceof Promise;
  if (!ok)
    throw new ArgumentError("wasm", "bytes, a WebAssembly.Module, a Response or a URL/path of simdnet.wasm", source);
}

/** Compiles the core from `source`. A source the caller gave that cannot be read or
 *  compiled is their argument's fault (ArgumentError); the package's own file failing is an
 *  InternalError. `build` says which of the package's own files is meant when `source` is undefined. */
export async function compileCore(
  source?: WasmSource,
  build: "single" | "threads" = "single",
): Promise<WebAssembly.Module> {
  checkSource(source);
  const given = source;
  const fail = (what: string, cause: unknown): Error =>
    given === undefined
      ? new InternalError(`could not ${what} the simdnet wasm core: ${(cause as Error)?.message ?? cause}`, { cause })
      : new ArgumentError(
          "wasm",
          `a source of the simdnet wasm core (could not ${what} it: ${(cause as Error)?.message ?? cause})`,
          given,
        );
  let resolved: Exclude<WasmSource, URL | string>;
  try {
    resolved = await resolveSource(source ?? (build === "single" ? singleUrl() : threadsUrl()));
  } catch (cause) {
    throw fail("read", cause);
  }
  try {
    if (resolved instanceof WebAssembly.Module) return resolved;
    const response = await resolved;
    if (typeof Response !== "undefined" && response instanceof Response)
      return await WebAssembly.compile(await response.arrayBuffer());
    return await WebAssembly.compile(response as BufferSource);
  } catch (cause) {
    throw fail("instantiate", cause); // compiling is the first half of instantiating
  }
}

/** True for the threads build: it imports its (shared) memory instead of making its own. */
export function importsMemory(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => i.kind === "memory");
}

/** Instantiates a fresh core. Each call gives an independent instance with its own memory;
 *  the threads build is instantiated over `memory`, which it shares with other instances. */
export async function instantiateCore(
  source?: WasmSource | WebAssembly.Module,
  memory?: WebAssembly.Memory,
): Promise<CoreExports> {
  const module = await compileCore(source);
  let instance: WebAssembly.Instance;
  try {
    ({ instance } = await instantiate<Record<string, unknown>>(module, memory ? { env: { memory } } : {}));
  } catch (cause) {
    throw source === undefined
      ? new InternalError(`could not instantiate the simdnet wasm core: ${(cause as Error)?.message ?? cause}`, {
          cause,
        })
      : new ArgumentError(
          "wasm",
          `a source of the simdnet wasm core (could not instantiate it: ${(cause as Error)?.message ?? cause})`,
          source,
        );
  }
  return guardTraps(instance.exports as unknown as CoreExports);
}

/** Every exported kernel, wrapped so that a trap (out-of-bounds access, unreachable)
 *  surfaces as an InternalError naming the kernel instead of a bare RuntimeError. The
 *  wrapper takes its arguments one by one, not as a rest array: a training step makes dozens
 *  of kernel calls, and an array per call would be garbage per step. A wasm function ignores
 *  the arguments beyond its own, so one wrapper shape serves every kernel. */
function guardTraps(raw: CoreExports): CoreExports {
  const guarded: Record<string, unknown> = { memory: raw.memory };
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== "function") continue;
    const kernel = value as (...args: number[]) => number;
    if (kernel.length > MAX_ARITY)
      throw new InternalError(
        `kernel ${name} takes ${kernel.length} arguments, more than the trap guard passes (${MAX_ARITY})`,
      );
    guarded[name] = (
      a?: number,
      b?: number,
      c?: number,
      d?: number,
      e?: number,
      f?: number,
      g?: number,
      h?: number,
      i?: number,
      j?: number,
      k?: number,
      l?: number,
      m?: number,
      n?: number,
      o?: number,
      p?: number,
      q?: number,
      r?: number,
    ): number => {
      try {
        return kernel(a!, b!, c!, d!, e!, f!, g!, h!, i!, j!, k!, l!, m!, n!, o!, p!, q!, r!);
      } catch (cause) {
        if (cause instanceof WebAssembly.RuntimeError) {
          const args = [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r].slice(0, kernel.length);
          throw new InternalError(`wasm trap in ${name}(${args.join(", ")}): ${cause.message}`, { cause });
        }
        throw cause;
      }
    };
  }
  return guarded as unknown as CoreExports;
}

const MAX_ARITY = 18;
