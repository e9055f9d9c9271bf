// The inference kernels (matvec, packWeights + sgemmPacked) against their JS twins, float64
// and the training path; and the model's predict/predictInto against its forward pass.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packedWeightsLength, type Backend } from "../src/backend/backend.js";
import {
  createBackend,
  createModel,
  loadModel,
  saveModel,
  ArgumentError,
  StateError,
  type Model,
} from "../src/index.js";
import { MATVEC_ROWS } from "../src/network.js";
import { js, randomArray, tensor, wasm } from "./helpers.js";
import { around, MATMUL_BLOCKS, MATMUL_SIZES, ROW_SIZES, VECTOR_WIDTH } from "./edge-sizes.js";

const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** x w + bias in float64 and the Higham bound (k + 2) eps sum |terms| on its float32 error. */
function reference(m: number, n: number, k: number, x: Float32Array, w: Float32Array, bias: Float32Array) {
  const value = new Float64Array(m * n),
    tol = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = bias[j]!,
        sa = Math.abs(bias[j]!);
      for (let p = 0; p < k; p++) {
        const t = x[i * k + p]! * w[p * n + j]!;
        s += t;
        sa += Math.abs(t);
      }
      value[i * n + j] = s;
      tol[i * n + j] = (k + 2) * 1.2e-7 * sa + 1e-30;
    }
  return { value, tol };
}

/** The three ways a backend computes x w + bias: sgemm then addBias, matvec, packed sgemm then addBias. */
function threeWays(b: Backend, m: number, n: number, k: number, x: Float32Array, w: Float32Array, bias: Float32Array) {
  const tx = tensor(b, x),
    tw = tensor(b, w),
    tb = tensor(b, bias),
    packed = b.alloc(packedWeightsLength(k, n));
  const y = [b.alloc(m * n), b.alloc(m * n), b.alloc(m * n)];
  b.sgemm(false, false, m, n, k, 1, tx, tw, 0, y[0]!);
  b.addBias(y[0]!, tb, m, n);
  b.matvec(m, n, k, tx, tw, tb, y[1]!);
  b.packWeights(tw, k, n, packed);
  b.sgemmPacked(m, n, k, tx, packed, y[2]!);
  b.addBias(y[2]!, tb, m, n);
  const [sgemm, matvec, packedSgemm] = y.map((t) => b.read(t)) as [Float32Array, Float32Array, Float32Array];
  const layout = b.read(packed);
  for (const t of [tx, tw, tb, packed, ...y]) b.free(t);
  return { sgemm, matvec, packedSgemm, layout };
}

function check(m: number, n: number, k: number, seed: number): void {
  const x = randomArray(m * k, seed),
    w = randomArray(k * n, seed + 1),
    bias = randomArray(n, seed + 2);
  const ref = reference(m, n, k, x, w, bias);
  const onWasm = threeWays(wasm, m, n, k, x, w, bias),
    onJs = threeWays(js, m, n, k, x, w, bias);
  const where = `${m}x${n}x${k}`;
  for (const [name, r] of [
    ["wasm", onWasm],
    ["js", onJs],
  ] as const) {
    // The summation order is sgemm's on each backend: the same bits.
    expect(bits(r.matvec), `${name} matvec ${where}`).toEqual(bits(r.sgemm));
    expect(bits(r.packedSgemm), `${name} sgemmPacked ${where}`).toEqual(bits(r.sgemm));
    for (let i = 0; i < m * n; i++) {
      if (!(Math.abs(r.matvec[i]! - ref.value[i]!) <= ref.tol[i]!))
        expect.fail(`${name} ${where} at ${i}: ${r.matvec[i]} vs ${ref.value[i]}`);
    }
  }
  // Packing only moves floats: the same layout on both backends.
  expect(bits(onWasm.layout), `packWeights layout ${where}`).toEqual(bits(onJs.layout));
}

