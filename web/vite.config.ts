// The playground's build: relative paths, so web/dist works from any static host (and from a
// sub-folder), with the wasm core emitted as a file next to the scripts. Dev and preview serve
// the page cross-origin isolated, so it has SharedArrayBuffer and the core trains on every
// core (docs/threads.md says what a static host must send).
import { defineConfig } from "vite";

const isolated = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  worker: { format: "es" },
  server: { fs: { allow: [".."] }, headers: isolated },
  preview: { headers: isolated },
});
