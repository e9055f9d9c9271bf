// Classify the rows of a CSV file: read it, train with normalized inputs and early stopping,
// save the model to disk, load it back and predict new rows.
//   node examples/classify-csv.mjs [file.csv]   (default: examples/data/iris.csv; last column is the class)
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adam, createModel, loadModel, saveModel } from "simdnet";

const file = process.argv[2] ?? new URL("./data/iris.csv", import.meta.url);
const [header, ...lines] = (await readFile(file, "utf8")).trim().split(/\r?\n/);
const columns = header.split(",").slice(0, -1);
const rows = lines.map((line) => line.split(","));
const classes = [...new Set(rows.map((r) => r.at(-1)))];
// The file is sorted by class: shuffle it (seeded) so the validation split sees every class.
let state = 7; // a 32-bit linear congruential generator (Numerical Recipes' constants)
const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
for (let i = rows.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [rows[i], rows[j]] = [rows[j], rows[i]];
}
const x = rows.map((r) => r.slice(0, -1).map(Number));
const labels = rows.map((r) => classes.indexOf(r.at(-1)));
const test = Math.floor(rows.length * 0.2); // the last 20% never seen in training

const model = await createModel({
  inputs: columns.length,
  layers: [
    { units: 16, activation: "relu" },
    { units: classes.length, activation: "softmax" },
  ],
  loss: "softmaxCrossEntropy", // labels are class indices: no one-hot needed
  optimizer: adam({ learningRate: 0.01 }),
  normalize: "standardize", // column scales differ (petal width ~1, sepal length ~6)
  seed: 1,
});
const history = await model.fit(x.slice(0, -test), labels.slice(0, -test), {
  epochs: 300,
  batchSize: 16,
  validationSplit: 0.2,
  earlyStopping: { patience: 25 }, // watches valLoss, restores the best epoch's weights
});
const { accuracy } = model.evaluate(x.slice(-test), labels.slice(-test));
console.log(`${classes.length} classes, ${columns.length} columns (${columns.join(", ")}), ${rows.length} rows`);
console.log(
  `stopped (${history.stopReason}) at epoch ${history.loss.length}, best epoch ${history.bestEpoch + 1}; ` +
    `held-out accuracy ${(accuracy * 100).toFixed(1)}% on ${test} rows`,
);

// Save to disk (the normalizer goes with the weights), then load as another program would.
const path = join(await mkdtemp(join(tmpdir(), "simdnet-")), "iris-model.json");
await writeFile(path, JSON.stringify(saveModel(model)));
model.dispose();
const loaded = await loadModel(await readFile(path, "utf8"));

const fresh = [
  [5.0, 3.4, 1.5, 0.2],
  [6.1, 2.8, 4.7, 1.2],
  [7.2, 3.2, 6.0, 1.8],
];
const probabilities = loaded.predict(fresh);
loaded.predictClasses(fresh).forEach((k, i) => {
  const p = probabilities.data[i * classes.length + k];
  console.log(`${fresh[i].join(", ").padEnd(18)} -> ${classes[k]} (${(p * 100).toFixed(0)}%)`);
});
loaded.dispose();
if (!(accuracy >= 0.9)) throw new Error(`held-out accuracy ${accuracy} is below 0.9`);
