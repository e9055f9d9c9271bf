// Vite bundles the worker from the new Worker(new URL(...)) pattern.
import { publishFromWorker } from "../publish.mjs";

publishFromWorker(new Worker(new URL("./worker.mjs", import.meta.url), { type: "module" }));
