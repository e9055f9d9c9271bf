// Hostile input through the public API: each block first reproduces an attack that once
// broke the library, then tries the class of inputs it belongs to.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  InternalError,
  NonFiniteError,
  Normalizer,
  StateError,
  adam,
  adamw,
  createBackend,
  createModel,
  datasets,
  gain,
  initializers,
  loadModel,
  oneHot,
  rmsprop,
  saturationBound,
  saveModel,
  sgd,
  type Backend,
  type Initializer,
} from "../src/index.js";
import type { WasmBackend } from "../src/backend/wasm.js";
import { CheckedBackend } from "../src/backend/checked.js";
import { groupsOf } from "../src/diagnostics.js";
import { meanStd } from "./helpers.js";
import type { DenseLayer } from "../src/layers.js";

const x4 = [
  [0.1, 0.2],
  [0.3, -0.4],
  [-0.5, 0.6],
  [0.7, 0.8],
];

describe("targets outside the loss's domain are refused", () => {
  it("binary cross-entropy with a target of 5 (reported loss -3.80, accuracy 1) is refused by name", async () => {
    const m = await createModel({
      inputs: 2,
      seed: 1,
      loss: "binaryCrossEntropy",
      layers: [{ units: 3 }, { units: 1 }],
    });
    expect(() => m.evaluate(x4, [[0], [1], [5], [1]])).toThrow(
      /y\[2\]\[0\]: expected a probability in \[0, 1\] for binaryCrossEntropy, got 5/,
    );
  });

  it("softmax cross-entropy with a row [5, -3] is refused; non-negative soft labels are allowed", async () => {
    const m = await createModel({
      inputs: 2,
      seed: 1,
      loss: "softmaxCrossEntropy",
      layers: [{ units: 3 }, { units: 2 }],
    });
    expect(() =>
      m.evaluate(x4, [
        [1, 0],
        [5, -3],
        [0, 1],
        [1, 0],
      ]),
    ).toThrow(/y\[1\]\[1\]: expected a non-negative class weight/);
    expect(
      m.evaluate(x4, [
        [0.3, 0.7],
        [0.5, 0.5],
        [2, 0],
        [0, 1],
      ]).loss,
    ).toBeGreaterThan(0);
  });

  it("every entry point refuses such targets, before anything changes; mean squared error takes any value", async () => {
    const bce = await createModel({
      inputs: 2,
      seed: 2,
      loss: "binaryCrossEntropy",
      layers: [{ units: 3 }, { units: 1 }],
    });
    const sce = await createModel({
      inputs: 2,
      seed: 2,
      loss: { name: "softmaxCrossEntropy", fromLogits: true },
      layers: [{ units: 3 }, { units: 2 }],
    });
    const bad = {
      bce: [[0], [1], [-0.01], [1]],
      bceHigh: [[0], [1.0001], [0], [1]],
      sce: [
        [1, 0],
        [0, -1e-30],
        [0, 1],
        [1, 0],
      ],
    };
    const cases: [typeof bce, number[][]][] = [
      [bce, bad.bce],
      [bce, bad.bceHigh],
      [sce, bad.sce],
    ];
    for (const [m, y] of cases) {
      const before = JSON.stringify(saveModel(m, { optimizer: true }));
      expect(() => m.trainOnBatch(x4, y)).toThrow(ArgumentError);
      expect(() => m.gradients(x4, y)).toThrow(ArgumentError);
      expect(() => m.evaluate(x4, y)).toThrow(ArgumentError);
      expect(() => m.diagnose(x4, y, { console: false })).toThrow(ArgumentError);
      await expect(m.fit(x4, y, { epochs: 1 })).rejects.toThrow(ArgumentError);
      await expect(
        m.fit(x4, m === bce ? [[0], [1], [0], [1]] : [0, 1, 1, 0], { epochs: 1, validationData: [x4, y] }),
      ).rejects.toThrow(/validationData\[1\]/);
      expect(JSON.stringify(saveModel(m, { optimizer: true }))).toBe(before);
    }
    const mse = await createModel({ inputs: 2, seed: 2, layers: [{ units: 3 }, { units: 1 }] });
    expect(Number.isFinite(mse.evaluate(x4, [[5], [-3], [1e6], [0]]).loss)).toBe(true);
  });
});

