// TensorFlow.js 4.22 peers: the wasm backend ("tfjs-wasm") and the plain-JS cpu backend
// ("tfjs-cpu"), both in this process, switched with tf.setBackend before each sample.
//
// Why no dataSync() in the timed calls: both backends execute kernels synchronously inside
// the op call (the wasm backend calls into its module, the cpu backend loops in JS), so the
// result exists when the op returns. Reading it back would add a copy out of the wasm heap
// that simdnet's timed calls do not pay. Each runner's output() does read back, untimed,
// for the cross-check. tf.tidy around every call disposes the result and any intermediates.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { getThreadsCount, setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import type { Contender, Runner } from "../harness.js";
import type { SgemmInputs } from "../inputs.js";

export type TfBackend = "wasm" | "cpu";

export interface TfjsInfo {
  version: string;
  /** The .wasm file the wasm backend loaded (observed, not inferred). */
  wasmBinary: string;
  threads: number;
  simd: boolean;
}

/**
 * Initializes both backends, single-threaded. In Node tfjs-backend-wasm never picks the
 * threaded binary (its WASM_HAS_MULTITHREAD_SUPPORT flag is false under IS_NODE), but we set
 * the flag and the thread count anyway so a future version cannot switch silently, and we
 * record the file the backend actually reads to print it.
 */
export async function initTfjs(): Promise<TfjsInfo> {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"));
  // The emscripten loader takes a directory prefix ending in '/' in Node.
  setWasmPaths(dir + path.sep);
  setThreadsCount(1);
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);

  const loaded: string[] = [];
  const readFileSync = fs.readFileSync;
  // Observe which binary the emscripten loader reads (it uses fs.readFileSync in Node).
  fs.readFileSync = ((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    if (String(file).endsWith(".wasm")) loaded.push(path.basename(String(file)));
    return (readFileSync as (...a: unknown[]) => unknown)(file, ...rest);
  }) as typeof fs.readFileSync;
  try {
    if (!(await tf.setBackend("wasm"))) throw new Error("tfjs wasm backend failed to initialize");
  } finally {
    fs.readFileSync = readFileSync;
  }
  if (!(await tf.setBackend("cpu"))) throw new Error("tfjs cpu backend failed to initialize");
  // The cpu backend's first tensor prints a banner recommending tfjs-node; make it here, muted.
  const warn = console.warn;
  console.warn = () => {};
  try {
    tf.tensor1d([0]).dispose();
  } finally {
    console.warn = warn;
  }
  return {
    version: tf.version_core,
    wasmBinary: loaded.join(", ") || "unknown (not read through fs.readFileSync)",
    threads: getThreadsCount(),
    simd: (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) as boolean,
  };
}

const contenderName = (backend: TfBackend): string => `tfjs-${backend}`;

/**
 * A tfjs contender: `setup` runs with `backend` active and returns the tensors to keep
 * (disposed at the end) and the op to time; the op's tensors are disposed after each call.
 */
function tfContender(
  backend: TfBackend,
  work: number,
  setup: () => { keep: tf.Tensor[]; op: () => tf.Tensor },
  checked = true,
): Contender {
  return {
    name: contenderName(backend),
    async enter() {
      if (tf.getBackend() !== backend) await tf.setBackend(backend);
    },
    prepare(): Runner {
      const { keep, op } = setup();
      return {
        work,
        run: () =>
          tf.tidy(() => {
            op();
          }),
        output: checked
          ? () => {
              const t = tf.tidy(op);
              const values = Float32Array.from(t.dataSync() as Float32Array);
              t.dispose();
              return values;
            }
          : undefined,
        dispose: () => tf.dispose(keep),
      };
    },
  };
}

/**
 * tfjs matMul. By default B is a new tensor on every call, as in training, where the weights
 * are new tensors after each step: tfjs-wasm's XNNPACK path caches the packed B per tensor,
 * so reusing one B tensor would time a matMul that never packs (the "cachedB" variant, kept
 * as a separate contender for the record). Creating B (a copy into the wasm heap) is timed
 * with it; it measured 1.2 us of 16 us at 64^3 and under 1% from 256^3 up.
 */
export function sgemm(backend: TfBackend, x: SgemmInputs, options: { cachedB?: boolean } = {}): Contender {
  const shapeA: [number, number] = x.transA ? [x.k, x.m] : [x.m, x.k];
  const shapeB: [number, number] = x.transB ? [x.n, x.k] : [x.k, x.n];
  const contender = tfContender(backend, 2 * x.m * x.n * x.k, () => {
    const a = tf.tensor2d(x.a, shapeA);
    if (options.cachedB) {
      const b = tf.tensor2d(x.b, shapeB);
      return { keep: [a, b], op: () => tf.matMul(a, b, x.transA, x.transB) };
    }
    return { keep: [a], op: () => tf.matMul(a, tf.tensor2d(x.b, shapeB), x.transA, x.transB) };
  });
  return options.cachedB ? { ...contender, name: `${contender.name}-cachedB` } : contender;
}

