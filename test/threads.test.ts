// The threaded core: bit for bit the single-thread build's results for every thread count
// (kernels on awkward sizes, 100 training steps with each optimizer), its data segments, the
// fallback where memory cannot be shared, and its lifecycle (dispose, a lost or trapping
// worker, a process that exits by itself). Thread counts are given explicitly, so nothing
// here depends on how many cores the machine has.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createWasmBackend, type WasmBackend } from "../src/backend/wasm.js";
import {
  ArgumentError,
  createBackend,
  createModel,
  InternalError,
  type ModelOptions,
  type OptimizerConfig,
} from "../src/index.js";
import { UPDATE_KERNELS, type UpdateKernel } from "../src/backend/backend.js";
import {
  ADAM_BETA1,
  ADAM_BETA2,
  ADAM_DECOUPLED,
  ADAM_EPS,
  ADAM_INV_ROOT_BC2,
  ADAM_STEP_SIZE,
  LION_BETA1,
  LION_BETA2,
  PARAM_DECAY,
  PARAM_GRAD_SCALE,
  PARAM_LR,
  RMSPROP_EPS,
  RMSPROP_RHO,
  SGD_MOMENTUM,
  SGD_NESTEROV,
  UPDATE_PARAMS,
} from "../src/kernelCodes/updateParams.js";
import { adam, lion, rmsprop, sgd } from "../src/optimizers.js";
import { runningWorkers } from "../src/threads/pool.js";
import { compileCore } from "../src/wasm/load.js";
import { randomArray } from "./helpers.js";

const single = await createWasmBackend();
const threaded = new Map<number, WasmBackend>();
for (const t of [1, 2, 3, 4]) threaded.set(t, await createWasmBackend(undefined, t));
afterAll(() => {
  for (const b of threaded.values()) b.dispose();
  single.dispose();
});

/** Every call split, whatever its size: the edges of every chunk are exercised. */
function splitEverything(b: WasmBackend): () => void {
  const saved = b.splitAt;
  b.splitAt = { flops: 0, elements: 0 };
  return () => {
    b.splitAt = saved;
  };
}

const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** Where two results first differ in their bits ("" when they are the same): a plain loop,
 *  as toEqual on arrays of 10^5 elements takes seconds. */
function firstDifference(got: Float32Array[], want: Float32Array[]): string {
  if (got.length !== want.length) return `${got.length} results, expected ${want.length}`;
  for (let r = 0; r < got.length; r++) {
    const g = bits(got[r]!),
      w = bits(want[r]!);
    if (g.length !== w.length) return `result ${r}: ${g.length} floats, expected ${w.length}`;
    for (let i = 0; i < g.length; i++)
      if (g[i] !== w[i]) return `result ${r}, element ${i}: ${got[r]![i]}, expected ${want[r]![i]}`;
  }
  return "";
}

/** A parameter block from slot -> value pairs; the other slots are 0. */
function block(values: Record<number, number>): Float32Array {
  const p = new Float32Array(UPDATE_PARAMS);
  for (const [slot, v] of Object.entries(values)) p[Number(slot)] = v;
  return p;
}
/** One step of every update kernel (momentum and decay on, so every state tensor moves). */
const UPDATES: [UpdateKernel, Float32Array][] = [
  ["sgd", block({ [PARAM_LR]: 0.01, [PARAM_GRAD_SCALE]: 1, [SGD_MOMENTUM]: 0.9, [SGD_NESTEROV]: 1 })],
  [
    "adam",
    block({
      [PARAM_LR]: 0.01,
      [PARAM_DECAY]: 0.01,
      [PARAM_GRAD_SCALE]: 0.5,
      [ADAM_BETA1]: 0.9,
      [ADAM_BETA2]: 0.999,
      [ADAM_EPS]: 1e-7,
      [ADAM_DECOUPLED]: 1,
      [ADAM_STEP_SIZE]: 0.1,
      [ADAM_INV_ROOT_BC2]: 3,
    }),
  ],
  [
    "rmsprop",
    block({ [PARAM_LR]: 0.01, [PARAM_DECAY]: 0.001, [PARAM_GRAD_SCALE]: 1, [RMSPROP_RHO]: 0.9, [RMSPROP_EPS]: 1e-7 }),
  ],
  [
    "lion",
    block({ [PARAM_LR]: 0.01, [PARAM_DECAY]: 0.1, [PARAM_GRAD_SCALE]: 0.8, [LION_BETA1]: 0.9, [LION_BETA2]: 0.99 }),
  ],
];

