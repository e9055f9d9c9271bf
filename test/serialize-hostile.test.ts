// Hostile model documents beyond the seeded mutations of fuzz.test.ts: objects built to make
// the loader walk forever (shared children, cycles), JSON that would make it allocate many
// times its size, getters that change between reads, documents missing what a save always
// writes, limits that differ between create, save and load, and misspelt options. Each group
// starts with the case that once broke, then tries its class.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createWasmBackend, type WasmBackend } from "../src/backend/wasm.js";
import { JsBackend } from "../src/backend/js/index.js";
import {
  ArgumentError,
  adam,
  createModel,
  initializers,
  loadModel,
  MAX_LAYERS,
  MAX_PARAMETERS,
  MAX_UNITS,
  OPTIMIZER_NAMES,
  rmsprop,
  saveModel,
  schedules,
  sgd,
  type Backend,
  type Model,
  type ModelDocument,
} from "../src/index.js";
import { encodeFloats } from "../src/serialize.js";

const wasm: WasmBackend = await createWasmBackend();

/** A trained model's document with every optional part: a normalizer, a schedule, optimizer
 *  state, initializers with options. */
async function richDocument(backend: Backend = wasm): Promise<ModelDocument> {
  const m = await createModel({
    inputs: 3,
    seed: 11,
    backend,
    loss: "softmaxCrossEntropy",
    normalize: "minMax",
    optimizer: adam({ learningRate: 0.01, schedule: schedules.step({ every: 2, factor: 0.5 }) }),
    layers: [
      {
        units: 4,
        activation: "elu",
        alpha: 0.5,
        kernelInitializer: initializers.varianceScaling({ scale: 2, mode: "fanAvg", distribution: "uniform" }),
        biasInitializer: initializers.constant(0.1),
      },
      { units: 3, kernelInitializer: initializers.orthogonal({ gain: 0.8 }) },
    ],
  });
  await m.fit(
    [
      [1, 2, 3],
      [3, 2, 1],
      [0, 1, 0],
      [2, 2, 2],
    ],
    [0, 1, 2, 1],
    { epochs: 2, batchSize: 2 },
  );
  const doc = saveModel(m, { optimizer: true });
  m.dispose();
  return doc;
}

/** Every path to a value in a JSON tree (objects' keys and arrays' indices). */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((k) => [
    [...prefix, k],
    ...paths((value as Record<string | number, unknown>)[k], [...prefix, k]),
  ]);
}

