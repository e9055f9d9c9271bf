// Lesson 4: exp-based activations cost more than ReLU, measured on this machine's core.
import type { ElementwiseActivation } from "../activations.js";
import { resolveBackend } from "../backend/choose.js";
import { fmt, lesson } from "./lesson.js";

const ACTIVATIONS: ElementwiseActivation[] = ["relu", "leakyRelu", "sigmoid", "tanh", "elu", "softplus"];
const EXP_BASED: ElementwiseActivation[] = ["sigmoid", "tanh", "elu", "softplus"];

export default lesson(
  "cost",
  "exp-based activations cost more than ReLU",
  "Logistic, tanh, ELU and softplus need e^x; ReLU and leaky ReLU are a comparison and a select, so they run several times faster.",
  async ({ backend: choice, onProgress }) => {
    const backend = await resolveBackend(choice, 1); // the cost on one core: threads would hide it
    const n = 1 << 18,
      x = backend.alloc(n),
      y = backend.alloc(n);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = Math.sin(i) * 6;
    backend.write(x, values);
    const now = () => (globalThis.performance ?? Date).now();
    const rate: Record<string, number> = {};
    try {
      // Rounds interleave the activations, so a busy moment of the machine hits all of them.
      const samples: Record<string, number[]> = {};
      for (let round = 0; round < 7; round++) {
        for (const a of ACTIVATIONS) {
          let calls = 0;
          const t0 = now();
          do {
            backend.activation(a, x, y, 0.01);
            calls++;
          } while (now() - t0 < 8);
          (samples[a] ??= []).push((calls * n) / ((now() - t0) / 1000));
        }
        onProgress((round + 1) / 7);
      }
      for (const a of ACTIVATIONS) rate[a] = samples[a]!.sort((p, q) => p - q)[3]!; // the median
    } finally {
      backend.free(x);
      backend.free(y);
    }
    const slowest = Math.min(rate.relu!, rate.leakyRelu!);
    const fastestExp = Math.max(...EXP_BASED.map((a) => rate[a]!));
    const holds = slowest > 1.5 * fastestExp;
    return {
      holds,
      verdict:
        `ReLU ${fmt(rate.relu! / 1e9)} and leaky ReLU ${fmt(rate.leakyRelu! / 1e9)} G values/s vs logistic ${fmt(rate.sigmoid! / 1e9)}, tanh ${fmt(rate.tanh! / 1e9)}: ` +
        `${fmt(slowest / fastestExp)}x faster than the fastest exp-based one (${backend.name} core)`,
      figures: ACTIVATIONS.map((a) => ({ label: `${a}, G values/s`, value: fmt(rate[a]! / 1e9) })),
      charts: [
        {
          name: "throughput",
          title: `Activation throughput on this machine (${backend.name} core, 262,144 values)`,
          kind: "bar",
          x: { field: "activation", title: "activation", type: "nominal" },
          y: { field: "rate", title: "G values per second" },
          data: ACTIVATIONS.map((a) => ({ activation: a, rate: rate[a]! / 1e9 })),
        },
      ],
    };
  },
);
