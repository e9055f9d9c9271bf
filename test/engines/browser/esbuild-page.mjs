// esbuild for the browser: the wasm comes in through the file loader as a URL path.
import * as simdnet from "simdnet";
import * as onnx from "simdnet/onnx";
import wasm from "simdnet/simdnet.wasm";
import threadsWasm from "simdnet/simdnet-threads.wasm";
import { checkOnnx } from "../onnx-smoke.mjs";
import { runSmoke } from "../smoke.mjs";
import { publish } from "./publish.mjs";

publish(
  runSmoke(simdnet, { wasm, threadsWasm }).then(async (result) => ({
    ...result,
    onnx: await checkOnnx(onnx, await simdnet.createBackend({ backend: "wasm", wasm })),
  })),
);
