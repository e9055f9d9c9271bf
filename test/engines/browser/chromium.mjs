// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core): the package
// bundled by esbuild and by Vite (build and dev server), and unbundled from a plain module
// script, each in a page and (bundled) in a Web Worker.
import { copyFile, mkdir } from "node:fs/promises";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "../serve.mjs";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The pages, by engine name: which server (a static one, or Vite's dev server) and the path
 *  under test/engines, the root of both. */
export const PAGES = {
  "chromium plain script": ["static", "/browser/plain.html"],
  "chromium esbuild page": ["static", "/out/esbuild/esbuild.html"],
  "chromium esbuild worker": ["static", "/out/esbuild/esbuild-worker.html"],
  "chromium vite page": ["static", "/out/vite/index.html"],
  "chromium vite worker": ["static", "/out/vite/worker.html"],
  "chromium vite dev server": ["vite", "/browser/vite/index.html"],
};

/** Builds the bundles into out/esbuild and out/vite. */
export async function buildPages(here, out) {
  const esbuild = await import("esbuild");
  const dir = join(out, "esbuild");
  await mkdir(dir, { recursive: true });
  await esbuild.build({
    entryPoints: ["esbuild-page.mjs", "esbuild-worker-page.mjs", "esbuild-worker.mjs"].map((f) =>
      join(here, "browser", f),
    ),
    outdir: dir,
    bundle: true,
    format: "esm",
    platform: "browser",
    minify: true,
    loader: { ".wasm": "file", ".onnx": "binary" },
    assetNames: "[name]-[hash]",
    logLevel: "warning",
  });
  for (const html of ["esbuild.html", "esbuild-worker.html"])
    await copyFile(join(here, "browser", html), join(dir, html));

  const vite = await import("vite");
  await vite.build({
    root: join(here, "browser/vite"),
    base: "./",
    logLevel: "warn",
    configFile: false,
    build: {
      outDir: join(out, "vite"),
      emptyOutDir: true,
      rollupOptions: { input: ["index.html", "worker.html"].map((f) => join(here, "browser/vite", f)) },
    },
    worker: { format: "es" },
  });
}

/** Runs every page in one browser; resolves with { name: result | Error }. */
export async function runPages(here, { timeoutMs = 60_000 } = {}) {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (Debian's), or set CHROMIUM`);
  const { chromium } = await import("playwright-core");
  const server = await serve(here);
  const vite = await (
    await import("vite")
  ).createServer({
    root: here,
    configFile: false,
    logLevel: "error",
    server: {
      host: "127.0.0.1",
      port: 0,
      headers: { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" },
    },
  });
  const results = {};
  let browser;
  try {
    await vite.listen();
    const origins = { static: server.origin, vite: vite.resolvedUrls.local[0].replace(/\/$/, "") };
    // A fresh profile each run: playwright takes it as the persistent context's directory.
    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "simdnet-chromium-")), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
    });
    for (const [name, [origin, path]] of Object.entries(PAGES)) {
      const page = await browser.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      try {
        await page.goto(origins[origin] + path);
        await page.waitForFunction(() => "smokeResult" in globalThis || "smokeError" in globalThis, null, {
          timeout: timeoutMs,
        });
        const { result, error } = await page.evaluate(() => ({
          result: globalThis.smokeResult,
          error: globalThis.smokeError,
        }));
        results[name] = error ? new Error(error) : result;
      } catch (e) {
        results[name] = new Error(`${e.message}${errors.length ? `\npage errors: ${errors.join("\n")}` : ""}`);
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser?.close();
    await vite.close();
    await server.close(); // also after a failed launch, or the open server keeps the run alive
  }
  return results;
}
