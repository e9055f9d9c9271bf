// Node worker_threads: the package loads and trains inside a worker thread.
import { Worker, isMainThread, parentPort } from "node:worker_threads";

if (isMainThread) {
  const worker = new Worker(new URL(import.meta.url));
  worker.once("message", (result) => console.log(JSON.stringify(result)));
  worker.once("error", (e) => {
    console.error(e);
    process.exitCode = 1;
  });
} else {
  const simdnet = await import("simdnet");
  const { runSmoke } = await import("../smoke.mjs");
  parentPort.postMessage(await runSmoke(simdnet));
}
