// Cloudflare workerd: the bundle imports the core as a wasm module, which workerd hands over
// already compiled (it forbids compiling bytes at run time).
import * as simdnet from "simdnet";
import wasm from "./simdnet.wasm";
import { runSmoke } from "../smoke.mjs";

export default {
  async fetch() {
    try {
      return Response.json(await runSmoke(simdnet, { wasm }));
    } catch (e) {
      return new Response(String(e?.stack ?? e), { status: 500 });
    }
  },
};
