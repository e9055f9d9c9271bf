// The page that starts the esbuild-bundled Web Worker.
import { publishFromWorker } from "./publish.mjs";

publishFromWorker(new Worker(new URL("./esbuild-worker.js", import.meta.url), { type: "module" }));