/** A copy of `doc` with the value at `path` replaced (or deleted when `value` is DELETE). */
const DELETE = Symbol("delete");
function withValue(doc: unknown, path: (string | number)[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  if (value === DELETE) delete parent[key];
  else parent[key] = value;
  return copy;
}

const name = (path: (string | number)[]): string =>
  path.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]` : `${s}.${k}`), "document");

async function refusal(document: unknown, backend: Backend = wasm): Promise<ArgumentError> {
  const before = (backend as WasmBackend).arena?.liveBytes;
  let error: unknown;
  try {
    (await loadModel(document as ModelDocument, { backend })).dispose();
  } catch (e) {
    error = e;
  }
  expect(error, "refused").toBeInstanceOf(ArgumentError);
  expect((backend as WasmBackend).arena?.liveBytes).toBe(before);
  return error as ArgumentError;
}

/** An object of `depth` levels, each `width` keys all pointing at the same next level:
 *  width * depth properties, width^depth paths. Counts every read of a property (through a
 *  Proxy whose reads look like a plain object's), and stops a walk that reads too much. */
function sharedChildren(depth: number, width: number, budget = 100_000): { value: object; reads: () => number } {
  let reads = 0;
  const count = (): void => {
    if (++reads > budget) throw new Error(`walked ${budget} properties: the walk follows paths, not properties`);
  };
  let level: object = {};
  for (let d = 0; d < depth; d++) {
    const target: Record<string, unknown> = {};
    for (let k = 0; k < width; k++) target[`k${k}`] = level;
    level = new Proxy(target, {
      get: (t, key) => {
        count();
        return Reflect.get(t, key);
      },
      getOwnPropertyDescriptor: (t, key) => {
        count();
        return Reflect.getOwnPropertyDescriptor(t, key);
      },
    });
  }
  return { value: level, reads: () => reads };
}

describe("shared children and cycles: the walk is linear in the properties, never in the paths", () => {
  it("refuses 19 levels x 10 keys pointing at the same child (10^19 paths) under an unknown key, reading each property at most once", async () => {
    const doc = await richDocument();
    const bomb = sharedChildren(19, 10);
    await refusal({ ...doc, extra: bomb.value });
    expect(bomb.reads()).toBeLessThanOrEqual(190);
    // The same object as structuredClone (postMessage) delivers it: plain, sharing kept.
    let level: object = {};
    for (let d = 0; d < 19; d++) level = Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`k${k}`, level]));
    await refusal(structuredClone({ ...doc, extra: level }));
    await refusal(structuredClone({ ...doc, optimizer: level }));
  });

  it("at every place in a document, a shared-children object or a cycle is refused after reading each property at most once", async () => {
    const doc = await richDocument();
    const all = paths(doc);
    for (const path of all) {
      const bomb = sharedChildren(12, 8);
      const error = await refusal(withValue(doc, path, bomb.value));
      expect(error.message.length).toBeLessThan(400);
      expect(bomb.reads(), name(path)).toBeLessThanOrEqual(8 * 12);
      const cycle: Record<string, unknown> = { name: "adam", a: null };
      cycle.a = cycle;
      await refusal(withValue(doc, path, cycle));
    }
    expect(all.length).toBeGreaterThan(60);
  });
});

describe("JSON text: a refusal costs about what JSON.parse of the text costs", () => {
  it("under a 256 MB heap, each hostile text (10 MB of zeros under an unknown key, and others) is refused in at most 2x the CPU time and allocation of JSON.parse", async () => {
    const run = async (only?: string): Promise<Record<string, { time: number; memory: number; error: string }>> => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          "--max-old-space-size=256",
          "--expose-gc",
          "--import",
          "tsx",
          "test/serialize-hostile.child.ts",
          ...(only ? [only] : []),
        ],
        { maxBuffer: 1 << 20 },
      );
      return JSON.parse(stdout);
    };
    const results = await run();
    expect(Object.keys(results).length).toBe(14);
    for (let [name, r] of Object.entries(results)) {
      // Timing on a shared machine: a case over budget is measured again, twice at most.
      for (let retry = 0; retry < 2 && r.time > 2; retry++) r = (await run(name))[name]!;
      expect(r.error, name).toMatch(/^document[.\w[\]]*: expected/);
      expect(r.time, `${name}: CPU time / JSON.parse's`).toBeLessThanOrEqual(2);
      expect(r.memory, `${name}: bytes allocated / JSON.parse's`).toBeLessThanOrEqual(2);
    }
  }, 120_000);
});

/** Counts the random streams opened on `backend` (every initializer draws from one) until
 *  `restore` is called. */
function countingRandom(backend: Backend): { streams: () => number; restore: () => void } {
  let streams = 0;
  const random = backend.random;
  backend.random = function (this: Backend, seed, stream) {
    streams++;
    return random.call(this, seed, stream);
  };
  return {
    streams: () => streams,
    restore: () => {
      backend.random = random;
    },
  };
}

