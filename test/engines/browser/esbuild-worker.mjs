// A module Web Worker bundled by esbuild.
import * as simdnet from "simdnet";
import wasm from "simdnet/simdnet.wasm";
import { runSmoke } from "../smoke.mjs";
import { postFromWorker } from "./publish.mjs";

postFromWorker(runSmoke(simdnet, { wasm }));
