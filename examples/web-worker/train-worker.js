// The worker: trains, posting each epoch's logs to the page; {type: "stop"} aborts the fit at
// the next batch (fit yields to the event loop between batches, so the message gets through).
import { adam, createModel, datasets } from "simdnet";

let controller = null;

self.onmessage = async ({ data }) => {
  if (data.type === "stop") {
    controller?.abort();
    return;
  }
  if (data.type !== "train") return;
  controller = new AbortController();
  try {
    const { train, test } = datasets.trainTestSplit(datasets.twoMoons({ samples: 1000, noise: 0.15, seed: 2 }), 0.2);
    const model = await createModel({
      inputs: 2,
      seed: 3,
      loss: "binaryCrossEntropy",
      optimizer: adam({ learningRate: 0.01 }),
      layers: [
        { units: 24, activation: "relu" },
        { units: 24, activation: "relu" },
        { units: 1, activation: "sigmoid" },
      ],
    });
    const history = await model.fit(train.x, train.labels, {
      epochs: data.epochs,
      batchSize: 32,
      signal: controller.signal,
      onEpochEnd: ({ epoch, loss, accuracy }) => self.postMessage({ type: "epoch", epoch, loss, accuracy }),
    });
    const { accuracy } = model.evaluate(test.x, test.labels);
    self.postMessage({
      type: "done",
      stopReason: history.stopReason,
      epochs: history.loss.length,
      testAccuracy: accuracy,
      core: model.backend.name,
    });
    model.dispose();
  } catch (e) {
    self.postMessage({ type: "error", message: String(e?.message ?? e) });
  }
};
