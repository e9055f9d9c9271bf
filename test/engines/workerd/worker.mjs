// Cloudflare workerd: the bundle imports the core as a wasm module, which workerd hands over
// already compiled (it forbids compiling bytes at run time).
import * as simdnet from "simdnet";
import * as onnx from "simdnet/onnx";
import wasm from "./simdnet.wasm";
import { checkOnnx } from "../onnx-smoke.mjs";
import { runSmoke } from "../smoke.mjs";

export default {
  async fetch() {
    try {
      // no workers here: the threaded runs fall back to this one build
      const result = await runSmoke(simdnet, { wasm, threadsWasm: wasm });
      result.onnx = await checkOnnx(onnx, await simdnet.createBackend({ backend: "wasm", wasm }));
      return Response.json(result);
    } catch (e) {
      return new Response(String(e?.stack ?? e), { status: 500 });
    }
  },
};