// tfjs-core has no silu, gelu or mish op: those are the compositions a tfjs user would write
// (gelu in the tanh form simdnet uses), so they time several kernels and temporaries.
const GELU_C = Math.sqrt(2 / Math.PI);
const FORWARD: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  sigmoid: (x) => tf.sigmoid(x),
  tanh: (x) => tf.tanh(x),
  relu: (x) => tf.relu(x),
  leakyRelu: (x) => tf.leakyRelu(x, 0.01),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  softplus: (x) => tf.softplus(x),
  silu: (x) => tf.mul(x, tf.sigmoid(x)),
  gelu: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(GELU_C, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))))),
  mish: (x) => tf.mul(x, tf.tanh(tf.softplus(x))),
};
/** Forward activations that are a composition of kernels rather than one kernel. */
export const COMPOSITE_FORWARD = new Set(["silu", "gelu", "mish"]);

export const hasActivation = (name: string): boolean => name in FORWARD;

export function activation(backend: TfBackend, name: string, input: Float32Array): Contender {
  const f = FORWARD[name]!;
  return tfContender(backend, input.length, () => {
    const x = tf.tensor1d(input);
    return { keep: [x], op: () => f(x) };
  });
}

/**
 * The backward pass tfjs itself runs for each activation kernel: the ops of the kernel's
 * gradient function (tfjs-core/src/gradients/<Kernel>_grad.ts, copied here because the
 * tfjs-core package registers no gradients by itself; @tensorflow/tfjs would), fed the
 * tensor tfjs saves in the forward pass (input x or output y, computed untimed) and dy.
 * This times tfjs' backprop step for the activation without the forward pass that tf.grad
 * would add. silu and gelu are no kernels in tfjs, so they get no tfjs grad rows.
 */
const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_SCALEALPHA = 1.7580993408473768599402175208123;
const GRAD: Record<string, { saves: "x" | "y"; grad: (dy: tf.Tensor, saved: tf.Tensor) => tf.Tensor }> = {
  sigmoid: { saves: "y", grad: (dy, y) => tf.mul(dy, tf.mul(y, tf.sub(1, y))) },
  tanh: { saves: "y", grad: (dy, y) => tf.mul(tf.sub(1, tf.square(y)), dy) },
  relu: { saves: "x", grad: (dy, x) => tf.mul(dy, tf.cast(tf.step(x), "float32")) },
  leakyRelu: { saves: "x", grad: (dy, x) => tf.where(tf.greater(x, 0), dy, tf.mul(dy, 0.01)) },
  elu: { saves: "y", grad: (dy, y) => tf.engine().runKernel("EluGrad", { dy, y }) as tf.Tensor },
  selu: {
    saves: "x",
    grad: (dy, x) => tf.where(tf.greater(x, 0), tf.mul(dy, SELU_SCALE), tf.mul(tf.mul(dy, SELU_SCALEALPHA), tf.exp(x))),
  },
  softplus: { saves: "x", grad: (dy, x) => tf.mul(dy, tf.sigmoid(x)) },
};

export const hasActivationGrad = (name: string): boolean => name in GRAD;

export function activationGrad(backend: TfBackend, name: string, z: Float32Array, dy: Float32Array): Contender {
  const g = GRAD[name]!;
  return tfContender(backend, z.length, () => {
    const x = tf.tensor1d(z),
      tdy = tf.tensor1d(dy);
    const saved = g.saves === "x" ? x : FORWARD[name]!(x);
    const keep = saved === x ? [x, tdy] : [x, tdy, saved];
    return { keep, op: () => g.grad(tdy, saved) };
  });
}

export function softmax(backend: TfBackend, input: Float32Array, rows: number, cols: number): Contender {
  return tfContender(backend, input.length, () => {
    const x = tf.tensor2d(input, [rows, cols]);
    return { keep: [x], op: () => tf.softmax(x) };
  });
}

/** Softmax's gradient function (Softmax_grad.ts) from the saved output y, as in tfjs' backward pass. */
export function softmaxGrad(
  backend: TfBackend,
  input: Float32Array,
  dy: Float32Array,
  rows: number,
  cols: number,
): Contender {
  return tfContender(backend, input.length, () => {
    const y = tf.tidy(() => tf.softmax(tf.tensor2d(input, [rows, cols])));
    const tdy = tf.tensor2d(dy, [rows, cols]);
    const op = (): tf.Tensor => {
      const dyTimesY = tf.mul(tdy, y);
      return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [-1], true), y));
    };
    return { keep: [y, tdy], op };
  });
}

/**
 * Weight fills. tfjs-core's random ops (truncatedNormal, randomUniform) draw every sample
 * in scalar JS (seedrandom's alea, Marsaglia polar for normals) on either backend, then
 * create the tensor: the wasm backend copies the values into its heap at creation, the cpu
 * backend keeps the array. So creating the tensor materializes it, and no dataSync() is
 * needed. heNormal/glorotNormal are what tfjs-layers does for them: truncatedNormal with
 * std / .87962566103423978.
 */
export function initFill(backend: TfBackend, make: () => tf.Tensor, samples: number): Contender {
  // Random fills have no reference output to cross-check against.
  return tfContender(backend, samples, () => ({ keep: [], op: make }), false);
}
