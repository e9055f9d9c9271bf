// A model trained in PyTorch, run here: import its ONNX file, check the predictions against
// PyTorch's own, train it further on new data, and export it back to ONNX.
//   node examples/onnx-import.mjs
// data/relu-softmax-legacy.onnx is a 4-16-3 ReLU/softmax classifier exported with
// torch.onnx.export; its JSON holds seven inputs and what PyTorch predicted for them.
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportOnnx, importOnnx } from "simdnet/onnx";

const here = new URL("./data/", import.meta.url);
const bytes = await readFile(new URL("relu-softmax-legacy.onnx", here));
const reference = JSON.parse(await readFile(new URL("relu-softmax-legacy.json", here), "utf8"));

// A softmax output implies softmax cross-entropy when it trains further.
const model = await importOnnx(bytes, { loss: "softmaxCrossEntropy" });
console.log(model.summary());

const predicted = model.predict(reference.input);
let worst = 0;
reference.expected.forEach((row, r) =>
  row.forEach((v, j) => {
    worst = Math.max(worst, Math.abs(v - predicted.data[r * 3 + j]));
  }),
);
console.log(
  `\nlargest difference from PyTorch's outputs over ${reference.input.length} rows: ${worst.toExponential(1)}`,
);
if (!(worst < 1e-5)) throw new Error("the imported model does not predict as PyTorch did");

// Fine-tune: the imported model is a full model. Labels here are the classes it already predicts
// for slightly moved inputs, so a few epochs should keep its accuracy high.
const classes = model.predictClasses(reference.input);
const x = Array.from({ length: 70 }, (_, i) => reference.input[i % 7].map((v, j) => v + 0.01 * Math.sin(i + j)));
const labels = Int32Array.from({ length: 70 }, (_, i) => classes[i % 7]);
const history = await model.fit(x, labels, { epochs: 5, batchSize: 10 });
console.log(
  `fine-tuned 5 epochs: loss ${history.loss.at(-1).toFixed(4)}, accuracy ${(history.accuracy.at(-1) * 100).toFixed(0)}%`,
);

// And back out, for ONNX Runtime, PyTorch (onnx2torch) or another simdnet.
const out = join(tmpdir(), "fine-tuned.onnx");
await writeFile(out, exportOnnx(model));
const again = await importOnnx(await readFile(out));
const same = again
  .predict(reference.input)
  .data.every((v, i) => Math.abs(v - model.predict(reference.input).data[i]) < 1e-6);
console.log(`exported to ${out}; re-imported, it predicts the same: ${same}`);
if (!same) throw new Error("the exported model does not predict as the fine-tuned one");
