import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { ArgumentError, InternalError, createBackend } from "../src/index.js";
import { createWasmBackend } from "../src/backend/wasm.js";

const backends = await Promise.all([createBackend(), createBackend({ backend: "js" })]);

describe("bad input gets an error naming the argument, the expectation and the value", () => {
  for (const backend of backends) {
    it(`${backend.name}: sizes that would run past a tensor are refused before any kernel runs`, () => {
      const a = backend.alloc(6),
        b = backend.alloc(6),
        c = backend.alloc(4);
      backend.write(c, [1, 2, 3, 4]);
      expect(() => backend.sgemm(false, false, 2, 2, 4, 1, a, b, 0, c)).toThrow(
        /a: expected a tensor of at least 8 floats \(op\(a\) is 2 x 4\), got "a tensor of 6"/,
      );
      expect(() => backend.sgemm(false, false, 0, 2, 3, 1, a, b, 0, c)).toThrow(/m: expected an integer >= 1, got 0/);
      expect(() => backend.sgemm(false, false, 2, 2, 3, NaN, a, b, 0, c)).toThrow(
        /alpha: expected a finite number, got NaN/,
      );
      expect(() => backend.sgemm(false, false, 2.5, 2, 3, 1, a, b, 0, c)).toThrow(ArgumentError);
      expect(Array.from(backend.read(c))).toEqual([1, 2, 3, 4]); // untouched
      expect(() => backend.addBias(c, a, 2, 3)).toThrow(/x: expected a tensor of at least 6 floats/);
      expect(() => backend.activation("swish" as never, a, b, 0)).toThrow(
        /activation: expected one of identity, sigmoid/,
      );
      expect(() => backend.activation("toString" as never, a, b, 0)).toThrow(/activation: expected one of identity/);
      expect(() => backend.activation("relu", a, c, 0)).toThrow(
        /y: expected a tensor of at least 6 floats \(as long as x\)/,
      );
      expect(() => backend.activationGrad("tanh", a, c, b, 0)).toThrow(/dy: expected a tensor of at least 6 floats/);
      expect(() => backend.softmax(a, b, 2, 4)).toThrow(/x: expected a tensor of at least 8 floats/);
      expect(() => backend.write(c, [1, 2, 3], 2)).toThrow(/data: expected at most 2 values/);
      expect(() => backend.slice(c, 3, 2)).toThrow(/length: expected at most 1/);
      expect(() => backend.alloc(-1)).toThrow(/length: expected an integer >= 0, got -1/);
    });

    it(`${backend.name}: random streams and fills check their parameters`, () => {
      const t = backend.alloc(8);
      expect(() => backend.random(-1, 0)).toThrow(/seed: expected an integer in \[0, 2\^32\), got -1/);
      expect(() => backend.random(0, 1.5)).toThrow(/stream: expected an integer in \[0, 2\^32\), got 1.5/);
      expect(() => backend.random(2 ** 32, 0)).toThrow(/seed: expected an integer in \[0, 2\^32\)/);
      const rng = backend.random(0, 0);
      expect(() => backend.fillUniform(rng, t, 1, 0)).toThrow(/hi: expected a number >= lo \(1\), got 0/);
      expect(() => backend.fillNormal(rng, t, 0, -1)).toThrow(/std: expected a number >= 0, got -1/);
      expect(() => backend.fillTruncatedNormal(rng, t, 0, 1, 2, -2)).toThrow(/hi: expected a number >= lo/);
      expect(() => backend.fillNormal(rng, t, Infinity, 1)).toThrow(/mean: expected a finite number, got Infinity/);
    });
  }

  it("a trap inside wasm becomes an InternalError naming the kernel", async () => {
    const backend = await createWasmBackend();
    const outside = backend.core.memory.buffer.byteLength + 1024;
    expect(() => backend.core.fill(outside, 4, 0)).toThrow(InternalError);
    expect(() => backend.core.fill(outside, 4, 0)).toThrow(/wasm trap in fill\(.*\): memory access out of bounds/);
    // The core is still usable afterwards.
    const t = backend.alloc(3);
    backend.fill(t, 2);
    expect(Array.from(backend.read(t))).toEqual([2, 2, 2]);
  });

  it("a file that is not a wasm core is refused with a clear error naming the argument", async () => {
    const bad = createBackend({ wasm: new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]) });
    await expect(bad).rejects.toThrow(ArgumentError);
    await expect(bad).rejects.toThrow(
      /wasm: expected a source of the simdnet wasm core \(could not instantiate it: .*version/,
    );
  });
});