describe("inference kernels: matvec and packed sgemm", () => {
  const AWKWARD = [1, 3, 5, 17, 33];
  it("awkward sizes: bit for bit sgemm + addBias on each backend, within the float32 bound of float64", () => {
    let seed = 1;
    for (const m of [1, 2, 3, 5])
      for (const n of [...AWKWARD, 8, 31, 32, 65]) for (const k of [...AWKWARD, 0]) check(m, n, k, seed++);
  });

  it("the edge-size grid: rows, columns around the 8-column panels and the vector width, depth around KC", () => {
    let seed = 500;
    for (const m of ROW_SIZES)
      for (const n of around(VECTOR_WIDTH, MATMUL_BLOCKS.NR, 2 * MATMUL_BLOCKS.NR)) check(m, n, 7, seed++);
    for (const k of MATMUL_SIZES.k) check(2, 9, k, seed++);
  });

  it("past the cache blocks: depth > KC (256), columns > NC (1024), rows > MC (64)", () => {
    check(1, 128, 784, 100);
    check(2, 9, 513, 101);
    check(3, 1030, 5, 102);
    check(70, 21, 300, 103);
  });

  it("any shape (property, seeded): matvec and sgemmPacked agree with sgemm bit for bit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 1e6 }),
        (m, n, k, seed) => check(m, n, k, seed),
      ),
      { seed: 18, numRuns: 40 },
    );
  });

  it("NaN and infinities in the inputs propagate as sgemm's do", () => {
    const m = 2,
      n = 9,
      k = 5;
    const x = randomArray(m * k, 7),
      w = randomArray(k * n, 8),
      bias = randomArray(n, 9);
    x[3] = NaN;
    x[k + 1] = Infinity;
    for (const b of [wasm, js]) {
      const r = threeWays(b, m, n, k, x, w, bias);
      expect(bits(r.matvec)).toEqual(bits(r.sgemm));
      expect(bits(r.packedSgemm)).toEqual(bits(r.sgemm));
      expect(Array.from(r.matvec.subarray(0, n)).every(Number.isNaN)).toBe(true);
    }
  });

  it("the checked backend refuses wrong sizes and overlapping outputs with ArgumentError", async () => {
    for (const which of ["wasm", "js"] as const) {
      const b = await createBackend({ backend: which });
      const x = b.alloc(6),
        w = b.alloc(12),
        bias = b.alloc(4),
        y = b.alloc(8),
        packed = b.alloc(packedWeightsLength(3, 4));
      expect(() => b.matvec(2, 4, 3, x, w, bias, b.alloc(7))).toThrow(ArgumentError);
      expect(() => b.matvec(2, 4, 3, x, w, b.alloc(3), y)).toThrow(/bias/);
      expect(() => b.matvec(0, 4, 3, x, w, bias, y)).toThrow(/rows/);
      expect(() => b.matvec(1, 4, 3, x, w, bias, b.slice(w, 0, 4))).toThrow(/overlapping/);
      expect(() => b.packWeights(w, 3, 4, b.alloc(12))).toThrow(/packed/); // 4 columns pad to a panel of 8
      expect(() => b.sgemmPacked(2, 4, 3, x, b.alloc(12), y)).toThrow(/packed/);
      expect(() => b.readInto(y, new Float32Array(9), 2)).toThrow(/out/);
      b.packWeights(w, 3, 4, packed);
      b.sgemmPacked(2, 4, 3, x, packed, y);
      const out = new Float32Array(10).fill(7);
      b.readInto(y, out, 2);
      expect(Array.from(out.subarray(0, 2))).toEqual([7, 7]);
      b.dispose();
    }
  });
});

/** The training forward pass (sgemm, addBias, activation) on x, read back: today's predict. */
function forwardOf(model: Model, x: Float32Array, rows: number): Float32Array {
  const net = model.net,
    batch = net.batch(rows);
  model.upload(batch, { data: x, rows, cols: model.inputs }, null, 0, rows);
  net.forward(batch);
  return model.backend.read(batch.out.a);
}

const layers = [
  { units: 40, activation: "relu" as const },
  { units: 9, activation: "tanh" as const },
  { units: 3, activation: "softmax" as const },
];