describe("loading never runs an initializer", () => {
  it("a 2048 x 2048 orthogonal layer loads without drawing a number (no O(n^3) Gram-Schmidt), its weights the document's", async () => {
    const n = 2048;
    const kernel = new Float32Array(n * n).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
    const doc = {
      format: "simdnet-model",
      version: 1,
      inputs: n,
      seed: 1,
      layers: [
        {
          units: n,
          activation: "tanh",
          alpha: 0,
          kernelInitializer: { name: "orthogonal", gain: 1 },
          biasInitializer: { name: "zeros" },
          seed: 1,
          stream: 0,
        },
      ],
      loss: "meanSquaredError",
      optimizer: "sgd",
      metrics: [],
      normalize: "none",
      normalizer: null,
      epochs: 0,
      weights: [{ kernel: encodeFloats(kernel), bias: encodeFloats(new Float32Array(n)) }],
    };
    const backend = new JsBackend(),
      { streams } = countingRandom(backend);
    const m = await loadModel(doc as unknown as ModelDocument, { backend });
    expect(streams()).toBe(0);
    expect(Buffer.compare(Buffer.from(m.getWeights()[0]!.kernel.buffer), Buffer.from(kernel.buffer))).toBe(0);
    m.dispose();
  });

  it("for every initializer, as kernel or bias, on both backends: no random stream is opened and the weights are the document's", async () => {
    const names = initializers.INITIALIZER_NAMES.filter((i) => i !== "orthogonal");
    for (const backend of [wasm, new JsBackend()]) {
      const { streams, restore } = countingRandom(backend);
      for (const init of initializers.INITIALIZER_NAMES) {
        const m = await createModel({
          inputs: 3,
          seed: 5,
          backend,
          layers: [
            {
              units: 4,
              activation: "tanh",
              kernelInitializer: init,
              biasInitializer: names[init.length % names.length],
            },
            { units: 2, biasInitializer: init === "orthogonal" ? "zeros" : init },
          ],
        });
        const doc = saveModel(m);
        const opened = streams();
        const back = await loadModel(doc, { backend });
        expect(streams(), init).toBe(opened);
        expect(saveModel(back)).toEqual(doc);
        back.dispose();
        m.dispose();
      }
      // createModel's: kernel and bias of two layers
      expect(streams()).toBe(2 * 2 * initializers.INITIALIZER_NAMES.length);
      restore();
    }
  });
});

describe("a document is read once: getters that change between reads", () => {
  it("a getter that turns adam into sgd after the first read neither leaks wasm memory nor loads a mix", async () => {
    const doc = await richDocument();
    const optimizer = doc.optimizer;
    let reads = 0;
    const fickle = { ...doc };
    Object.defineProperty(fickle, "optimizer", { enumerable: true, get: () => (reads++ === 0 ? optimizer : "sgd") });
    const before = wasm.arena.liveBytes;
    for (let i = 0; i < 20; i++) {
      reads = 0;
      const m = await loadModel(fickle, { backend: wasm });
      expect(m.optimizer).toEqual(optimizer);
      expect(saveModel(m, { optimizer: true })).toEqual(doc);
      m.dispose();
      expect(reads).toBe(1);
    }
    expect(wasm.arena.liveBytes).toBe(before);
  });

  it("with every property of every object a getter returning garbage after its first read, the model is the document's and every property is read once", async () => {
    const doc = await richDocument();
    const garbage = [null, "sgd", -1, 1e9, [], { name: "rmsprop" }, "AAAA"];
    const reads = new Map<string, number>();
    const fickle = (value: unknown, at: string): unknown => {
      if (value === null || typeof value !== "object") return value;
      const target = (Array.isArray(value) ? [] : {}) as Record<string | number, unknown>;
      for (const [k, v] of Object.entries(value)) {
        const key = `${at}.${k}`,
          inner = fickle(v, key);
        Object.defineProperty(target, k, {
          enumerable: true,
          configurable: true,
          get: () => {
            const n = reads.get(key) ?? 0;
            reads.set(key, n + 1);
            return n === 0 ? inner : garbage[n % garbage.length];
          },
        });
      }
      if (Array.isArray(value)) Object.defineProperty(target, "length", { value: value.length });
      return target;
    };
    const before = wasm.arena.liveBytes;
    const m = await loadModel(fickle(doc, "document") as ModelDocument, { backend: wasm });
    expect(saveModel(m, { optimizer: true })).toEqual(doc);
    m.dispose();
    expect(Math.max(...reads.values())).toBe(1);
    expect(wasm.arena.liveBytes).toBe(before);
  });

  it("a getter that throws, or a revoked Proxy, anywhere is an ArgumentError naming the place, with nothing kept", async () => {
    const doc = await richDocument();
    for (const path of paths(doc)) {
      const parentPath = path.slice(0, -1),
        key = path[path.length - 1]!;
      const copy = structuredClone(doc) as unknown as Record<string | number, unknown>;
      let parent = copy;
      for (const k of parentPath) parent = parent[k] as Record<string | number, unknown>;
      Object.defineProperty(parent, key, {
        enumerable: true,
        get: () => {
          throw new TypeError("no");
        },
      });
      const error = await refusal(copy);
      expect(error.argument.startsWith(name(parentPath)), `${name(path)}: ${error.message}`).toBe(true);
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      await refusal(withValue(doc, path, proxy));
    }
  });
});

