// A module Web Worker bundled by esbuild.
import * as simdnet from "simdnet";
import wasm from "simdnet/simdnet.wasm";
import threadsWasm from "simdnet/simdnet-threads.wasm";
import { runSmoke } from "../smoke.mjs";
import { postFromWorker } from "./publish.mjs";

postFromWorker(runSmoke(simdnet, { wasm, threadsWasm }));