describe("loading over HTTP (the browser path: fetch + streaming compile)", () => {
  it("instantiates from a URL served over HTTP", async () => {
    const bytes = await readFile(new URL("../build/simdnet.wasm", import.meta.url));
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/wasm" });
      res.end(bytes);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const backend = await createBackend({ wasm: new URL(`http://127.0.0.1:${port}/simdnet.wasm`) });
      const t = backend.alloc(4);
      backend.write(t, [-1, 2, -3, 4]);
      backend.activation("relu", t, t, 0);
      expect(Array.from(backend.read(t))).toEqual([0, 2, 0, 4]);
    } finally {
      server.close();
    }
  });
});

describe("freed tensors", () => {
  it("a freed wasm tensor (and its slices) can no longer be read or written; freeing twice is harmless", async () => {
    const backend = await createBackend();
    const t = backend.alloc(8),
      s = backend.slice(t, 2, 3);
    backend.free(t);
    expect(() => backend.read(t)).toThrow(/tensor: expected a tensor that has not been freed/);
    expect(() => backend.write(s, [1])).toThrow(/tensor: expected a tensor that has not been freed/);
    expect(() => backend.free(t)).not.toThrow();
    const u = backend.alloc(8); // reuses the block
    backend.fill(u, 3);
    expect(Array.from(backend.read(u))).toEqual(new Array(8).fill(3));
  });
});

describe("tensors and streams stay with their backend", () => {
  it("a tensor or stream of another wasm core is refused, by argument name", async () => {
    const a = await createBackend(),
      b = await createBackend();
    const ta = a.alloc(4),
      tb = b.alloc(4),
      tc = b.alloc(4);
    b.fill(tb, 1);
    expect(() => b.fill(ta, 7)).toThrow(/tensor: expected a tensor of this wasm backend/);
    expect(() => b.sgemm(false, false, 2, 2, 2, 1, tc, ta, 0, b.alloc(4))).toThrow(
      /b: expected a tensor of this wasm backend/,
    );
    expect(() => b.fillBits(a.random(1, 0), tb)).toThrow(/rng: expected a random stream of this wasm backend/);
    expect(Array.from(b.read(tb))).toEqual([1, 1, 1, 1]);
  });

  it("a freed stream cannot draw, and freeing it twice frees nothing else", async () => {
    const backend = await createBackend();
    const rng = backend.random(3, 0);
    backend.freeRandom(rng);
    backend.freeRandom(rng);
    const t = backend.alloc(16),
      u = backend.alloc(16); // one of them reuses the stream's block
    backend.fill(t, 1);
    backend.fill(u, 2);
    expect(() => backend.fillBits(rng, t)).toThrow(/rng: expected a random stream that has not been freed/);
    expect(Array.from(backend.read(t))).toEqual(new Array(16).fill(1));
    expect(Array.from(backend.read(u))).toEqual(new Array(16).fill(2));
  });

  it("a disposed backend refuses every call", async () => {
    const backend = await createBackend(),
      t = backend.alloc(2);
    backend.dispose();
    expect(() => backend.read(t)).toThrow(/disposed/);
    expect(() => backend.alloc(2)).toThrow(/disposed/);
  });
});

describe("overlapping tensors", () => {
  for (const backend of backends) {
    it(`${backend.name}: outputs that share storage with an input they are computed from are refused`, () => {
      const t = backend.alloc(64),
        a = backend.slice(t, 0, 16),
        c = backend.slice(t, 8, 16),
        d = backend.slice(t, 32, 16);
      expect(() => backend.sgemm(false, false, 4, 4, 4, 1, a, d, 0, c)).toThrow(
        /c: expected a tensor not overlapping a, got "an overlapping tensor"/,
      );
      expect(() => backend.sgemm(false, false, 4, 4, 4, 1, d, a, 0, a)).toThrow(
        /c: expected a tensor not overlapping b/,
      );
      expect(() => backend.transpose(a, c, 4, 4)).toThrow(/dst: expected a tensor not overlapping src/);
      expect(() => backend.addBias(a, backend.slice(t, 2, 4), 4, 4)).toThrow(
        /bias: expected a tensor not overlapping x/,
      );
      expect(() => backend.activation("relu", a, c, 0)).toThrow(
        /y: expected x itself or a tensor not overlapping it, got "a partly overlapping tensor"/,
      );
      expect(() => backend.activation("relu", a, a, 0)).not.toThrow(); // in place is fine
      expect(() => backend.activation("relu", a, d, 0)).not.toThrow();
    });
  }
});