describe("kernels split over threads give the single-thread build's bits", () => {
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 17],
    [33, 17, 5],
    [5, 33, 300],
    [70, 9, 260],
    [130, 1030, 3],
    [17, 2050, 33],
  ];
  for (const [m, n, k] of sizes) {
    it(`sgemm ${m}x${n}x${k}, all four transposes, alpha and beta, 2-4 threads`, () => {
      const a = randomArray(m * k, 1),
        b = randomArray(k * n, 2),
        c0 = randomArray(m * n, 3);
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const run = (be: WasmBackend): Float32Array => {
          const ta_ = be.alloc(m * k),
            tb_ = be.alloc(k * n),
            tc = be.alloc(m * n);
          be.write(ta_, a);
          be.write(tb_, b);
          be.write(tc, c0);
          be.sgemm(ta, tb, m, n, k, 0.75, ta_, tb_, 0.5, tc);
          const out = be.read(tc);
          be.free(ta_);
          be.free(tb_);
          be.free(tc);
          return out;
        };
        const want = [run(single)];
        for (const [t, be] of threaded) {
          const restore = splitEverything(be);
          try {
            expect(firstDifference([run(be)], want), `${t} threads, ${ta ? "T" : "N"}${tb ? "T" : "N"}`).toBe("");
          } finally {
            restore();
          }
        }
      }
    });
  }

  it("addBias, activations, every optimizer update and countNonFinite on 1, 3, 5, 17, 33, 1000 and 70,001 elements", () => {
    for (const n of [1, 3, 5, 17, 33, 1000, 70_001]) {
      const x = randomArray(n, 4, -3, 3),
        g = randomArray(n, 5);
      x[n >> 1] = NaN;
      const run = (be: WasmBackend): Float32Array[] => {
        const tx = be.alloc(n),
          ty = be.alloc(n),
          tg = be.alloc(n),
          tm = be.alloc(n),
          tv = be.alloc(n);
        be.write(tx, x);
        be.write(tg, g);
        be.fill(tm, 0.1);
        be.fill(tv, 0.2);
        const out: Float32Array[] = [];
        for (const f of ["gelu", "silu", "mish", "tanh", "elu"] as const) {
          be.activation(f, tx, ty, 1);
          out.push(be.read(ty));
          be.activationGrad(f, tx, tg, ty, 1);
          out.push(be.read(ty));
        }
        for (const [kernel, params] of UPDATES)
          be.optimizerStep(kernel, ty, tg, [tm, tv].slice(0, UPDATE_KERNELS[kernel].stateTensors(params)), params);
        out.push(be.read(ty), be.read(tm), be.read(tv), new Float32Array([be.countNonFinite(tx)]));
        const cols = 7,
          rows = Math.floor(n / cols);
        if (rows > 0) {
          const bias = be.alloc(cols);
          be.write(bias, randomArray(cols, 6));
          be.addBias(tx, bias, rows, cols);
          out.push(be.read(tx));
          be.free(bias);
        }
        for (const t of [tx, ty, tg, tm, tv]) be.free(t);
        return out;
      };
      const want = run(single);
      for (const [t, be] of threaded) {
        const restore = splitEverything(be);
        try {
          expect(firstDifference(run(be), want), `${t} threads, ${n} elements`).toBe("");
        } finally {
          restore();
        }
      }
    }
  });

  it("sgemmPacked by row blocks", () => {
    const m = 37,
      k = 45,
      n = 29;
    const a = randomArray(m * k, 7),
      w = randomArray(k * n, 8);
    const run = (be: WasmBackend): Float32Array => {
      const ta = be.alloc(m * k),
        tw = be.alloc(k * n),
        tp = be.alloc(k * 32),
        tc = be.alloc(m * n);
      be.write(ta, a);
      be.write(tw, w);
      be.packWeights(tw, k, n, tp);
      be.sgemmPacked(m, n, k, ta, tp, tc);
      const out = be.read(tc);
      for (const t of [ta, tw, tp, tc]) be.free(t);
      return out;
    };
    const want = [run(single)];
    for (const be of threaded.values()) {
      const restore = splitEverything(be);
      try {
        expect(firstDifference([run(be)], want)).toBe("");
      } finally {
        restore();
      }
    }
  });
});

