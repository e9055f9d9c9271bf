// The browser build's size: a minimal app (create, fit, predict) and the whole API, each
// bundled and minified by esbuild, plus the wasm core; raw and gzip -9 bytes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const APPS = {
  "minimal app":
    'import { createModel, datasets } from "simdnet"; const m = await createModel({ inputs: 2, layers: [{ units: 8 }, { units: 1, activation: "sigmoid" }], loss: "binaryCrossEntropy" }); const d = datasets.xor(); await m.fit(d.x, d.labels, { epochs: 10 }); console.log(m.predict(d.x));',
  "whole API": 'export * from "simdnet";',
  "API + onnx": 'export * from "simdnet"; export { importOnnx, exportOnnx } from "simdnet/onnx";',
  "API + tfjs": 'export * from "simdnet"; export { fromTfjs, toTfjs } from "simdnet/tfjs";',
};

export async function bundleSizes(here) {
  const esbuild = await import("esbuild");
  const sizes = (bytes) => ({ raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  const wasm = sizes(readFileSync(join(here, "node_modules/simdnet/build/simdnet.wasm")));
  const rows = { "wasm core": wasm };
  for (const [name, contents] of Object.entries(APPS)) {
    const { outputFiles } = await esbuild.build({
      stdin: { contents, resolveDir: here, loader: "js" },
      bundle: true,
      minify: true,
      write: false,
      format: "esm",
      platform: "browser",
      logLevel: "warning",
    });
    const js = sizes(outputFiles[0].contents);
    rows[`${name} JS`] = js;
    rows[`${name} JS + wasm`] = { raw: js.raw + wasm.raw, gzip: js.gzip + wasm.gzip };
  }
  return rows;
}
