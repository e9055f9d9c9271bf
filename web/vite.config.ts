// The playground's build: relative paths, so web/dist works from any static host (and from a
// sub-folder), with the wasm core emitted as a file next to the scripts.
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  worker: { format: "es" },
  server: { fs: { allow: [".."] } },
});
