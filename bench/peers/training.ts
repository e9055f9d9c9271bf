// Training contenders: one optimizer step on one batch per call, cycling over the same
// pre-made batches for every library. simdnet and simdnet-js use model.trainOnBatch (which
// validates and copies the batch in, as a user's loop would); TF.js layers uses its own
// trainOnBatch (async: it reads the loss back); brain.js trains one sample at a time (it has
// no batches), so a call there is one pass over `batches` rows.
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { createRequire } from "node:module";
import type { Backend } from "../../src/backend/backend.js";
import { createModel, sgd, type LayerOptions, type Model } from "../../src/index.js";
import type { Contender, Runner } from "../harness.js";
import type { TfBackend } from "./tfjs.js";

export interface TrainSpec {
  /** Widths from the input to the output, e.g. [784, 256, 128, 10]. */
  widths: number[];
  hidden: "relu" | "tanh";
  output: "softmax" | "tanh";
  loss: "softmaxCrossEntropy" | "meanSquaredError";
  batch: number;
  learningRate: number;
  /** A layer after each hidden dense layer: batch normalization (Keras's defaults: momentum
   *  0.99, epsilon 1e-3) or dropout at rate 0.2. */
  extra?: "batchNormalization" | "dropout";
  /** Pre-made batches, row-major: inputs and targets. */
  x: Float32Array[];
  y: Float32Array[];
}

export function simdnet(name: string, backend: Backend | "js", spec: TrainSpec): Contender {
  return {
    name,
    async prepare(): Promise<Runner> {
      const [inputs, ...units] = spec.widths;
      const model: Model = await createModel({
        inputs: inputs!,
        layers: units.flatMap((u, i): LayerOptions[] => {
          const dense: LayerOptions = { units: u, activation: i === units.length - 1 ? spec.output : spec.hidden };
          if (i === units.length - 1 || !spec.extra) return [dense];
          return [
            dense,
            spec.extra === "dropout"
              ? { type: "dropout", rate: 0.2 }
              : { type: "batchNormalization", momentum: 0.99, epsilon: 1e-3 },
          ];
        }),
        loss: spec.loss,
        optimizer: sgd({ learningRate: spec.learningRate }),
        seed: 1,
        backend,
      });
      const xs = spec.x.map((data) => ({ data, shape: [spec.batch, inputs!] as const }));
      const ys = spec.y.map((data) => ({ data, shape: [spec.batch, units[units.length - 1]!] as const }));
      let i = 0;
      return {
        work: spec.batch,
        run: () => {
          model.trainOnBatch(xs[i]!, ys[i]!);
          i = (i + 1) % xs.length;
        },
        dispose: () => model.dispose(),
      };
    },
  };
}

export function tfjs(backend: TfBackend, spec: TrainSpec): Contender {
  return {
    name: `tfjs-${backend}`,
    async enter() {
      if (tf.getBackend() !== backend) await tf.setBackend(backend);
    },
    prepare(): Runner {
      const [inputs, ...units] = spec.widths;
      const model = tfl.sequential();
      units.forEach((u, i) => {
        model.add(
          tfl.layers.dense({
            units: u,
            inputShape: i === 0 ? [inputs!] : undefined,
            activation: i === units.length - 1 ? spec.output : spec.hidden,
            kernelInitializer: spec.hidden === "relu" ? "heNormal" : "glorotUniform",
          }),
        );
        if (i === units.length - 1 || !spec.extra) return;
        model.add(
          spec.extra === "dropout"
            ? tfl.layers.dropout({ rate: 0.2 })
            : tfl.layers.batchNormalization({ momentum: 0.99, epsilon: 1e-3 }),
        );
      });
      model.compile({
        optimizer: tf.train.sgd(spec.learningRate),
        loss: spec.loss === "meanSquaredError" ? "meanSquaredError" : "categoricalCrossentropy",
      });
      const xs = spec.x.map((d) => tf.tensor2d(d, [spec.batch, inputs!]));
      const ys = spec.y.map((d) => tf.tensor2d(d, [spec.batch, units[units.length - 1]!]));
      let i = 0;
      return {
        work: spec.batch,
        async: true,
        run: async () => {
          await model.trainOnBatch(xs[i]!, ys[i]!);
          i = (i + 1) % xs.length;
        },
        dispose: () => {
          tf.dispose([...xs, ...ys]);
          model.dispose();
        },
      };
    },
  };
}

interface BrainNet {
  train(data: unknown, options: Record<string, unknown>): unknown;
  formatData(data: unknown): unknown;
  trainPatterns(data: unknown): void;
}

/** brain.js 1.6.1 NeuralNetwork (its activation applies to every layer, output included). */
export function brain(spec: TrainSpec): Contender {
  return {
    name: "brain.js",
    prepare(): Runner {
      const require = createRequire(import.meta.url);
      const { NeuralNetwork } = require("brain.js") as { NeuralNetwork: new (o: Record<string, unknown>) => BrainNet };
      const [inputs, ...units] = spec.widths;
      const outputs = units[units.length - 1]!;
      const net = new NeuralNetwork({
        hiddenLayers: units.slice(0, -1),
        activation: spec.hidden,
        learningRate: spec.learningRate,
      });
      const samples = spec.x.flatMap((x, b) =>
        Array.from({ length: spec.batch }, (_, r) => ({
          input: Array.from(x.subarray(r * inputs!, (r + 1) * inputs!)),
          output: Array.from(spec.y[b]!.subarray(r * outputs, (r + 1) * outputs)),
        })),
      );
      net.train(samples.slice(0, 1), { iterations: 1, log: false }); // sizes and initializes the net
      const formatted = net.formatData(samples);
      return { work: samples.length, run: () => net.trainPatterns(formatted), dispose: () => {} };
    },
  };
}
