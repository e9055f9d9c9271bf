// A Cloudflare Worker (run here by workerd) that serves predictions of a saved model.
// POST {"rows": [[x1, x2], ...]} -> {"classes": [...], "probabilities": [...]}.
// The bundle imports the core as a wasm module, which workerd hands over compiled (Workers
// forbid compiling wasm bytes at run time), and the model as the JSON saveModel wrote.
import { createBackend, loadModel } from "simdnet";
import wasm from "./simdnet.wasm";
import document from "./model.json";

// Loaded once per isolate, on the first request, then reused by every request after.
let model;
const ready = () =>
  (model ??= createBackend({ backend: "wasm", wasm }).then((backend) => loadModel(document, { backend })));

export default {
  async fetch(request) {
    const loaded = await ready();
    if (request.method !== "POST") {
      return Response.json({ usage: 'POST {"rows": [[...], ...]}', inputs: loaded.inputs, summary: loaded.summary() });
    }
    let rows;
    try {
      ({ rows } = await request.json());
      const probabilities = Array.from(loaded.predict(rows).data);
      return Response.json({ classes: Array.from(loaded.predictClasses(rows)), probabilities });
    } catch (e) {
      // Bad rows get the library's ArgumentError message ("x[1][0]: expected a finite ...").
      return Response.json({ error: String(e?.message ?? e) }, { status: 400 });
    }
  },
};