describe("training on threads: weights after 100 steps hash alike for 1, 2, 3 and 4 threads and the single-thread build", () => {
  const options = (optimizer: OptimizerConfig): Omit<ModelOptions, "backend"> => ({
    inputs: 37,
    seed: 20261130,
    loss: "softmaxCrossEntropy",
    optimizer,
    layers: [
      { units: 33, activation: "gelu" },
      { units: 17, activation: "silu" },
      { units: 5, activation: "softmax" },
    ],
  });
  const x = { data: randomArray(50 * 37, 9), shape: [50, 37] as [number, number] };
  const y = {
    data: new Float32Array(50 * 5).map((_, i) => (i % 5 === Math.floor(i / 5) % 5 ? 1 : 0)),
    shape: [50, 5] as [number, number],
  };
  const train = async (backend: WasmBackend, optimizer: OptimizerConfig): Promise<Float32Array> => {
    const model = await createModel({ ...options(optimizer), backend });
    await model.fit(x, y, { epochs: 50, batchSize: 25 }); // 2 batches an epoch: 100 steps
    const weights = model.getWeights().flatMap((w) => [...w.kernel, ...w.bias]);
    model.dispose();
    return new Float32Array(weights);
  };
  for (const [name, optimizer] of [
    ["adam", adam({ learningRate: 0.01 })],
    ["sgd with Nesterov momentum", sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true })],
    ["rmsprop", rmsprop({ learningRate: 0.005 })],
    ["lion", lion({ learningRate: 0.001 })],
  ] as const) {
    it(`${name}, every call split`, async () => {
      const want = [await train(single, optimizer)];
      for (const [t, be] of threaded) {
        const restore = splitEverything(be);
        try {
          expect(firstDifference([await train(be, optimizer)], want), `${t} threads`).toBe("");
        } finally {
          restore();
        }
      }
    });
  }

  it("a 784-256-128-10 net at batch 64 with the measured thresholds", async () => {
    const rows = 64;
    const bx = { data: randomArray(rows * 784, 10, 0, 1), shape: [rows, 784] as [number, number] };
    const by = {
      data: new Float32Array(rows * 10).map((_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0)),
      shape: [rows, 10] as [number, number],
    };
    const run = async (backend: WasmBackend): Promise<Float32Array> => {
      const model = await createModel({
        inputs: 784,
        seed: 5,
        loss: "softmaxCrossEntropy",
        optimizer: adam({ learningRate: 0.001 }),
        backend,
        layers: [
          { units: 256, activation: "relu" },
          { units: 128, activation: "relu" },
          { units: 10, activation: "softmax" },
        ],
      });
      for (let i = 0; i < 100; i++) model.trainOnBatch(bx, by);
      const w = new Float32Array(model.getWeights().flatMap((l) => [...l.kernel, ...l.bias]));
      model.dispose();
      return w;
    };
    const want = [await run(single)];
    for (const t of [2, 3, 4]) expect(firstDifference([await run(threaded.get(t)!)], want), `${t} threads`).toBe("");
  }, 60_000);
});

describe("the threads build's data segments", () => {
  it("instantiating it again over a live memory rewrites no byte", async () => {
    const be = threaded.get(2)!;
    const model = await createModel({
      inputs: 8,
      layers: [{ units: 16, activation: "gelu" }, { units: 1 }],
      seed: 1,
      backend: be,
    });
    await model.fit([[1, 2, 3, 4, 5, 6, 7, 8]], [[1]], { epochs: 3 });
    const memory = be.core.memory;
    const before = new Uint8Array(memory.buffer).slice();
    await WebAssembly.instantiate(await compileCore(undefined, "threads"), { env: { memory } });
    const after = new Uint8Array(memory.buffer);
    let changed = 0;
    for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) changed++;
    expect(changed).toBe(0);
    model.dispose();
  });
});

