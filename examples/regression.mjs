// Regression with a learning-rate schedule: fit a noisy curve with mean squared error, the
// rate warming up and then decaying along a cosine (steps are optimizer steps, not epochs).
//   node examples/regression.mjs
import { adam, createModel, schedules } from "simdnet";

// y = sin(3x) + x/2 + noise on [-2, 2], from a seeded generator.
let state = 3; // a 32-bit linear congruential generator (Numerical Recipes' constants)
const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const curve = (x) => Math.sin(3 * x) + x / 2;
const sample = (n) => Array.from({ length: n }, () => 4 * random() - 2);
const trainX = sample(800),
  testX = sample(200);
const noisy = (xs) => xs.map((x) => [curve(x) + 0.1 * (random() - 0.5)]);

const epochs = 150,
  batchSize = 32,
  stepsPerEpoch = Math.ceil(trainX.length / batchSize);
const model = await createModel({
  inputs: 1,
  layers: [{ units: 32, activation: "tanh" }, { units: 32, activation: "tanh" }, { units: 1 }], // identity output
  loss: "meanSquaredError",
  optimizer: adam({
    learningRate: 0.02,
    schedule: schedules.cosine({ steps: epochs * stepsPerEpoch, warmup: 5 * stepsPerEpoch, min: 1e-4 }),
  }),
  seed: 4,
});
const history = await model.fit(
  trainX.map((x) => [x]),
  noisy(trainX),
  {
    epochs,
    batchSize,
    onEpochEnd: ({ epoch, loss, learningRate }) => {
      if ((epoch + 1) % 30 === 0 || epoch === 0)
        console.log(
          `epoch ${String(epoch + 1).padStart(3)}  loss ${loss.toFixed(5)}  learning rate ${learningRate.toPrecision(3)}`,
        );
    },
  },
);
const { loss } = model.evaluate(
  testX.map((x) => [x]),
  testX.map((x) => [curve(x)]),
);
console.log(`test MSE against the noiseless curve: ${loss.toFixed(5)} after ${history.loss.length} epochs`);
for (const x of [-1.5, 0, 1])
  console.log(`f(${x}) = ${model.predict([[x]]).data[0].toFixed(3)}  (true ${curve(x).toFixed(3)})`);
model.dispose();
if (!(loss < 0.01)) throw new Error(`test MSE ${loss} is not below 0.01`);
