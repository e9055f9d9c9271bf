// Choosing the core: "auto" takes the wasm SIMD core where the engine validates SIMD and the
// pure-JS path where it does not; "wasm" and "js" force one. An engine without SIMD is
// simulated by making WebAssembly.validate refuse (no engine here lacks SIMD).
import { afterEach, describe, expect, it, vi } from "vitest";
import { createBackend, createModel, simdSupported, StateError } from "../src/index.js";

const tiny = { inputs: 2, layers: [{ units: 1 }], seed: 1 };

describe("core choice", () => {
  afterEach(() => vi.restoreAllMocks());

  it("detects SIMD here and picks the wasm core by default", async () => {
    expect(simdSupported()).toBe(true);
    expect((await createBackend()).name).toBe("wasm");
    expect((await createBackend({ backend: "auto" })).name).toBe("wasm");
    expect((await createModel(tiny)).backend.name).toBe("wasm");
    expect((await createModel({ ...tiny, backend: "js" })).backend.name).toBe("js");
  });

  it("falls back to the pure-JS path where the engine has no wasm SIMD", async () => {
    const validate = vi.spyOn(WebAssembly, "validate").mockReturnValue(false);
    expect(simdSupported()).toBe(false);
    expect(validate).toHaveBeenCalled();
    expect((await createBackend()).name).toBe("js");
    const model = await createModel({ ...tiny, backend: "auto" });
    expect(model.backend.name).toBe("js");
    expect(model.predict([[1, 2]]).shape).toEqual([1, 1]);
  });

  it("refuses a forced wasm core without SIMD, naming the way out", async () => {
    vi.spyOn(WebAssembly, "validate").mockReturnValue(false);
    await expect(createBackend({ backend: "wasm" })).rejects.toThrow(StateError);
    await expect(createModel({ ...tiny, backend: "wasm" })).rejects.toThrow(
      /does not support WebAssembly SIMD.*"auto" or "js"/,
    );
  });

  it("treats an engine without WebAssembly at all as one without SIMD", () => {
    vi.stubGlobal("WebAssembly", undefined);
    try {
      expect(simdSupported()).toBe(false);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("names the argument for an unknown choice", async () => {
    await expect(createModel({ ...tiny, backend: "gpu" as never })).rejects.toThrow(
      /backend: expected "auto", "wasm" or "js", got "gpu"/,
    );
  });
});
