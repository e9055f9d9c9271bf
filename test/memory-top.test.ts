// Kernels on tensors that end at the last byte of wasm memory (address 2^32). A loop bounded
// by an end address p + 4n sees it wrap to 0 there and does nothing, so these tests place a
// tensor at the very top (the memory in between is reserved by a filler block, never touched)
// and require every kernel to give, bit for bit, what the same call gives at a low address.
import { describe, expect, it } from "vitest";
import { ACTIVATIONS, type ElementwiseActivation } from "../src/activations.js";
import {
  ADAM_BETA1,
  ADAM_BETA2,
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
import { packedWeightsLength, type Backend, type RandomStream, type Tensor } from "../src/backend/backend.js";
import type { CheckedBackend } from "../src/backend/checked.js";
import { WasmBackend, type WasmTensor } from "../src/backend/wasm.js";
import type { CoreExports } from "../src/wasm/load.js";
import { instantiateCore } from "../src/wasm/load.js";
import { createBackend, createModel, NonFiniteError, saveModel, sgd } from "../src/index.js";
import { randomArray } from "./helpers.js";

const TOP = 2 ** 32;
const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/** Where the arena's next allocation lands. Holds while the arena has no free block below
 *  its top, which the tests keep by freeing in the reverse order of allocation. */
function arenaTop(b: WasmBackend): number {
  const probe = b.alloc(1) as WasmTensor;
  b.free(probe);
  return probe.ptr;
}

/** Runs `allocate`, whose one allocation takes `bytes` (a multiple of 16), so that it ends at
 *  2^32: a filler block reserves the memory between the arena's top and it. */
function atTop<T>(b: WasmBackend, bytes: number, allocate: () => T): { value: T; release: () => void } {
  const filler = b.alloc((TOP - arenaTop(b) - bytes) / 4);
  try {
    return { value: allocate(), release: () => b.free(filler) };
  } catch (e) {
    b.free(filler);
    throw e;
  }
}

/** A tensor of n floats whose last byte is the last byte of memory (a window at the end of
 *  a 16-byte-aligned block, so n need not be a multiple of 4). */
function tensorAtTop(b: WasmBackend, n: number): { tensor: Tensor; release: () => void } {
  const floats = align16(4 * n) / 4;
  const { value: block, release } = atTop(b, floats * 4, () => b.alloc(floats));
  const tensor = b.slice(block, floats - n, n) as WasmTensor;
  expect(tensor.ptr + 4 * n).toBe(TOP);
  return {
    tensor,
    release: () => {
      b.free(block);
      release();
    },
  };
}

/** One kernel call: the initial contents of every tensor it reads or writes, and the call,
 *  which returns its scalar result if it has one. `random` cases get a seeded stream. */
interface KernelCase {
  name: string;
  tensors: Float32Array[];
  random?: boolean;
  run(b: Backend, t: Tensor[], rng: RandomStream): number | boolean | Uint32Array | void;
}

/** Everything a call produces, as bits: its scalar result, then every tensor afterwards.
 *  `top` is the index of the tensor placed at the top of memory (tensors.length: the random
 *  stream's state), or -1 for all at low addresses. */
function outcome(b: WasmBackend, c: KernelCase, top: number): number[] {
  const releases: (() => void)[] = [];
  try {
    const tensors = c.tensors.map((data, i) => {
      if (i === top) return null;
      const t = b.alloc(data.length);
      releases.push(() => b.free(t));
      return t;
    });
    let rng: RandomStream | null = null;
    if (c.random && top !== c.tensors.length) {
      const r = b.random(7, 3);
      releases.push(() => b.freeRandom(r));
      rng = r;
    }
    // Left free below the top, for what a backend call allocates itself (columnHashes' output).
    const spare = b.alloc(64);
    try {
      if (top === c.tensors.length) {
        const { value, release } = atTop(b, 64, () => b.random(7, 3));
        releases.push(release, () => b.freeRandom(value));
        expect((value as unknown as { ptr: number }).ptr + 64).toBe(TOP);
        rng = value;
      } else if (top >= 0) {
        const { tensor, release } = tensorAtTop(b, c.tensors[top]!.length);
        releases.push(release);
        tensors[top] = tensor;
      }
    } finally {
      b.free(spare);
    }
    const t = tensors as Tensor[];
    c.tensors.forEach((data, i) => b.write(t[i]!, data));
    const result = c.run(b, t, rng!);
    const scalars = result === undefined ? [] : result instanceof Uint32Array ? [...result] : [Number(result)];
    return [
      ...scalars.flatMap((v) => [...new Uint32Array(Float64Array.of(v).buffer)]),
      ...t.flatMap((tensor) => [...new Uint32Array(b.read(tensor).buffer)]),
    ];
  } finally {
    for (const release of releases.reverse()) release();
  }
}

// ---- the kernel families, on awkward sizes (the old loops failed when n was a multiple of 4 or 8)

const SIZES = [1, 3, 4, 8, 12, 17, 36];
const data = (n: number, seed: number, lo = -4, hi = 4): Float32Array => randomArray(n, seed, lo, hi);
/** Values with NaN and infinities among them, for the non-finite counts. */
const withNonFinite = (n: number, seed: number): Float32Array => {
  const a = data(n, seed);
  for (let i = 0; i < n; i += 3) a[i] = [NaN, Infinity, -Infinity][(i / 3) % 3]!;
  return a;
};

function vectorCases(): KernelCase[] {
  return SIZES.flatMap((n): KernelCase[] => [
    { name: `fill n=${n}`, tensors: [data(n, 1)], run: (b, [x]) => b.fill(x!, 2.5) },
    { name: `scale n=${n}`, tensors: [data(n, 2)], run: (b, [x]) => b.scale(x!, -1.5) },
    { name: `copy n=${n}`, tensors: [data(n, 3), data(n, 4)], run: (b, [src, dst]) => b.copy(src!, dst!) },
    { name: `sumSquares n=${n}`, tensors: [data(n, 5)], run: (b, [x]) => b.sumSquares(x!) },
    { name: `countNonFinite n=${n}`, tensors: [withNonFinite(n, 6)], run: (b, [x]) => b.countNonFinite(x!) },
    { name: `sum n=${n}`, tensors: [data(n, 7)], run: (b, [x]) => b.sum(x!) },
    { name: `countAbsAbove n=${n}`, tensors: [data(n, 8)], run: (b, [x]) => b.countAbsAbove(x!, 1) },
    { name: `countBelow n=${n}`, tensors: [data(n, 9)], run: (b, [x]) => b.countBelow(x!, 0) },
    {
      name: `histogram n=${n}`,
      tensors: [withNonFinite(n, 10), new Float32Array(7)],
      run: (b, [x, out]) => b.histogram(x!, -2, 2, 5, out!),
    },
    {
      name: `sumSquaredDiff n=${n}`,
      tensors: [data(n, 11), data(n, 12)],
      run: (b, [x, y]) => b.sumSquaredDiff(x!, y!),
    },
  ]);
}

function activationCases(): KernelCase[] {
  const names = Object.keys(ACTIVATIONS) as ElementwiseActivation[];
  return names.flatMap((name) =>
    SIZES.flatMap((n): KernelCase[] => [
      {
        name: `${name} forward n=${n}`,
        tensors: [data(n, 20), data(n, 21)],
        run: (b, [x, y]) => b.activation(name, x!, y!, 0.1),
      },
      {
        name: `${name} forward in place n=${n}`,
        tensors: [data(n, 22)],
        run: (b, [x]) => b.activation(name, x!, x!, 0.1),
      },
      {
        name: `${name} backward n=${n}`,
        tensors: [data(n, 23), data(n, 24), data(n, 25)],
        run: (b, [z, dy, dz]) => b.activationGrad(name, z!, dy!, dz!, 0.1),
      },
    ]),
  );
}

// [rows, cols]: one row and one column, vectors and their tails, the narrow and wide softmax paths.
const SHAPES: [number, number][] = [
  [1, 1],
  [3, 5],
  [4, 8],
  [5, 3],
  [2, 12],
  [3, 33],
  [2, 40],
];

function matrixCases(): KernelCase[] {
  // beta 0 writes C without reading it; beta 0.5 reads it first.
  const gemm: KernelCase[] = [
    [1, 1, 1],
    [4, 8, 4],
    [5, 9, 3],
    [9, 17, 6],
  ].flatMap(([m, n, k]) =>
    [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ].flatMap(([ta, tb]) =>
      [0, 0.5].map((beta): KernelCase => ({
        name: `sgemm ${ta ? "T" : "N"}${tb ? "T" : "N"} ${m}x${n}x${k} beta ${beta}`,
        tensors: [data(m! * k!, 30), data(k! * n!, 31), data(m! * n!, 32)],
        run: (b, [a, bb, c]) => b.sgemm(ta!, tb!, m!, n!, k!, 0.75, a!, bb!, beta, c!),
      })),
    ),
  );
  // The inference kernels: matvec (a few rows, weights as they lie), and the packed path.
  const inference: KernelCase[] = [
    [1, 1, 1],
    [2, 8, 4],
    [1, 9, 17],
    [2, 33, 5],
  ].flatMap(([m, n, k]): KernelCase[] => [
    {
      name: `matvec ${m}x${n}x${k}`,
      tensors: [data(m! * k!, 33), data(k! * n!, 34), data(n!, 35), data(m! * n!, 36)],
      run: (b, [x, w, bias, y]) => b.matvec(m!, n!, k!, x!, w!, bias!, y!),
    },
    {
      name: `packWeights + sgemmPacked ${m}x${n}x${k}`,
      tensors: [data(k! * n!, 37), data(packedWeightsLength(k!, n!), 38), data(m! * k!, 39), data(m! * n!, 47)],
      run: (b, [w, packed, a, c]) => {
        b.packWeights(w!, k!, n!, packed!);
        b.sgemmPacked(m!, n!, k!, a!, packed!, c!);
      },
    },
  ]);
  return [
    ...gemm,
    ...inference,
    ...SHAPES.flatMap(([rows, cols]): KernelCase[] => {
      const size = rows * cols;
      const probs = data(size, 40, 0.01, 1);
      return [
        {
          name: `addBias ${rows}x${cols}`,
          tensors: [data(size, 41), data(cols, 42)],
          run: (b, [x, bias]) => b.addBias(x!, bias!, rows, cols),
        },
        {
          name: `batchNorm ${rows}x${cols}`,
          tensors: [
            data(size, 110),
            data(size, 111),
            data(size, 112),
            data(3 * cols, 113),
            data(cols, 114),
            data(cols, 115),
            data(size, 116),
            data(cols, 117),
            data(cols, 118),
          ],
          run: (b, [x, y, xhat, stats, gamma, beta, dy, dGamma, dBeta]) => {
            b.batchNormForward(x!, y!, xhat!, stats!, gamma!, beta!, rows, cols, 1e-3);
            b.batchNormBackward(xhat!, dy!, dy!, b.slice(stats!, 2 * cols, cols), gamma!, dGamma!, dBeta!, rows, cols);
            b.movingAverage(b.slice(stats!, 0, cols), b.slice(stats!, cols, cols), 0.9);
            b.batchNormInference(
              x!,
              y!,
              b.slice(stats!, 0, cols),
              b.slice(stats!, cols, cols),
              gamma!,
              beta!,
              rows,
              cols,
              1e-3,
            );
          },
        },
        {
          name: `layerNorm ${rows}x${cols}`,
          tensors: [
            data(size, 120),
            data(size, 121),
            data(size, 122),
            data(rows, 123),
            data(cols, 124),
            data(cols, 125),
            data(size, 126),
            data(cols, 127),
            data(cols, 128),
          ],
          run: (b, [x, y, xhat, invStd, gamma, beta, dy, dGamma, dBeta]) => {
            b.layerNormForward(x!, y!, xhat!, invStd!, gamma!, beta!, rows, cols, 1e-3);
            b.layerNormBackward(xhat!, dy!, dy!, invStd!, gamma!, dGamma!, dBeta!, rows, cols);
          },
        },
        {
          name: `dropout ${rows}x${cols}`,
          tensors: [data(size, 130), data(size, 131), data(size, 132), data(size, 133)],
          run: (b, [x, mask, y, dy]) => {
            b.dropoutForward(x!, mask!, y!, 0.3, 5, 6);
            b.dropoutBackward(dy!, mask!, dy!);
          },
        },
        {
          name: `sumRows ${rows}x${cols}`,
          tensors: [data(size, 43), data(cols, 44)],
          run: (b, [x, out]) => b.sumRows(x!, out!, rows, cols),
        },
        {
          name: `softmax ${rows}x${cols}`,
          tensors: [data(size, 45), data(size, 46)],
          run: (b, [x, y]) => b.softmax(x!, y!, rows, cols),
        },
        {
          name: `softmaxGrad ${rows}x${cols}`,
          tensors: [probs, data(size, 47), data(size, 48)],
          run: (b, [y, dy, dx]) => b.softmaxGrad(y!, dy!, dx!, rows, cols),
        },
        {
          name: `logSoftmax ${rows}x${cols}`,
          tensors: [data(size, 53), data(size, 54)],
          run: (b, [x, y]) => b.logSoftmax(x!, y!, rows, cols),
        },
        {
          name: `logSoftmaxGrad ${rows}x${cols}`,
          tensors: [data(size, 55, -5, 0), data(size, 56), data(size, 57)],
          run: (b, [y, dy, dx]) => b.logSoftmaxGrad(y!, dy!, dx!, rows, cols),
        },
        {
          name: `transpose ${rows}x${cols}`,
          tensors: [data(size, 49), data(size, 50)],
          run: (b, [src, dst]) => b.transpose(src!, dst!, rows, cols),
        },
        {
          name: `columnMax ${rows}x${cols}`,
          tensors: [withNonFinite(size, 51), data(cols, 52)],
          run: (b, [x, out]) => b.columnMax(x!, rows, cols, out!, true),
        },
        {
          name: `columnHashes ${rows}x${cols}`,
          tensors: [data(size, 53)],
          run: (b, [x]) => b.columnHashes(x!, rows, cols),
        },
        {
          name: `countSameSignColumns ${rows}x${cols}`,
          tensors: [data(size, 54)],
          run: (b, [x]) => b.countSameSignColumns(x!, rows, cols),
        },
        {
          name: `columnSumSquares ${rows}x${cols}`,
          tensors: [data(size, 55), data(cols, 56)],
          run: (b, [x, out]) => b.columnSumSquares(x!, out!, rows, cols),
        },
        {
          name: `gatherRows ${rows}x${cols}`,
          tensors: [data(size, 57), Float32Array.from({ length: rows }, (_, i) => (i * 7) % rows), data(size, 58)],
          run: (b, [src, index, dst]) => b.gatherRows(src!, index!, dst!, rows, cols),
        },
        ...(rows <= cols
          ? [
              {
                name: `orthonormalizeRows ${rows}x${cols}`,
                tensors: [data(size, 59)],
                run: (b: Backend, [x]: Tensor[]) => b.orthonormalizeRows(x!, rows, cols),
              },
            ]
          : []),
        {
          name: `softmaxCrossEntropy ${rows}x${cols}`,
          tensors: [data(size, 60), probs, data(size, 61, 0, 1), data(size, 62)],
          run: (b, [logits, target, p, grad]) => b.softmaxCrossEntropy(logits!, target!, p!, grad!, rows, cols, 0.5),
        },
        {
          name: `categoricalHinge ${rows}x${cols} weighted`,
          tensors: [data(size, 65), data(size, 66, 0, 1), data(size, 67), data(rows, 68, 0, 2)],
          run: (b, [p, target, grad, w]) => b.categoricalHinge(p!, target!, grad!, rows, cols, 0.5, w!),
        },
        {
          name: `softmaxCrossEntropy ${rows}x${cols} weighted`,
          tensors: [data(size, 60), probs, data(size, 61, 0, 1), data(size, 62), data(rows, 69, 0, 2)],
          run: (b, [logits, target, p, grad, w]) =>
            b.softmaxCrossEntropy(logits!, target!, p!, grad!, rows, cols, 0.5, w!),
        },
        {
          name: `meanSquaredError ${rows}x${cols} weighted`,
          tensors: [data(size, 95), data(size, 96), data(size, 97), data(rows, 98, 0, 2)],
          run: (b, [p, target, grad, w]) => b.meanSquaredError(p!, target!, grad!, 0.5, w!),
        },
        {
          name: `countCorrect ${rows}x${cols}`,
          tensors: [data(size, 63), data(size, 64, 0, 1)],
          run: (b, [y, target]) => b.countCorrect(y!, target!, rows, cols, 0.5),
        },
      ];
    }),
  ];
}

function randomCases(): KernelCase[] {
  return SIZES.flatMap((n): KernelCase[] => [
    { name: `fillBits n=${n}`, tensors: [data(n, 70)], random: true, run: (b, [out], rng) => b.fillBits(rng, out!) },
    {
      name: `fillUniform n=${n}`,
      tensors: [data(n, 71)],
      random: true,
      run: (b, [out], rng) => b.fillUniform(rng, out!, -1, 3),
    },
    {
      name: `fillNormal n=${n}`,
      tensors: [data(n, 72)],
      random: true,
      run: (b, [out], rng) => b.fillNormal(rng, out!, 1, 2),
    },
    {
      name: `fillTruncatedNormal (rejection) n=${n}`,
      tensors: [data(n, 73)],
      random: true,
      run: (b, [out], rng) => b.fillTruncatedNormal(rng, out!, 0, 1, -2, 2),
    },
    {
      name: `fillTruncatedNormal (inversion) n=${n}`,
      tensors: [data(n, 74)],
      random: true,
      run: (b, [out], rng) => b.fillTruncatedNormal(rng, out!, 0, 1, 2.5, 3),
    },
  ]);
}

function lossAndOptimizerCases(): KernelCase[] {
  const block = (own: Record<number, number>): Float32Array => {
    const p = new Float32Array(UPDATE_PARAMS);
    p[PARAM_LR] = 0.1;
    p[PARAM_DECAY] = 0.01;
    p[PARAM_GRAD_SCALE] = 0.9;
    for (const [slot, v] of Object.entries(own)) p[Number(slot)] = v;
    return p;
  };
  const sgd = (momentum: number, nesterov: number) => block({ [SGD_MOMENTUM]: momentum, [SGD_NESTEROV]: nesterov });
  const adam = block({
    [ADAM_BETA1]: 0.9,
    [ADAM_BETA2]: 0.999,
    [ADAM_EPS]: 1e-7,
    [ADAM_STEP_SIZE]: 0.1,
    [ADAM_INV_ROOT_BC2]: 3,
  });
  const rmsprop = block({ [RMSPROP_RHO]: 0.9, [RMSPROP_EPS]: 1e-7 });
  const lion = block({ [LION_BETA1]: 0.9, [LION_BETA2]: 0.99 });
  return SIZES.flatMap((n): KernelCase[] => {
    const w = data(n, 80),
      g = data(n, 81),
      s1 = data(n, 82),
      s2 = data(n, 83, 0, 1);
    return [
      {
        name: `meanSquaredError n=${n}`,
        tensors: [w, g, data(n, 84)],
        run: (b, [p, t, grad]) => b.meanSquaredError(p!, t!, grad!, 0.5),
      },
      {
        name: `sigmoidCrossEntropy n=${n}`,
        tensors: [w, s2, data(n, 85)],
        run: (b, [z, t, grad]) => b.sigmoidCrossEntropy(z!, t!, grad!, 0.5),
      },
      {
        name: `binaryCrossEntropy n=${n}`,
        tensors: [data(n, 86, 0, 1), s2, data(n, 87)],
        run: (b, [p, t, grad]) => b.binaryCrossEntropy(p!, t!, grad!, 0.5, 1e-7),
      },
      {
        name: `meanAbsoluteError n=${n}`,
        tensors: [w, g, data(n, 100)],
        run: (b, [p, t, grad]) => b.meanAbsoluteError(p!, t!, grad!, 0.5),
      },
      {
        name: `huber n=${n}`,
        tensors: [w, g, data(n, 101)],
        run: (b, [p, t, grad]) => b.huber(p!, t!, grad!, 0.5, 0.3),
      },
      {
        name: `logCosh n=${n}`,
        tensors: [w, g, data(n, 102)],
        run: (b, [p, t, grad]) => b.logCosh(p!, t!, grad!, 0.5),
      },
      { name: `regularize n=${n}`, tensors: [w, g], run: (b, [wt, gt]) => b.regularize(wt!, gt!, 0.01, 0.02) },
      { name: `sgd n=${n}`, tensors: [w, g], run: (b, [wt, gt]) => b.optimizerStep("sgd", wt!, gt!, [], sgd(0, 0)) },
      {
        name: `sgd nesterov n=${n}`,
        tensors: [w, g, s1],
        run: (b, [wt, gt, v]) => b.optimizerStep("sgd", wt!, gt!, [v!], sgd(0.9, 1)),
      },
      {
        name: `sgd momentum staged n=${n}`,
        tensors: [w, g, s1, data(n, 91), data(n, 92)],
        run: (b, [wt, gt, v, ow, ov]) => b.optimizerStep("sgd", wt!, gt!, [v!], sgd(0.9, 0), { w: ow!, state: [ov!] }),
      },
      {
        name: `adam n=${n}`,
        tensors: [w, g, s1, s2],
        run: (b, [wt, gt, m, v]) => b.optimizerStep("adam", wt!, gt!, [m!, v!], adam),
      },
      {
        name: `adam staged n=${n}`,
        tensors: [w, g, s1, s2, data(n, 88), data(n, 89), data(n, 90)],
        run: (b, [wt, gt, m, v, ow, om, ov]) =>
          b.optimizerStep("adam", wt!, gt!, [m!, v!], adam, { w: ow!, state: [om!, ov!] }),
      },
      {
        name: `rmsprop n=${n}`,
        tensors: [w, g, s2],
        run: (b, [wt, gt, s]) => b.optimizerStep("rmsprop", wt!, gt!, [s!], rmsprop),
      },
      {
        name: `rmsprop staged n=${n}`,
        tensors: [w, g, s2, data(n, 93), data(n, 94)],
        run: (b, [wt, gt, s, ow, os]) => b.optimizerStep("rmsprop", wt!, gt!, [s!], rmsprop, { w: ow!, state: [os!] }),
      },
      {
        name: `lion n=${n}`,
        tensors: [w, g, s1],
        run: (b, [wt, gt, m]) => b.optimizerStep("lion", wt!, gt!, [m!], lion),
      },
      {
        name: `lion staged n=${n}`,
        tensors: [w, g, s1, data(n, 95), data(n, 96)],
        run: (b, [wt, gt, m, ow, om]) => b.optimizerStep("lion", wt!, gt!, [m!], lion, { w: ow!, state: [om!] }),
      },
    ];
  });
}

const FAMILIES: [string, () => KernelCase[]][] = [
  ["vector and reductions", vectorCases],
  ["activations", activationCases],
  ["matrices: sgemm, bias, softmax, initializers, stats, losses by row", matrixCases],
  ["random fills", randomCases],
  ["elementwise losses and optimizers", lossAndOptimizerCases],
];

describe("kernels on tensors that end at the last byte of wasm memory", () => {
  // One core for the whole class, grown to 4 GiB once: the filler blocks are reserved, never touched.
  const rssBefore = process.memoryUsage().rss;
  // The core's exports as the backend calls them, recorded: every kernel must be among them.
  const called = new Set<string>();
  let exported: string[] = [];
  const core = instantiateCore().then((raw) => {
    exported = Object.keys(raw).filter((name) => typeof raw[name as keyof CoreExports] === "function");
    return new WasmBackend(
      new Proxy(raw, {
        get(target, name) {
          called.add(String(name));
          return Reflect.get(target, name);
        },
      }),
    );
  });

  for (const [family, cases] of FAMILIES) {
    it(`${family}: each tensor (and the random stream) at the top gives the bits of the same call low in memory`, async () => {
      const b = await core;
      const mismatches: string[] = [];
      for (const c of cases()) {
        const low = outcome(b, c, -1);
        const places = c.tensors.length + (c.random ? 1 : 0);
        for (let top = 0; top < places; top++) {
          const high = outcome(b, c, top);
          if (high.length !== low.length || high.some((v, i) => v !== low[i])) {
            mismatches.push(`${c.name}, ${top === c.tensors.length ? "stream" : `tensor ${top}`} at the top`);
          }
        }
      }
      expect(mismatches).toEqual([]);
      expect(b.arena.memoryBytes).toBe(TOP);
    });
  }

  it("a thread's scratch region (useScratch) ending at the top gives the bits of the static one", async () => {
    const b = await core;
    const bytes = b.core.scratchBytes();
    const cases = [...matrixCases(), ...randomCases(), ...activationCases()];
    const low = cases.map((c) => outcome(b, c, -1));
    // The region at the top, and 64 MiB freed just below it for the calls' own tensors.
    const room = 64 * 2 ** 20;
    const {
      value: [spacer, region],
      release,
    } = atTop(b, room + bytes, () => [b.alloc(room / 4), b.alloc(bytes / 4) as WasmTensor] as const);
    b.free(spacer);
    expect(region.ptr + bytes).toBe(TOP);
    const staticScratch = b.core.scratchAt();
    b.core.useScratch(region.ptr);
    try {
      const mismatches = cases.filter((c, i) => outcome(b, c, -1).some((v, j) => v !== low[i]![j])).map((c) => c.name);
      expect(mismatches).toEqual([]);
    } finally {
      b.core.useScratch(staticScratch);
      b.free(region);
      release();
    }
  });

  it("the cases above reach every kernel the core exports", async () => {
    await core;
    // the benchmark probe reads no memory
    const untested = exported.filter((name) => !called.has(name) && name !== "probeChains");
    expect(untested).toEqual([]);
  });

  it("the 4 GiB are reserved, not touched: the process grew by far less", async () => {
    expect((await core).arena.memoryBytes).toBe(TOP);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 2 ** 20);
  });
});

