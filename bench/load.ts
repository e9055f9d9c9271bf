// Save and load of one wide layer, side by side in one run (`npx tsx bench/load.ts [n]`):
// createModel (which runs the initializer: orthogonal is O(n^3) Gram-Schmidt), saveModel,
// JSON.stringify, and loadModel of the text, which decodes the weights and runs no
// initializer; then loadModel against JSON.parse of the same text. Prints the times and ratios.
import { createWasmBackend } from "../src/backend/wasm.js";
import { createModel, initializers, loadModel, saveModel } from "../src/index.js";

const n = Number(process.argv[2] ?? 2048);
const backend = await createWasmBackend();
const time = async <T>(run: () => T | Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const result = await run();
  return [result, performance.now() - t0];
};

const [model, create] = await time(() =>
  createModel({
    inputs: n,
    seed: 1,
    backend,
    layers: [{ units: n, activation: "tanh", kernelInitializer: initializers.orthogonal() }],
  }),
);
const [text, save] = await time(() => JSON.stringify(saveModel(model)));
const [, parse] = await time(() => JSON.parse(text));
const [loaded, load] = await time(() => loadModel(text, { backend }));
const [a, b] = [loaded, model].map((m) => Buffer.from(m.getWeights()[0]!.kernel.buffer));
const same = Buffer.compare(a!, b!) === 0;
console.log(`${n} x ${n} orthogonal, ${(text.length / 1e6).toFixed(1)} MB of JSON`);
console.log(
  `createModel ${create.toFixed(0)} ms | save + stringify ${save.toFixed(0)} ms | JSON.parse ${parse.toFixed(0)} ms | loadModel ${load.toFixed(0)} ms`,
);
console.log(
  `loadModel / createModel ${(load / create).toFixed(3)}x | loadModel / JSON.parse ${(load / parse).toFixed(2)}x | weights bit-identical: ${same}`,
);
loaded.dispose();
model.dispose();
