// Trains and saves a model, bundles worker.mjs with esbuild, serves it with workerd and asks
// it for predictions, which must equal the Node process's own, bit for bit (same core, same
// weights). esbuild and workerd come from test/engines (npm run test:engines installs them);
// on Cloudflare, wrangler does the bundling and serving instead.
//   node examples/workerd/run.mjs
import { spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { adam, createModel, datasets, saveModel } from "simdnet";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "../..");
const engines = join(root, "test/engines");
const workerd = join(engines, "node_modules/.bin/workerd");
if (!existsSync(workerd))
  throw new Error("workerd is not installed: npm run test:engines installs it into test/engines");
const esbuild = createRequire(join(engines, "package.json"))("esbuild");

// 1. A model trained and saved as any Node program would.
const { train, test } = datasets.trainTestSplit(datasets.twoMoons({ samples: 400, noise: 0.1, seed: 5 }), 0.25);
const model = await createModel({
  inputs: 2,
  seed: 6,
  normalize: "standardize",
  loss: "binaryCrossEntropy",
  optimizer: adam({ learningRate: 0.02 }),
  layers: [
    { units: 16, activation: "relu" },
    { units: 16, activation: "tanh" },
    { units: 1, activation: "sigmoid" },
  ],
});
await model.fit(train.x, train.labels, { epochs: 60, batchSize: 32 });
const rows = Array.from({ length: test.x.shape[0] }, (_, i) => Array.from(test.x.data.subarray(2 * i, 2 * i + 2)));

// 2. The worker bundled (the wasm core and the model stay separate modules), served by workerd.
const dir = await mkdtemp(join(tmpdir(), "simdnet-workerd-"));
await writeFile(join(dir, "model.json"), JSON.stringify(saveModel(model)));
await esbuild.build({
  entryPoints: [join(here, "worker.mjs")],
  outfile: join(dir, "worker.js"),
  bundle: true,
  format: "esm",
  platform: "neutral",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["module", "main"],
  external: ["./simdnet.wasm", "./model.json"],
  alias: { simdnet: join(root, "dist/index.js") },
  logLevel: "warning",
});
await copyFile(join(root, "build/simdnet.wasm"), join(dir, "simdnet.wasm"));
const port = await new Promise((resolve) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
await writeFile(
  join(dir, "config.capnp"),
  (await readFile(join(here, "config.capnp"), "utf8")).replace("PORT", String(port)),
);
const child = spawn(workerd, ["serve", "config.capnp"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
let log = "";
child.stdout.on("data", (d) => {
  log += d;
});
child.stderr.on("data", (d) => {
  log += d;
});

const ask = async (body) => {
  for (const deadline = Date.now() + 30_000; ;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: JSON.stringify(body) });
      return { status: response.status, json: await response.json() };
    } catch (e) {
      if (e.cause?.code !== "ECONNREFUSED" || Date.now() > deadline || child.exitCode !== null)
        throw new Error(`${e.message}\n${log}`);
      await new Promise((r) => setTimeout(r, 100)); // not listening yet
    }
  }
};
try {
  // 3. The served predictions against the local ones.
  const { status, json } = await ask({ rows });
  const local = Array.from(model.predict(rows).data);
  const same =
    status === 200 && json.probabilities.length === local.length && json.probabilities.every((p, i) => p === local[i]);
  const accuracy = json.classes.filter((c, i) => c === test.labels[i]).length / rows.length;
  console.log(
    `workerd served ${rows.length} predictions: ${same ? "identical to Node's" : "DIFFERENT from Node's"}; accuracy ${(accuracy * 100).toFixed(1)}%`,
  );
  for (const i of [0, 1, 2])
    console.log(
      `  [${rows[i].map((v) => v.toFixed(2)).join(", ")}] -> class ${json.classes[i]} (p = ${json.probabilities[i].toFixed(3)})`,
    );
  const bad = await ask({
    rows: [
      [1, 2],
      [Number.NaN, 0],
    ],
  }); // NaN becomes null in JSON
  console.log(`bad rows: ${bad.status} ${bad.json.error}`);
  if (!same || accuracy < 0.9 || bad.status !== 400) throw new Error(`workerd check failed\n${log}`);
} finally {
  child.kill("SIGTERM");
  model.dispose();
  await rm(dir, { recursive: true, force: true });
}