describe("one set of limits for createModel, saveModel and loadModel", () => {
  it(`a model of ${MAX_LAYERS} layers saves and loads; one of ${MAX_LAYERS + 1} is refused by createModel as its document is by loadModel`, async () => {
    const layers = Array.from({ length: MAX_LAYERS }, () => ({ units: 1, activation: "tanh" as const }));
    const m = await createModel({ inputs: 1, seed: 1, layers });
    const doc = saveModel(m);
    const back = await loadModel(doc);
    expect(back.layers).toHaveLength(MAX_LAYERS);
    expect(saveModel(back)).toEqual(doc);
    back.dispose();
    await expect(createModel({ inputs: 1, layers: [...layers, { units: 1 }] })).rejects.toThrow(
      new RegExp(`layers: expected an array of 1 to ${MAX_LAYERS}`),
    );
    const over = { ...doc, layers: [...doc.layers, doc.layers[0]!], weights: [...doc.weights, doc.weights[0]!] };
    expect((await refusal(over)).message).toMatch(
      new RegExp(`document.layers: expected an array of 1 to ${MAX_LAYERS}`),
    );
    m.dispose();
  });

  it("at each limit (units, inputs, seeds, streams) what createModel accepts loads, and one past it both refuse", async () => {
    const base = { inputs: 1, seed: 0, backend: wasm, layers: [{ units: 1, seed: 0xffffffff, stream: 0xffffffff }] };
    const atLimits = [
      { ...base, inputs: MAX_UNITS },
      { ...base, layers: [{ units: MAX_UNITS }] },
      { ...base, seed: 0xffffffff },
    ];
    for (const options of atLimits) {
      const m = await createModel(options);
      const doc = saveModel(m);
      const back = await loadModel(JSON.stringify(doc), { backend: wasm });
      expect(saveModel(back)).toEqual(doc);
      back.dispose();
      m.dispose();
      const pastCreate = [
        { ...options, inputs: options.inputs + (options.inputs === MAX_UNITS ? 1 : 0) },
        { ...options, layers: [{ ...options.layers[0]!, units: MAX_UNITS + 1 }] },
        { ...options, seed: 2 ** 32 },
      ];
      for (const past of pastCreate.filter(
        (p) => p.inputs > MAX_UNITS || p.layers[0]!.units > MAX_UNITS || p.seed > 0xffffffff,
      )) {
        await expect(createModel(past)).rejects.toThrow(ArgumentError);
      }
      await refusal({ ...doc, inputs: MAX_UNITS + 1 });
      await refusal({ ...doc, seed: 2 ** 32 });
      await refusal({ ...doc, layers: [{ ...doc.layers[0]!, units: MAX_UNITS + 1 }] });
      await refusal({ ...doc, layers: [{ ...doc.layers[0]!, stream: 2 ** 32 }] });
    }
    // Parameters: the same constant on both sides, refused before anything is allocated.
    const reserved = wasm.arena.memoryBytes;
    const wide = { inputs: MAX_UNITS, backend: wasm, layers: [{ units: 128 }, { units: 1 }] };
    expect(MAX_UNITS * 129 + 129 + 1).toBeGreaterThan(MAX_PARAMETERS);
    await expect(createModel(wide)).rejects.toThrow(/at most 2\^27 parameters/);
    const small = await createModel({ inputs: 2, seed: 1, backend: wasm, layers: [{ units: 2 }, { units: 1 }] });
    const doc = saveModel(small);
    small.dispose();
    expect(
      (await refusal({ ...doc, inputs: MAX_UNITS, layers: [{ ...doc.layers[0]!, units: 128 }, doc.layers[1]!] }))
        .message,
    ).toMatch(new RegExp(`at most ${MAX_PARAMETERS} parameters`));
    expect(wasm.arena.memoryBytes).toBe(reserved);
  });
});