describe("choosing the thread count", () => {
  it("createBackend and createModel report the threads that run", async () => {
    const b = await createBackend({ threads: 3 });
    expect([b.name, b.threads, b.threadsReason]).toEqual(["wasm", 3, null]);
    b.dispose();
    const model = await createModel({ inputs: 2, layers: [{ units: 1 }], threads: 2 });
    expect(model.backend.threads).toBe(2);
    model.dispose();
    const one = await createBackend({ threads: 1 });
    expect([one.threads, one.threadsReason]).toEqual([1, null]);
    one.dispose();
    const js = await createBackend({ backend: "js", threads: 4 });
    expect(js.threads).toBe(1);
  });

  it("refuses a thread count that is not 'auto' or a whole number from 1 to 64, naming it", async () => {
    for (const bad of [0, -1, 1.5, 65, NaN, "many", null]) {
      await expect(createBackend({ threads: bad as never })).rejects.toThrow(ArgumentError);
      await expect(createBackend({ threads: bad as never })).rejects.toThrow(
        /threads: expected "auto" or a whole number of threads from 1 to 64/,
      );
      await expect(createModel({ inputs: 2, layers: [{ units: 1 }], threads: bad as never })).rejects.toThrow(
        /threads: expected/,
      );
    }
  });

  it("runs on one thread, and says why, where SharedArrayBuffer is missing or the page is not cross-origin isolated", async () => {
    const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean };
    const saved = g.SharedArrayBuffer;
    try {
      g.SharedArrayBuffer = undefined;
      const b = await createBackend({ threads: 4 });
      expect(b.threads).toBe(1);
      expect(b.threadsReason).toMatch(
        /SharedArrayBuffer is unavailable.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/,
      );
      const model = await createModel({ inputs: 2, layers: [{ units: 1 }], threads: 4, backend: b });
      await model.fit([[0, 1]], [[1]], { epochs: 2 });
      model.dispose();
      b.dispose();
    } finally {
      g.SharedArrayBuffer = saved;
    }
    try {
      g.crossOriginIsolated = false;
      const b = await createBackend({ threads: 2 });
      expect([b.threads, b.threadsReason?.startsWith("SharedArrayBuffer is unavailable")]).toEqual([1, true]);
      b.dispose();
    } finally {
      delete g.crossOriginIsolated;
    }
  });

  it("a single-thread build given as wasm runs on one thread and says so", async () => {
    const b = await createBackend({ threads: 2, wasm: await compileCore() });
    expect(b.threads).toBe(1);
    expect(b.threadsReason).toMatch(/single-thread build/);
    b.dispose();
  });
});

describe("lifecycle", () => {
  it("dispose ends the workers", async () => {
    const before = runningWorkers();
    const be = await createWasmBackend(undefined, 4);
    expect(runningWorkers()).toBe(before + 3);
    const pool = be.pool!;
    be.dispose();
    await pool.ended;
    expect(runningWorkers()).toBe(before);
    expect(be.threads).toBe(1);
  });

  it("a trap in a worker's chunk is an InternalError on the calling side, and the pool stays usable", async () => {
    const be = await createWasmBackend(undefined, 3);
    const pool = be.pool!;
    const kernel = pool.kernel("countNonFinite");
    // Chunks that read past the end of memory: whichever thread runs one traps.
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3; i++) {
        const r = pool.row(i);
        pool.table[r] = kernel;
        pool.table[r + 1] = 2 ** 32 - 64;
        pool.table[r + 2] = 1000;
      }
      let error: unknown;
      try {
        pool.run(3);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InternalError);
      expect(String(error)).toMatch(/wasm trap in (a worker thread running )?countNonFinite\(4294967232, 1000/);
    }
    const x = be.alloc(100_000);
    be.fill(x, Infinity);
    be.splitAt = { flops: 0, elements: 0 };
    expect(be.countNonFinite(x)).toBe(100_000);
    be.dispose();
  });

  it("a worker that dies turns the next call into an InternalError with the model unchanged; the core then runs on the calling thread", async () => {
    const be = await createWasmBackend(undefined, 2);
    be.splitAt = { flops: 0, elements: 0 };
    const model = await createModel({
      inputs: 4,
      layers: [{ units: 8, activation: "tanh" }, { units: 1 }],
      seed: 3,
      backend: be,
    });
    const data = [
        [0, 1, 2, 3],
        [3, 2, 1, 0],
      ],
      target = [[1], [0]];
    await model.fit(data, target, { epochs: 2 });
    const weights = model.getWeights();
    const pool = be.pool!;
    pool.workers[0]!.crash();
    await pool.ended;
    await expect(model.fit(data, target, { epochs: 1 })).rejects.toThrow(/InternalError|worker thread exited/);
    expect(model.getWeights()).toEqual(weights);
    expect(be.threads).toBe(1);
    expect(be.threadsReason).toMatch(/worker thread exited .*calling thread/);
    await model.fit(data, target, { epochs: 2 });
    model.dispose();
    be.dispose();
  });

  it("a Node process whose models still hold threaded cores exits by itself", async () => {
    const script = [
      'import { createModel } from "./src/index.ts";',
      'const model = await createModel({ inputs: 64, layers: [{ units: 256, activation: "relu" }, { units: 4 }], threads: 3, seed: 1 });',
      "const x = Array.from({ length: 64 }, (_, i) => Array.from({ length: 64 }, (_, j) => ((i * j) % 7) / 7));",
      "await model.fit(x, x.map((r) => r.slice(0, 4)), { epochs: 2 });",
      'console.log("threads", model.backend.threads);',
    ].join("\n");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { timeout: 30_000 },
    );
    expect(stdout.trim()).toBe("threads 3");
  }, 40_000);
});
