// Inference contenders: one call predicts `rows` rows of a dense net, result in JS memory.
// simdnet and simdnet-js call model.predictInto (into a caller's array; predict gives the
// same numbers), ONNX Runtime Web runs an .onnx of the net (wasm, one thread), TF.js layers
// runs model.predict on its wasm backend and reads the result back with dataSync, as a user
// who needs the numbers must.
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import * as ort from "onnxruntime-web";
import { packedWeightsLength, type Backend } from "../../src/backend/backend.js";
import { createModel, type Model } from "../../src/index.js";
import { exportOnnx } from "../../src/onnx/index.js";
import { uniformData, type Contender, type Runner } from "../harness.js";

export interface InferenceSpec {
  /** Widths from the input to the output, e.g. [784, 128, 10]. */
  widths: number[];
  hidden: "relu" | "tanh";
  output: "identity" | "tanh";
  rows: number;
  /** rows x widths[0] inputs, row-major. */
  x: Float32Array;
}

/** The simdnet model every contender of a case computes (its weights, seeded). */
export function buildModel(spec: InferenceSpec, backend: Backend | "js"): Promise<Model> {
  const [inputs, ...units] = spec.widths;
  return createModel({
    inputs: inputs!,
    seed: 7,
    backend,
    layers: units.map((u, i) => ({ units: u, activation: i === units.length - 1 ? spec.output : spec.hidden })),
  });
}

export function simdnet(name: "simdnet" | "simdnet-js", backend: Backend | "js", spec: InferenceSpec): Contender {
  return {
    name,
    async prepare(): Promise<Runner> {
      const model = await buildModel(spec, backend);
      const out = new Float32Array(spec.rows * spec.widths.at(-1)!);
      return {
        work: spec.rows,
        run: () => {
          model.predictInto(spec.x, out);
        },
        output: () => model.predictInto(spec.x, out).slice(),
        dispose: () => model.dispose(),
      };
    },
  };
}

/** The .onnx ort-web runs for a model: the model itself, through exportOnnx (Gemm with
 *  PyTorch's weight layout, as torch.onnx.export writes a dense layer). */
export interface OnnxFile {
  bytes: Uint8Array;
  about: string;
}

export function onnxFor(model: Model): OnnxFile {
  return { bytes: exportOnnx(model), about: "exportOnnx(model): the same weights, so its outputs are cross-checked" };
}

/** ort-web on its wasm backend, one thread (set before the first session is made). */
export function initOrt(): { version: string; threads: number } {
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = "error";
  return { version: ort.env.versions.web ?? "unknown", threads: ort.env.wasm.numThreads };
}

export function ortWeb(spec: InferenceSpec, file: OnnxFile): Contender {
  return {
    name: "ort-web",
    async prepare(): Promise<Runner> {
      const session = await ort.InferenceSession.create(file.bytes, {
        executionProviders: ["wasm"],
        graphOptimizationLevel: "all",
      });
      const feeds = { [session.inputNames[0]!]: new ort.Tensor("float32", spec.x, [spec.rows, spec.widths[0]!]) };
      const outputName = session.outputNames[0]!;
      let last: Float32Array | null = null;
      return {
        work: spec.rows,
        async: true,
        run: async () => {
          last = (await session.run(feeds))[outputName]!.data as Float32Array;
        },
        // Its weights are not the model's until the ONNX file is exported from it: no cross-check then.
        output: () => Float32Array.from(last ?? []),
        dispose: () => void session.release(),
      };
    },
  };
}

/** TF.js layers with the weights of `source` (the simdnet model of the case), on the wasm backend. */
export function tfjsWasm(spec: InferenceSpec, source: Model): Contender {
  return {
    name: "tfjs-wasm",
    async enter() {
      if (tf.getBackend() !== "wasm") await tf.setBackend("wasm");
    },
    prepare(): Runner {
      const [inputs, ...units] = spec.widths;
      const model = tfl.sequential();
      units.forEach((u, i) =>
        model.add(
          tfl.layers.dense({
            units: u,
            inputShape: i === 0 ? [inputs!] : undefined,
            activation: i === units.length - 1 ? (spec.output === "identity" ? "linear" : spec.output) : spec.hidden,
          }),
        ),
      );
      model.setWeights(
        source
          .getWeights()
          .flatMap((w, i) => [tf.tensor2d(w.kernel, [spec.widths[i]!, spec.widths[i + 1]!]), tf.tensor1d(w.bias)]),
      );
      const x = tf.tensor2d(spec.x, [spec.rows, inputs!]);
      const predict = (): Float32Array => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
      return {
        work: spec.rows,
        run: () => {
          predict();
        },
        output: () => Float32Array.from(predict()),
        dispose: () => {
          x.dispose();
          model.dispose();
        },
      };
    },
  };
}

/**
 * One dense layer (x W + bias, rows x k times k x n) by each inference kernel of the wasm
 * core: "matvec" (W read where it lies) or "sgemm-packed" (W packed once, then sgemmPacked
 * and addBias). Where the second overtakes the first is Network's MATVEC_ROWS.
 */
export function layerKernel(
  name: "matvec" | "sgemm-packed",
  core: Backend,
  rows: number,
  k: number,
  n: number,
): Contender {
  return {
    name,
    prepare(): Runner {
      const x = core.alloc(rows * k),
        w = core.alloc(k * n),
        bias = core.alloc(n),
        y = core.alloc(rows * n);
      const packed = core.alloc(packedWeightsLength(k, n));
      core.write(x, uniformData(rows * k, -1, 1, 1));
      core.write(w, uniformData(k * n, -0.1, 0.1, 2));
      core.write(bias, uniformData(n, -0.1, 0.1, 3));
      core.packWeights(w, k, n, packed);
      const run =
        name === "matvec"
          ? () => core.matvec(rows, n, k, x, w, bias, y)
          : () => {
              core.sgemmPacked(rows, n, k, x, packed, y);
              core.addBias(y, bias, rows, n);
            };
      return {
        work: rows,
        run,
        output: () => {
          run();
          return core.read(y);
        },
        dispose: () => {
          for (const t of [x, w, bias, y, packed]) core.free(t);
        },
      };
    },
  };
}