describe("a document must have every field a save writes", () => {
  it("a document without its normalizer is refused (it would change every prediction)", async () => {
    const doc = await richDocument();
    const { normalizer: _, ...without } = doc;
    expect((await refusal(without)).message).toMatch(/^document.normalizer: expected present/);
  });

  it("deleting any key that a save writes, at any depth, is refused naming it", async () => {
    const doc = await richDocument();
    const keys = paths(doc).filter(
      (p) =>
        (typeof p[p.length - 1] === "string" && p[0] !== "optimizerState") ||
        (p.length === 2 && p[0] === "optimizerState"),
    );
    expect(keys.length).toBeGreaterThan(50);
    for (const path of keys) {
      const error = await refusal(withValue(doc, path, DELETE));
      expect(error.message, name(path)).toContain(String(path[path.length - 1]));
    }
    // optimizerState as a whole is optional (a save without the optimizer leaves it out).
    const { optimizerState: _, ...light } = doc;
    (await loadModel(light, { backend: wasm })).dispose();
  });

  it("unknown keys are refused everywhere, the normalizer's included", async () => {
    const doc = await richDocument();
    const objects = [[], ...paths(doc)].filter((p) => {
      const v = p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], doc);
      return v !== null && typeof v === "object" && !Array.isArray(v);
    });
    expect(objects.length).toBeGreaterThan(10);
    for (const path of objects) {
      const error = await refusal(withValue(doc, [...path, "extra"], 1));
      expect(error.message, name(path)).toMatch(/extra/);
    }
    expect((await refusal(withValue(doc, ["normalizer", "center"], [0, 0, 0]))).argument).toBe(
      "document.normalizer.center",
    );
  });

  it("epoch and step counts must be integers below 2^53, where counting stops", async () => {
    const doc = await richDocument();
    for (const value of [2 ** 53, 2 ** 60, Number.MAX_VALUE, -1, 1.5, Infinity, "3"]) {
      expect((await refusal({ ...doc, epochs: value })).argument).toBe("document.epochs");
      expect((await refusal({ ...doc, optimizerState: { ...doc.optimizerState!, step: value } })).argument).toBe(
        "document.optimizerState.step",
      );
    }
    const last = await loadModel(
      { ...doc, epochs: 2 ** 53 - 1, optimizerState: { ...doc.optimizerState!, step: 2 ** 53 - 1 } },
      { backend: wasm },
    );
    expect([last.epochs, last.steps]).toEqual([2 ** 53 - 1, 2 ** 53 - 1]);
    last.dispose();
  });
});

describe("optimizers by name, with optimizer state", () => {
  it("rmsprop by name with its state loads; with the wrong number of vectors it is an ArgumentError, never a TypeError", async () => {
    const m = await createModel({
      inputs: 2,
      seed: 3,
      backend: wasm,
      optimizer: "rmsprop",
      layers: [{ units: 2 }, { units: 1 }],
    });
    m.trainOnBatch(
      [
        [1, 2],
        [2, 1],
      ],
      [[1], [0]],
    );
    const doc = saveModel(m, { optimizer: true });
    const back = await loadModel({ ...doc, optimizer: "rmsprop" as never }, { backend: wasm });
    expect(saveModel(back, { optimizer: true })).toEqual(doc);
    back.dispose();
    const vector = doc.optimizerState!.vectors[0]!;
    expect(
      (await refusal({ ...doc, optimizer: "rmsprop", optimizerState: { step: 1, vectors: [vector, vector] } })).message,
    ).toMatch(/document.optimizerState.vectors: expected 1 state vectors/);
    m.dispose();
  });

  it("every optimizer, by name or config, with 0 to 2 state vectors: loads exactly when the count is its own", async () => {
    const configs = [...OPTIMIZER_NAMES, sgd({ momentum: 0.9 }), rmsprop({ rho: 0.8 }), adam({ beta1: 0.5 })];
    for (const optimizer of configs) {
      const m = await createModel({
        inputs: 2,
        seed: 3,
        backend: wasm,
        optimizer,
        layers: [{ units: 2 }, { units: 1 }],
      });
      m.trainOnBatch(
        [
          [1, 2],
          [2, 1],
        ],
        [[1], [0]],
      );
      const doc = saveModel(m, { optimizer: true });
      const own = doc.optimizerState!.vectors.length;
      const vector = encodeFloats(new Float32Array(9).fill(0.25));
      for (let count = 0; count <= 2; count++) {
        const candidate = {
          ...doc,
          optimizer: (typeof optimizer === "string" ? optimizer : doc.optimizer) as never,
          optimizerState: { step: 1, vectors: Array(count).fill(vector) },
        };
        if (count === own) (await loadModel(candidate, { backend: wasm })).dispose();
        else expect((await refusal(candidate)).argument).toBe("document.optimizerState.vectors");
      }
      m.dispose();
    }
  });
});