describe("initializer settings that leave float32 are refused up front", () => {
  it("the reported configs: constant(1e39), uniform(±1e308), orthogonal gain 1e300, varianceScaling scale 1e300", async () => {
    expect(() => initializers.constant(1e39)).toThrow(/value: expected a number within float32's range/);
    expect(() => initializers.uniform({ min: -1e308, max: 1e308 })).toThrow(
      /min: expected a number within float32's range/,
    );
    expect(() => initializers.orthogonal({ gain: 1e300 })).toThrow(/gain: expected a number within float32's range/);
    await expect(
      createModel({ inputs: 3, layers: [{ units: 4, kernelInitializer: { name: "varianceScaling", scale: 1e300 } }] }),
    ).rejects.toThrow(/layers\[0\]\.kernelInitializer: expected an initializer whose values fit in float32/);
    await expect(
      createModel({
        inputs: 3,
        layers: [{ units: 4, kernelInitializer: initializers.normal({ mean: 3e38, std: 1e38 }) }],
      }),
    ).rejects.toThrow(/layers\[0\]\.kernelInitializer/);
    // Bounds that fit but whose width does not: lo + u (hi - lo) would overflow in float32.
    await expect(
      createModel({
        inputs: 3,
        layers: [{ units: 4, biasInitializer: initializers.uniform({ min: -3e38, max: 3e38 }) }],
      }),
    ).rejects.toThrow(/layers\[0\]\.biasInitializer: expected an initializer whose values fit in float32/);
  });

  it("property: every accepted config, however extreme, gives finite weights and a document that loads", async () => {
    const extreme = fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(3.4e38, -3.4e38, 1e39, 1e300, 1e-45, 0, 1));
    const config = fc.oneof(
      fc.record({ name: fc.constant("constant"), value: extreme }),
      fc.record({ name: fc.constant("uniform"), min: extreme, max: extreme }),
      fc.record({ name: fc.constant("normal"), mean: extreme, std: extreme }),
      fc.record({ name: fc.constant("truncatedNormal"), mean: extreme, std: extreme }),
      fc.record({ name: fc.constant("truncatedNormal"), mean: extreme, std: extreme, a: extreme, b: extreme }),
      fc.record({
        name: fc.constant("varianceScaling"),
        scale: extreme,
        distribution: fc.constantFrom("uniform", "normal", "truncatedNormal"),
      }),
      fc.record({ name: fc.constant("orthogonal"), gain: extreme }),
      fc.record({ name: fc.constant("heNormal"), slope: extreme }),
    );
    await fc.assert(
      fc.asyncProperty(config, fc.boolean(), async (c, asBias) => {
        let model;
        try {
          model = await createModel({
            inputs: 3,
            seed: 1,
            backend: "js",
            layers: [asBias ? { units: 5, biasInitializer: c } : { units: 5, kernelInitializer: c }],
          });
        } catch (e) {
          expect(e).toBeInstanceOf(ArgumentError);
          return;
        }
        for (const w of model.getWeights())
          for (const v of [...w.kernel, ...w.bias]) expect(Number.isFinite(v)).toBe(true);
        (await loadModel(saveModel(model), { backend: "js" })).dispose();
        model.dispose();
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});

describe("bias initializers: the fans of a 1-D parameter are its length (Keras)", () => {
  it("orthogonal as a bias initializer is refused with a clear message, with inputs above or below units", async () => {
    for (const inputs of [3, 40]) {
      await expect(createModel({ inputs, layers: [{ units: 8, biasInitializer: "orthogonal" }] })).rejects.toThrow(
        /layers\[0\]\.biasInitializer: expected an initializer for a 1-D parameter \(orthogonal fills matrices only/,
      );
    }
  });

  it("a fan-scaled bias draws with the bias's own fans, whatever the layer's inputs", async () => {
    const units = 4096;
    for (const inputs of [1, 64]) {
      const m = await createModel({
        inputs,
        seed: 3,
        layers: [{ units, biasInitializer: { name: "varianceScaling", scale: 1, distribution: "normal" } }],
      });
      expect(meanStd(m.getWeights()[0]!.bias).std).toBeCloseTo(Math.sqrt(1 / units), 3);
      m.dispose();
    }
  });

  it("an initializer's fill never writes past its destination, on the unchecked backends too", async () => {
    for (const backend of [await createBackend(), await createBackend({ backend: "js" })]) {
      const raw = (backend as CheckedBackend).inner;
      const whole = raw.alloc(48),
        short = raw.slice(whole, 0, 8),
        guard = raw.slice(whole, 8, 40);
      raw.fill(guard, 7);
      const rng = raw.random(1, 0);
      expect(() => initializers.orthogonal().fill(raw, short, 8, 4, rng)).toThrow(ArgumentError);
      expect(() => initializers.orthogonal().fill(raw, short, 4, 8, rng)).toThrow(ArgumentError);
      expect([...raw.read(guard)].every((v) => v === 7)).toBe(true);
    }
  });
});

describe("diagnose groups identical units in linear time", () => {
  it("65,536 identical zero-initialized units are grouped in one pass (33 s before, and fit with diagnostics never ended)", async () => {
    const units = 65536;
    const m = await createModel({
      inputs: 2,
      seed: 1,
      layers: [
        { units, kernelInitializer: "zeros", activation: "tanh" },
        { units: 1, kernelInitializer: "zeros" },
      ],
    });
    const d = m.diagnose([[0.1, 0.2]], [[1]], { console: false });
    expect(d.layers[0]!.identicalUnits).toEqual([Array.from({ length: units }, (_, i) => i)]);
    expect(d.layers[0]!.identicalGradients).toEqual([Array.from({ length: units }, (_, i) => i)]);
    m.dispose();
  }, 20_000);

  it("the grouping compares each unit with one representative per group under its hash: linear, not pairwise", () => {
    for (const n of [1, 2, 17, 4096]) {
      let comparisons = 0;
      const groups = groupsOf(new Uint32Array(n), () => {
        comparisons++;
        return true;
      });
      expect(groups).toEqual(n > 1 ? [Array.from({ length: n }, (_, i) => i)] : []);
      expect(comparisons).toBe(n - 1);
    }
    // Units alike in pairs under one colliding hash: n/2 groups, each unit tried against the groups before it.
    let comparisons = 0;
    const groups = groupsOf(new Uint32Array(8), (i, j) => {
      comparisons++;
      return i % 4 === j % 4;
    });
    expect(groups).toEqual([
      [0, 4],
      [1, 5],
      [2, 6],
      [3, 7],
    ]);
    expect(comparisons).toBe(0 + 1 + 2 + 3 + 1 + 2 + 3 + 4);
  });

  it("distinct groups under one hash stay apart, in order of their first unit", async () => {
    const m = await createModel({ inputs: 2, seed: 1, layers: [{ units: 6 }, { units: 1 }] });
    const w = m.getWeights();
    const k = w[0]!.kernel; // columns 0, 2, 4 alike; 1 and 5 alike; 3 alone
    for (const [from, to] of [
      [0, 2],
      [0, 4],
      [1, 5],
    ] as const)
      for (let r = 0; r < 2; r++) k[r * 6 + to] = k[r * 6 + from]!;
    w[0]!.bias.fill(0);
    m.setWeights(w);
    expect(m.diagnose(x4, undefined, { console: false }).layers[0]!.identicalUnits).toEqual([
      [0, 2, 4],
      [1, 5],
    ]);
  });
});

describe("cores: options, disposal, memory", () => {
  it("misspelt backend options and a wrong wasm source are ArgumentErrors", async () => {
    await expect(createBackend({ backnd: "js" } as never)).rejects.toThrow(
      /options\.backnd: expected one of the options backend, wasm/,
    );
    await expect(createBackend({ wasm: 42 } as never)).rejects.toThrow(ArgumentError);
    await expect(createBackend({ wasm: 42 } as never)).rejects.toThrow(
      /wasm: expected bytes, a WebAssembly.Module, a Response or a URL/,
    );
    await expect(createBackend({ wasm: new Uint8Array([0, 97, 115, 109]) })).rejects.toThrow(
      /wasm: expected a source of the simdnet wasm core \(could not instantiate/,
    );
    await expect(createBackend({ wasm: "/no/such/simdnet.wasm" })).rejects.toThrow(ArgumentError);
    await expect(createBackend(null as never)).rejects.toThrow(ArgumentError);
  });

  it("use after backend.dispose() is a StateError; disposing a model afterwards is harmless", async () => {
    const backend = await createBackend({ backend: "wasm" });
    const model = await createModel({ inputs: 2, layers: [{ units: 3 }, { units: 1 }], backend });
    const t = backend.alloc(4);
    backend.dispose();
    expect(() => backend.fill(t, 1)).toThrow(StateError);
    expect(() => backend.alloc(4)).toThrow(StateError);
    expect(() => model.predict(x4)).toThrow(StateError);
    expect(() => model.dispose()).not.toThrow();
    expect(() => backend.free(t)).not.toThrow();
  });

  it("oneHot past what can be allocated is an ArgumentError, not a RangeError from the engine", () => {
    expect(() => oneHot(new Int32Array(100000), 2 ** 20)).toThrow(ArgumentError);
    expect(() => oneHot(new Int32Array(100000), 2 ** 20)).toThrow(/labels: expected at most 2\^28 values/);
  });

  describe("a core filled almost to its 4 GiB limit", () => {
    // Reserving address space costs no RSS: wasm memory is zero pages until touched.
    const fillCore = async (): Promise<{ backend: Backend; hog: ReturnType<Backend["alloc"]> }> => {
      const backend = (await createBackend({ backend: "wasm" })) as CheckedBackend;
      const hog = backend.alloc((2 ** 32 - 2 ** 20 * 24) / 4);
      return { backend, hog };
    };

    it("out of memory says how much is in use, that models hold memory until dispose(), and how many are alive", async () => {
      const { backend } = await fillCore();
      const small = await createModel({ inputs: 2, layers: [{ units: 3 }, { units: 1 }], backend });
      const error = await createModel({ inputs: 1000, layers: [{ units: 4000 }, { units: 1 }], backend }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InternalError);
      expect((error as Error).message).toMatch(
        /MiB in use of .* reserved \(the core's limit is 4 GiB\); 1 model alive on this core/,
      );
      expect((error as Error).message).toMatch(/until model\.dispose\(\)/);
      small.dispose();
      expect(((backend as CheckedBackend).inner as WasmBackend).models).toBe(0);
      backend.dispose();
    });

    it("a fit refused for memory leaves the normalizer unfitted (and the weights as they were)", async () => {
      const { backend, hog } = await fillCore();
      const model = await createModel({
        inputs: 64,
        seed: 1,
        normalize: "standardize",
        layers: [{ units: 4 }, { units: 1 }],
        backend,
      });
      const before = JSON.stringify(saveModel(model));
      const rows = 200_000; // 51 MB of inputs resident in the core: more than is left
      const x = { data: new Float32Array(rows * 64).fill(1), shape: [rows, 64] as [number, number] };
      await expect(model.fit(x, new Float32Array(rows), { epochs: 1 })).rejects.toThrow(InternalError);
      expect(model.normalizer).toBeNull();
      expect(JSON.stringify(saveModel(model))).toBe(before);
      backend.free(hog);
      await model.fit(x, new Float32Array(rows), { epochs: 1, batchSize: 4096 });
      expect(model.normalizer).not.toBeNull();
      backend.dispose();
    });
  });
});

describe("non-finite values from the input normalization are named as such", () => {
  it("predict and fit name the input normalization, not layer 1's pre-activation", async () => {
    const m = await createModel({ inputs: 1, seed: 1, normalize: "minMax", layers: [{ units: 2 }, { units: 1 }] });
    await m.fit([[0], [1e-30]], [[0], [1]], { epochs: 1 });
    const error = (() => {
      try {
        m.predict([[1e10]]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as NonFiniteError).stage).toBe("input normalization");
    expect((error as Error).message).toMatch(
      /non-finite input normalization in the inputs after the minMax normalizer/,
    );
    await expect(m.fit([[1e10], [0]], [[0], [1]], { epochs: 1 })).rejects.toMatchObject({
      stage: "input normalization",
    });
  });
});

// A custom initializer is held to the same float32 rule through its moments.
it("a custom initializer whose moments leave float32 is refused by the layer", async () => {
  const wild: Initializer = {
    name: "wild",
    config: { name: "wild" },
    moments: () => ({ mean: 0, std: 1e38, min: -Infinity, max: Infinity }),
    fill(b, out, _i, _o, rng) {
      b.fillNormal(rng, out, 0, 1e38);
    },
  };
  await expect(createModel({ inputs: 2, layers: [{ units: 3, kernelInitializer: wild }] })).rejects.toThrow(
    /layers\[0\]\.kernelInitializer/,
  );
});

describe("public properties are frozen views, not live internals", () => {
  it("model.inputs = 4000 and model.layers[0].units = 64 are refused and another model's weights stay as they were", async () => {
    const a = await createModel({ inputs: 2, seed: 1, layers: [{ units: 3 }, { units: 1 }] });
    const b = await createModel({ inputs: 2, seed: 2, layers: [{ units: 3 }, { units: 1 }] });
    const weightsOfB = JSON.stringify(b.getWeights().map((w) => [...w.kernel, ...w.bias]));
    expect(() => {
      (a as { inputs: number }).inputs = 4000;
    }).toThrow(TypeError);
    expect(() => {
      (a.layers[0] as { units: number }).units = 64;
    }).toThrow(TypeError);
    expect(() => {
      (a.layers as unknown as unknown[]).push({});
    }).toThrow(TypeError);
    expect(Reflect.set(a, "inputs", 4000)).toBe(false); // sloppy-mode code: ignored, not applied
    expect(a.inputs).toBe(2);
    expect(a.layers[0]!.units).toBe(3);
    expect(a.predict(x4).shape).toEqual([4, 1]);
    expect(JSON.stringify(b.getWeights().map((w) => [...w.kernel, ...w.bias]))).toBe(weightsOfB);
  });

  it("the optimizer, loss, metrics, initializer configs and epochs cannot be changed from outside", async () => {
    const m = await createModel({
      inputs: 2,
      seed: 1,
      optimizer: "sgd",
      layers: [{ units: 3, kernelInitializer: { name: "normal", std: 0.1 } }, { units: 1 }],
    });
    expect(() => {
      (m.optimizer as { learningRate: number }).learningRate = -1;
    }).toThrow(TypeError);
    expect(() => {
      (m.optimizer.schedule as { name: string }).name = "cosine";
    }).toThrow(TypeError);
    expect(() => {
      (m.loss as { name: string }).name = "binaryCrossEntropy";
    }).toThrow(TypeError);
    expect(() => {
      (m.metrics as string[]).push("accuracy");
    }).toThrow(TypeError);
    expect(() => {
      ((m.layers[0] as DenseLayer).kernelInitializer.config as unknown as { std: number }).std = 1e30;
    }).toThrow(TypeError);
    expect(() => {
      (m as { epochs: number }).epochs = -1;
    }).toThrow(TypeError);
    expect(() => {
      (m as { seed: number }).seed = 5;
    }).toThrow(TypeError);
    expect(m.optimizer.learningRate).toBe(0.01);
    await m.fit(x4, [[0], [1], [1], [0]], { epochs: 2 });
    expect(m.epochs).toBe(2);
    (await loadModel(saveModel(m))).dispose(); // its own document still loads
  });

  it("model.backend checks every call's arguments, like createBackend()", async () => {
    const m = await createModel({ inputs: 2, seed: 1, layers: [{ units: 3 }, { units: 1 }] });
    const t = m.backend.alloc(4);
    expect(() => m.backend.sgemm(false, false, 64, 64, 64, 1, t, t, 0, t)).toThrow(ArgumentError);
    expect(() => m.backend.write(t, new Float32Array(1000))).toThrow(ArgumentError);
    m.backend.free(t);
    expect(m.backend.name).toBe("wasm");
  });
});

describe("every public function refuses garbage with an ArgumentError, never a raw TypeError", () => {
  const garbage: unknown[] = [
    undefined,
    null,
    0,
    -1,
    NaN,
    Infinity,
    1e308,
    "x",
    "__proto__",
    true,
    {},
    [],
    [[]],
    { samples: -5 },
    { samples: 1e12 },
    { seed: -1 },
    { sampels: 10 },
    { stdev: 1 },
    () => 1,
    Symbol("s"),
    10n,
    new Float32Array(3),
  ];
  const functions: [string, (...a: unknown[]) => unknown][] = [
    ...Object.entries(datasets)
      .filter(([, f]) => typeof f === "function")
      .map(([k, f]) => [`datasets.${k}`, f] as [string, (...a: unknown[]) => unknown]),
    ...[
      "constant",
      "smallPositive",
      "uniform",
      "normal",
      "truncatedNormal",
      "varianceScaling",
      "heUniform",
      "heNormal",
      "orthogonal",
      "fromConfig",
    ].map(
      (k) =>
        [`initializers.${k}`, (initializers as unknown as Record<string, (...a: unknown[]) => unknown>)[k]!] as [
          string,
          (...a: unknown[]) => unknown,
        ],
    ),
    ["sgd", sgd as never],
    ["adam", adam as never],
    ["adamw", adamw as never],
    ["rmsprop", rmsprop as never],
    ["gain", gain as never],
    ["oneHot", oneHot as never],
    ["saturationBound", saturationBound as never],
    ["Normalizer.fit", ((a: never, b: never) => Normalizer.fit(a, b)) as never],
  ];
  for (const [name, f] of functions) {
    it(name, () => {
      for (const a of garbage)
        for (const args of [[a], [a, a], ["relu", a]]) {
          try {
            f(...args);
          } catch (e) {
            expect(e, `${name}(${args.map(String).join(", ")})`).toBeInstanceOf(ArgumentError);
          }
        }
    });
  }

  it("a misspelt option of a dataset or an initializer is refused, as everywhere else", () => {
    expect(() => datasets.twoMoons({ sampels: 10 } as never)).toThrow(
      /twoMoons\.sampels: expected one of the options samples, noise, seed/,
    );
    expect(() => initializers.normal({ stdev: 1 } as never)).toThrow(
      /normal\.stdev: expected one of the options mean, std/,
    );
    expect(() => datasets.circles(null as never)).toThrow(ArgumentError);
  });

  it("model.normalizer is a copy: changing it changes no prediction", async () => {
    const m = await createModel({ inputs: 2, seed: 1, normalize: "standardize", layers: [{ units: 3 }, { units: 1 }] });
    await m.fit(x4, [[0], [1], [1], [0]], { epochs: 1 });
    const before = m.predict(x4).data;
    m.normalizer!.shift[0] = 1e30;
    m.normalizer!.scale.fill(0);
    expect(m.predict(x4).data).toEqual(before);
  });
});
