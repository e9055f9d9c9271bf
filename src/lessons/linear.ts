// Lesson 1: without a non-linearity, a deep net is one linear map.
import * as datasets from "../datasets.js";
import { createModel } from "../model.js";
import { sgd } from "../optimizers.js";
import { fmt, lesson, pct } from "./lesson.js";

export default lesson(
  "linear",
  "Without a non-linearity, depth adds nothing",
  "A stack of identity layers computes x·W + b with W the product of its kernels: it cannot fit XOR, a tanh net can.",
  async ({ backend, onProgress }) => {
    const deep = await createModel({
      inputs: 2,
      seed: 1,
      backend,
      loss: "binaryCrossEntropy",
      optimizer: sgd({ learningRate: 0.5, momentum: 0.9 }),
      layers: [
        { units: 8, activation: "identity" },
        { units: 8, activation: "identity" },
        { units: 8, activation: "identity" },
        { units: 1, activation: "identity" },
      ],
    });
    // The product of the kernels and the folded biases, in float64.
    const w = deep.getWeights();
    let map: number[][] = [
      [1, 0],
      [0, 1],
    ];
    let shift = [0, 0];
    for (const { kernel, bias } of w) {
      const units = bias.length;
      map = map.map((row) =>
        Array.from({ length: units }, (_, j) => row.reduce((s, v, k) => s + v * kernel[k * units + j]!, 0)),
      );
      shift = Array.from({ length: units }, (_, j) =>
        shift.reduce((s, v, k) => s + v * kernel[k * units + j]!, bias[j]!),
      );
    }
    const probe = Array.from({ length: 64 }, (_, i) => [Math.sin(i) * 3, Math.cos(i * 1.7) * 3]);
    const out = deep.predict(probe).data;
    let worst = 0,
      scale = 0;
    probe.forEach(([a, b], i) => {
      const linear = a! * map[0]![0]! + b! * map[1]![0]! + shift[0]!;
      worst = Math.max(worst, Math.abs(out[i]! - linear));
      scale = Math.max(scale, Math.abs(linear));
    });
    const relative = worst / scale;
    onProgress(0.2);

    const xor = datasets.xor();
    const curves: Record<string, number | string>[] = [];
    const train = async (name: string, activation: "identity" | "tanh", layers: number) => {
      const m = await createModel({
        inputs: 2,
        seed: 3,
        backend,
        loss: "binaryCrossEntropy",
        optimizer: sgd({ learningRate: 0.5, momentum: 0.9 }),
        layers: [
          ...Array.from({ length: layers }, () => ({ units: 8, activation })),
          { units: 1, activation: "sigmoid" as const },
        ],
      });
      const h = await m.fit(xor.x, xor.labels, { epochs: 400, batchSize: 4 });
      h.loss.forEach((loss, epoch) => {
        if (epoch % 4 === 0) curves.push({ net: name, epoch, loss });
      });
      const { accuracy, loss } = m.evaluate(xor.x, xor.labels);
      m.dispose();
      return [accuracy!, loss] as const;
    };
    const [linearAccuracy, linearLoss] = await train("3 identity layers", "identity", 3);
    onProgress(0.6);
    const [tanhAccuracy, tanhLoss] = await train("1 tanh layer", "tanh", 1);
    deep.dispose();
    const holds = relative < 1e-5 && linearAccuracy <= 0.75 && tanhAccuracy === 1;
    return {
      holds,
      verdict: `identity stack = one linear map to ${fmt(relative)} (relative); on XOR it reaches ${pct(linearAccuracy)}, one tanh layer ${pct(tanhAccuracy)}`,
      figures: [
        { label: "max |f(x) - (xW + b)| / max |xW + b|", value: fmt(relative) },
        { label: "XOR accuracy, 3 identity layers", value: pct(linearAccuracy) },
        { label: "XOR accuracy, 1 tanh layer", value: pct(tanhAccuracy) },
        { label: "final loss, identity layers (ln 2 = 0.693 is chance)", value: fmt(linearLoss) },
        { label: "final loss, tanh layer", value: fmt(tanhLoss) },
      ],
      charts: [
        {
          name: "xor-loss",
          title: "XOR: loss by epoch, linear stack vs one tanh layer",
          kind: "line",
          x: { field: "epoch", title: "epoch" },
          y: { field: "loss", title: "binary cross-entropy", log: true },
          series: "net",
          data: curves,
        },
      ],
    };
  },
);