describe("the model's overflow guard with its weights at the top of memory", () => {
  it("an overflowing update is refused with a NonFiniteError and leaves the model as it was", async () => {
    // Through the public API: a backend whose memory is filled so that the model's parameter
    // storage (two copies: live, then staged) ends at 2^32, and holes below too small for that
    // storage take everything else the model allocates.
    const backend = await createBackend({ backend: "wasm" });
    const core = (backend as CheckedBackend).inner as WasmBackend;
    const inputs = 999,
      params = inputs + 1; // two copies of 1,000 floats: a whole number of 16-byte units
    const storageBytes = 2 * params * 4;
    const holes: Tensor[] = [],
      pins: Tensor[] = [];
    for (let i = 0; i < 8; i++) {
      holes.push(backend.alloc((storageBytes - 16) / 4));
      pins.push(backend.alloc(1)); // keeps the holes from merging
    }
    const filler = backend.alloc((TOP - arenaTop(core) - storageBytes) / 4);
    for (const hole of holes) backend.free(hole);

    const m = await createModel({
      inputs,
      seed: 1,
      backend,
      optimizer: sgd({ learningRate: 999 }),
      layers: [{ units: 1, kernelInitializer: "zeros" }],
    });
    const staged = (m as unknown as { net: { staged: { params: WasmTensor } } }).net.staged.params;
    expect(staged.ptr + 4 * staged.length).toBe(TOP);

    const before = saveModel(m, { optimizer: true });
    // Zero weights, inputs 1e18 and a target of -1e18: every kernel gradient is 2e36 (finite),
    // and 999 times it overflows float32.
    let error: unknown;
    try {
      m.trainOnBatch([new Array<number>(inputs).fill(1e18)], [[-1e18]]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as NonFiniteError).stage).toBe("update");
    expect(m.steps).toBe(0);
    expect(saveModel(m, { optimizer: true })).toEqual(before);
    expect(m.predict([new Array<number>(inputs).fill(1)]).data.every(Number.isFinite)).toBe(true);

    m.dispose();
    backend.free(filler);
    for (const pin of pins) backend.free(pin);
    backend.dispose();
  });
});
