import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { createBackend } from "../src/index.js";
import { createWasmBackend } from "../src/backend/wasm.js";
import { Arena } from "../src/wasm/memory.js";
import { randomArray, tensor } from "./helpers.js";

const wasmFile = new URL("../build/simdnet.wasm", import.meta.url);

describe("memory: views and the allocator", () => {
  it("tensors and kernels keep working after memory.grow replaced the buffer", async () => {
    const backend = await createWasmBackend();
    const a = tensor(backend, randomArray(64, 1)),
      b = tensor(backend, randomArray(64, 2)),
      c = backend.alloc(64);
    backend.sgemm(false, false, 8, 8, 8, 1, a, b, 0, c);
    const before = backend.read(c);
    const bufferBefore = backend.core.memory.buffer;
    const big = backend.alloc(16 << 20); // 64 MiB: forces memory.grow
    expect(backend.core.memory.buffer).not.toBe(bufferBefore);
    expect(bufferBefore.byteLength).toBe(0); // the old buffer is detached
    backend.sgemm(false, false, 8, 8, 8, 1, a, b, 0, c); // inputs written before the grow survive it
    expect(Array.from(backend.read(c))).toEqual(Array.from(before));
    backend.write(big, [1, 2, 3], (16 << 20) - 3);
    expect(Array.from(backend.read(big).subarray((16 << 20) - 3))).toEqual([1, 2, 3]);
    const g = backend.alloc(5);
    backend.write(g, [1, -1, 2, -2, 0]);
    backend.activation("relu", g, g, 0);
    expect(Array.from(backend.read(g))).toEqual([1, 0, 2, 0, 0]);
  });

  it("freed blocks are reused and coalesced, so alloc/free cycles do not grow memory", async () => {
    const backend = await createWasmBackend();
    for (let i = 0; i < 50; i++) backend.free(backend.alloc(1 << 16));
    const size = backend.arena.memoryBytes;
    for (let cycle = 0; cycle < 1000; cycle++) {
      const ts = [backend.alloc(100 + (cycle % 7)), backend.alloc(1 << 14), backend.alloc(3)];
      for (const t of cycle % 2 ? ts : ts.reverse()) backend.free(t);
    }
    expect(backend.arena.memoryBytes).toBe(size);
    expect(backend.arena.liveBytes).toBe(0);
  });

  it("adjacent freed blocks coalesce: their union is handed out whole, at the first one's offset", () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 64);
    const a = arena.alloc(100),
      b = arena.alloc(200),
      keep = arena.alloc(16);
    arena.release(b);
    arena.release(a);
    expect(arena.alloc(112 + 208)).toBe(a); // 100 and 200 round up to 112 and 208
    expect(keep).toBeGreaterThan(b);
  });

  it("a freed block at the top goes back to the bump pointer", () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 64);
    const a = arena.alloc(32),
      b = arena.alloc(32);
    arena.release(b);
    arena.release(a);
    expect(arena.alloc(48)).toBe(a);
    expect(arena.liveBytes).toBe(48);
  });

  it("blocks are 16-byte aligned and never overlap", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const arena = new Arena(memory, 100);
    const blocks = [5, 17, 64, 1, 300].map((n) => ({ at: arena.alloc(n), n }));
    arena.release(blocks[1]!.at);
    blocks.push({ at: arena.alloc(8), n: 8 });
    for (const b of blocks) expect(b.at % 16).toBe(0);
    const live = blocks.filter((_, i) => i !== 1).sort((x, y) => x.at - y.at);
    for (let i = 1; i < live.length; i++) expect(live[i]!.at).toBeGreaterThanOrEqual(live[i - 1]!.at + live[i - 1]!.n);
    expect(() => arena.release(12345)).toThrow(/unknown block/);
  });
});

describe("loading the core", () => {
  it("from bytes, from a compiled WebAssembly.Module and from a file URL; each load is independent", async () => {
    const bytes = await readFile(wasmFile);
    const module = await WebAssembly.compile(bytes);
    const backends = await Promise.all([
      createBackend({ wasm: bytes }),
      createBackend({ wasm: module }),
      createBackend({ wasm: wasmFile }),
      createBackend(),
    ]);
    const tensors = backends.map((b, i) => tensor(b, [i, i, i]));
    backends.forEach((b, i) => expect(Array.from(b.read(tensors[i]!))).toEqual([i, i, i]));
    const cores = backends.map(
      (b) => (b as unknown as { inner: { core: { memory: WebAssembly.Memory } } }).inner.core.memory,
    );
    expect(new Set(cores).size).toBe(4);
  });

  it("a tensor of another backend is refused with a clear error", async () => {
    const a = await createBackend(),
      b = await createBackend({ backend: "js" });
    expect(() => a.read(b.alloc(3))).toThrow(/tensor: expected a tensor of this wasm backend, got JsTensor/);
    await expect(createBackend({ backend: "gpu" as never })).rejects.toThrow(
      /backend: expected "auto", "wasm" or "js", got "gpu"/,
    );
  });
});

describe("memory: models stay flat", () => {
  it("10,000 training steps and 1,000 create/train/dispose cycles do not grow the wasm memory or the live bytes", async () => {
    const backend = await createWasmBackend();
    const { createModel, sgd } = await import("../src/index.js");
    const x = { data: randomArray(32 * 8, 1), shape: [32, 8] as const },
      y = randomArray(32, 2, 0, 1);
    const model = await createModel({
      inputs: 8,
      seed: 1,
      backend,
      loss: "binaryCrossEntropy",
      layers: [{ units: 16 }, { units: 16, activation: "tanh" }, { units: 1 }],
      optimizer: sgd({ learningRate: 0.01 }),
    });
    // Warm-up: batch buffers for 32 rows (trainOnBatch) and the fit's resident data.
    model.trainOnBatch(x, y);
    await model.fit(x, y, { epochs: 2, batchSize: 8 });
    const live = backend.arena.liveBytes,
      reserved = backend.arena.memoryBytes;
    for (let i = 0; i < 5000; i++) model.trainOnBatch(x, y);
    await model.fit(x, y, { epochs: 1250, batchSize: 8, yieldEveryMs: 1e9 }); // 5,000 more steps through fit
    expect(model.steps).toBe(9 + 10000);
    expect(backend.arena.liveBytes).toBe(live);
    expect(backend.arena.memoryBytes).toBe(reserved);
    model.dispose();
    const empty = backend.arena.liveBytes;
    for (let i = 0; i < 1000; i++) {
      const m = await createModel({
        inputs: 8,
        seed: i,
        backend,
        loss: "binaryCrossEntropy",
        layers: [{ units: 16 }, { units: 1 }],
        optimizer: "adam",
      });
      await m.fit(x, y, { epochs: 1, batchSize: 16 });
      m.predict(x);
      m.dispose();
    }
    expect(backend.arena.liveBytes).toBe(empty);
    expect(backend.arena.memoryBytes).toBe(reserved);
  });
});
