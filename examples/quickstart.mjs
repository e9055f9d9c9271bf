import { adam, createModel, datasets, loadModel, saveModel } from "simdnet";

// Two interleaved half circles; a quarter of the points held out for testing.
const { train, test } = datasets.trainTestSplit(datasets.twoMoons({ samples: 600, noise: 0.1, seed: 1 }), 0.25);

const model = await createModel({
  inputs: 2,
  layers: [
    { units: 16, activation: "relu" }, // He initialization by default
    { units: 16, activation: "tanh" }, // Xavier/Glorot by default
    { units: 1, activation: "sigmoid" },
  ],
  loss: "binaryCrossEntropy", // computed from the logits behind the sigmoid
  optimizer: adam({ learningRate: 0.01 }),
  seed: 42, // same seed, same data: the same weights, bit for bit
});

const history = await model.fit(train.x, train.labels, {
  epochs: 200,
  batchSize: 32,
  validationSplit: 0.1,
  earlyStopping: { patience: 20 }, // restores the best epoch's weights
  onEpochEnd: ({ epoch, loss }) => {
    if (epoch % 50 === 0) console.log(`epoch ${epoch}: loss ${loss.toFixed(4)}`);
  },
});
console.log(`stopped: ${history.stopReason} after ${history.loss.length} epochs`);
console.log("test:", model.evaluate(test.x, test.labels)); // { loss, accuracy }

const text = JSON.stringify(saveModel(model)); // weights as base64 float32: bit-exact
const copy = await loadModel(text);
console.log(
  "same predictions:",
  copy.predict(test.x).data.every((v, i) => v === model.predict(test.x).data[i]),
);
model.dispose();
copy.dispose();