describe("predict and predictInto", () => {
  it("give the training forward pass bit for bit, at every row count and on both backends", async () => {
    for (const backend of ["wasm", "js"] as const) {
      const model = await createModel({ inputs: 300, layers, loss: "softmaxCrossEntropy", seed: 5, backend });
      for (const rows of [1, MATVEC_ROWS, MATVEC_ROWS + 1, 16, 67]) {
        const x = randomArray(rows * 300, rows);
        const want = forwardOf(model, x, rows);
        expect(bits(model.predict({ data: x, shape: [rows, 300] }).data), `${backend} predict ${rows}`).toEqual(
          bits(want),
        );
        const out = new Float32Array(rows * 3);
        expect(model.predictInto(x, out)).toBe(out);
        expect(bits(out), `${backend} predictInto ${rows}`).toEqual(bits(want));
      }
      model.dispose();
    }
  });

  it("with a normalizer, predictInto gives predict's bits", async () => {
    const model = await createModel({
      inputs: 4,
      layers: [{ units: 8 }, { units: 1 }],
      normalize: "standardize",
      seed: 2,
    });
    const x = randomArray(64 * 4, 3, -50, 200);
    await model.fit({ data: x, shape: [64, 4] }, randomArray(64, 4), { epochs: 1, batchSize: 16 });
    for (const rows of [1, 5, 64]) {
      const input = x.subarray(0, rows * 4),
        out = new Float32Array(rows);
      expect(bits(model.predictInto(input, out))).toEqual(bits(model.predict({ data: input, shape: [rows, 4] }).data));
    }
    model.dispose();
  });

  // The packed kernels are a cache of the weights: every way the weights change must renew it.
  it("batched predictions follow every change of the weights: updates, fit, setWeights, restoreBest, load", async () => {
    const rows = 20,
      x = randomArray(rows * 6, 1),
      y = randomArray(rows * 2, 2);
    const data = { data: x, shape: [rows, 6] as [number, number] },
      targets = { data: y, shape: [rows, 2] as [number, number] };
    const model = await createModel({
      inputs: 6,
      layers: [{ units: 16, activation: "tanh" }, { units: 9 }, { units: 2 }],
      seed: 9,
    });
    const agrees = (m: Model, what: string) =>
      expect(bits(m.predict(data).data), what).toEqual(bits(forwardOf(m, x, rows)));
    agrees(model, "fresh");
    model.trainOnBatch(data, targets);
    agrees(model, "after trainOnBatch");
    await model.fit(data, targets, { epochs: 2, batchSize: 8 });
    agrees(model, "after fit");
    const before = model.predict(data).data;
    model.setWeights(model.getWeights().map((w) => ({ kernel: w.kernel.map((v) => v * 0.5), bias: w.bias })));
    expect(bits(model.predict(data).data)).not.toEqual(bits(before));
    agrees(model, "after setWeights");
    // Early stopping with restoreBest copies the best epoch's weights back at the end.
    // Validation targets opposite to the training ones: the validation loss worsens, the fit
    // stops, and the weights of an earlier epoch come back.
    const opposite = { data: y.map((v) => -v), shape: targets.shape };
    const history = await model.fit(data, targets, {
      epochs: 6,
      batchSize: 4,
      validationData: [data, opposite],
      earlyStopping: { monitor: "valLoss", patience: 1, restoreBest: true },
    });
    expect(history.bestEpoch).toBeLessThan(history.epochs.length - 1);
    agrees(model, "after restoreBest");
    const loaded = await loadModel(saveModel(model));
    expect(bits(loaded.predict(data).data)).toEqual(bits(model.predict(data).data));
    loaded.dispose();
    model.dispose();
  });

  it("predictInto refuses bad arguments with ArgumentError and a disposed model with StateError", async () => {
    const model = await createModel({ inputs: 3, layers: [{ units: 4 }, { units: 2 }], seed: 1 });
    const good = new Float32Array(6),
      out = new Float32Array(4);
    expect(() => model.predictInto([1, 2, 3] as never, out)).toThrow(
      /input: expected a Float32Array of rows x 3 floats/,
    );
    expect(() => model.predictInto(new Float32Array(4), out)).toThrow(ArgumentError);
    expect(() => model.predictInto(new Float32Array(0), out)).toThrow(ArgumentError);
    expect(() => model.predictInto(good, new Float32Array(3))).toThrow(
      /output: expected a Float32Array of 2 x 2 floats/,
    );
    expect(() => model.predictInto(good, new Float64Array(4) as never)).toThrow(ArgumentError);
    const shared = new Float32Array(8);
    expect(() => model.predictInto(shared.subarray(0, 6), shared.subarray(4, 8))).toThrow(/overlapping/);
    const nan = new Float32Array(6);
    nan[4] = NaN;
    expect(() => model.predictInto(nan, out)).toThrow(/input\[1\]\[1\]: expected a finite float32 number/);
    expect(() => model.predictInto(new Float32Array([0, 0, 0, Infinity, 0, 0]), out)).toThrow(/input\[1\]\[0\]/);
    model.dispose();
    expect(() => model.predictInto(good, out)).toThrow(StateError);
  });
});
