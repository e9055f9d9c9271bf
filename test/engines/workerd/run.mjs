// workerd: bundle the smoke worker with esbuild (the wasm import left for workerd to
// compile at deploy time), serve it with workerd on a free port, fetch the result.
import { spawn } from "node:child_process";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import * as esbuild from "esbuild";

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

export async function runWorkerd(here, out, { timeoutMs = 60_000 } = {}) {
  const dir = join(out, "workerd");
  await mkdir(dir, { recursive: true });
  await esbuild.build({
    entryPoints: [join(here, "workerd/worker.mjs")],
    outfile: join(dir, "worker.js"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["*.wasm"],
    loader: { ".onnx": "binary" },
    logLevel: "warning",
  });
  await copyFile(join(here, "node_modules/simdnet/build/simdnet.wasm"), join(dir, "simdnet.wasm"));
  const port = await freePort();
  const config = (await readFile(join(here, "workerd/config.capnp"), "utf8")).replace("PORT", String(port));
  await writeFile(join(dir, "config.capnp"), config);

  const child = spawn(join(here, "node_modules/.bin/workerd"), ["serve", "config.capnp"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout.on("data", (d) => {
    log += d;
  });
  child.stderr.on("data", (d) => {
    log += d;
  });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}\n${log}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/`);
        const text = await response.text();
        if (!response.ok) throw new Error(`workerd answered ${response.status}: ${text}\n${log}`);
        return JSON.parse(text);
      } catch (e) {
        if (e.cause?.code !== "ECONNREFUSED" || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 100)); // not listening yet
      }
    }
  } finally {
    child.kill("SIGTERM");
  }
}