describe("misspelt options of saveModel and loadModel", () => {
  it('{ optimzer: true } and { backnd: "js" } are refused naming the option, as createModel does', async () => {
    const m = await createModel({ inputs: 2, seed: 1, layers: [{ units: 1 }] });
    expect(() => saveModel(m, { optimzer: true } as never)).toThrow(
      /options.optimzer: expected one of the options optimizer/,
    );
    const doc = saveModel(m);
    await expect(loadModel(doc, { backnd: "js" } as never)).rejects.toThrow(
      /options.backnd: expected one of the options backend/,
    );
    for (const bad of [{ optimizer: true, extra: 1 }, { Optimizer: true }, { optimizer: "yes" }])
      expect(() => saveModel(m, bad as never)).toThrow(ArgumentError);
    for (const bad of [{ backend: "js", extra: 1 }, { Backend: "js" }, { backend: 42 }])
      await expect(loadModel(doc, bad as never)).rejects.toThrow(ArgumentError);
    m.dispose();
  });
});

describe("documents saved before these checks", () => {
  it("load bit for bit: the same predictions, and saving again gives the same document", async () => {
    const text = readFileSync(new URL("fixtures/model-v1.json", import.meta.url), "utf8");
    const expected = JSON.parse(
      readFileSync(new URL("fixtures/model-v1.predictions.json", import.meta.url), "utf8"),
    ) as { x: number[][]; bits: string[] };
    const js = await loadModel(text, { backend: "js" });
    const bits = Array.from(new Uint32Array(js.predict(expected.x).data.buffer), (b) =>
      b.toString(16).padStart(8, "0"),
    );
    expect(bits).toEqual(expected.bits);
    for (const model of [js, await loadModel(text, { backend: wasm })] as Model[]) {
      expect(saveModel(model, { optimizer: true })).toEqual(JSON.parse(text));
      model.dispose();
    }
  });
});

describe("errors name the place in the document", () => {
  it("a validator's error inside a config, a layer or the normalizer carries the document path", async () => {
    const doc = await richDocument();
    const cases: [unknown, string][] = [
      [withValue(doc, ["loss", "epsilon"], 2), "document.loss.epsilon"],
      [withValue(doc, ["optimizer", "beta1"], 7), "document.optimizer.beta1"],
      [withValue(doc, ["optimizer", "schedule", "factor"], 0), "document.optimizer.schedule.factor"],
      [withValue(doc, ["layers", 1, "kernelInitializer", "gain"], "big"), "document.layers[1].kernelInitializer.gain"],
      [withValue(doc, ["layers", 0, "activation"], "swish"), "document.layers[0].activation"],
      [withValue(doc, ["normalizer", "kind"], "robust"), "document.normalizer.kind"],
      [withValue(doc, ["normalizer", "scale", 2], 1e39), "document.normalizer.scale[2]"],
    ];
    for (const [document, argument] of cases) expect((await refusal(document)).argument).toBe(argument);
  });
});
