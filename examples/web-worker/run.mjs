// The example's check: builds the page with Vite (as an app using simdnet would), serves it,
// and drives it in headless Chromium (Debian's, by playwright-core): every epoch must reach
// the page before training ends, the net must learn, and Stop must abort a run mid-way.
//   node examples/web-worker/run.mjs
import { createReadStream, existsSync, mkdtempSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "simdnet-web-worker-"));
await build({
  root: here,
  base: "./",
  configFile: false,
  logLevel: "warn",
  build: { outDir: out, emptyOutDir: true },
  resolve: { alias: { simdnet: join(here, "../../dist/index.js") } }, // an app gets it from node_modules
  worker: { format: "es" },
});

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
const server = createServer((req, res) => {
  const path = join(out, decodeURIComponent(new URL(req.url, "http://x").pathname));
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, "index.html") : path;
  if (!file.startsWith(out) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
  createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
let failed = false;
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"}  ${what}`);
  failed ||= !ok;
};
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  // A full run: the page hears every epoch, in order, before "done".
  await page.click("#start");
  await page.waitForFunction(() => globalThis.trainingLog.some((m) => m.type === "done" || m.type === "error"), null, {
    timeout: 60_000,
  });
  const log = await page.evaluate(() => globalThis.trainingLog);
  const epochs = log.filter((m) => m.type === "epoch").map((m) => m.epoch);
  const done = log.at(-1);
  check(
    epochs.length === 80 && epochs.every((e, i) => e === i),
    `${epochs.length} epochs streamed to the page, in order, before the end`,
  );
  check(
    done.type === "done" && done.stopReason === "completed" && done.testAccuracy >= 0.95 && done.core === "wasm",
    `trained in the worker: ${JSON.stringify(done)}`,
  );
  console.log(`      page shows: ${await page.textContent("#status")}`);
  // Stop: the worker aborts at the next batch.
  await page.fill("#epochs", "100000");
  await page.click("#start");
  await page.waitForFunction(() => globalThis.trainingLog.filter((m) => m.type === "epoch").length >= 3);
  await page.click("#stop");
  await page.waitForFunction(() => globalThis.trainingLog.some((m) => m.type === "done"), null, { timeout: 30_000 });
  const stopped = (await page.evaluate(() => globalThis.trainingLog)).at(-1);
  check(
    stopped.stopReason === "aborted" && stopped.epochs < 100000,
    `Stop aborts the run: ${stopped.stopReason} after ${stopped.epochs} epochs`,
  );
  check(errors.length === 0, `no page errors${errors.length ? `: ${errors.join("; ")}` : ""}`);
} finally {
  await browser.close();
  server.close();
  await rm(out, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
