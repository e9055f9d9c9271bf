// The playground in headless Chromium (Debian's, driven by playwright-core) against the built
// page (npm run web:build), served from a plain static server: it loads; the circles preset
// trains until the test loss falls below a threshold within a time budget; the layer panels
// show numbers; the zero-init preset reports identical units; input events are handled
// within 100 ms while training; it works at a phone's width. Saves screenshots as artifacts.
import { createReadStream, existsSync, mkdirSync, statSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "playwright-core";

const root = fileURLToPath(new URL("../dist/", import.meta.url));
const artifacts = fileURLToPath(new URL("./artifacts/", import.meta.url));
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".svg": "image/svg+xml" };
const LOSS_THRESHOLD = 0.15, BUDGET_MS = 20_000, INPUT_BUDGET_MS = 100;

const server = createServer((req, res) => {
  const file = path.join(root, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
  const target = existsSync(file) && statSync(file).isDirectory() ? path.join(file, "index.html") : file;
  if (!target.startsWith(root) || !existsSync(target)) { res.writeHead(404).end(); return; }
  res.writeHead(200, { "content-type": TYPES[path.extname(target)] ?? "application/octet-stream" });
  createReadStream(target).pipe(res);
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const results: [string, boolean, string][] = [];
const check = (name: string, ok: boolean, detail: string): void => { results.push([name, ok, detail]); console.log(`${ok ? "PASS" : "FAIL"}  ${name}: ${detail}`); };

async function statusNumber(page: Page, key: "testLoss" | "epoch"): Promise<number> {
  return Number(await page.locator("#status").getAttribute(`data-${key === "testLoss" ? "test-loss" : "epoch"}`));
}

try {
  mkdirSync(artifacts, { recursive: true });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(url);
  await page.waitForSelector("#status[data-epoch]", { timeout: 15_000 });
  const core = await page.evaluate(() => document.body.dataset.core);
  check("loads on the wasm core", core === "WebAssembly SIMD", `core: ${core}`);

  // The circles preset trains to a low test loss within the budget.
  await page.selectOption("#preset", "circles");
  await page.waitForFunction(() => document.querySelector("#status")?.getAttribute("data-epoch") === "0");
  const t0 = Date.now();
  await page.click("#run");
  let loss = Infinity;
  while (Date.now() - t0 < BUDGET_MS) {
    await page.waitForTimeout(200);
    loss = await statusNumber(page, "testLoss");
    if (loss < LOSS_THRESHOLD) break;
  }
  check("circles preset trains", loss < LOSS_THRESHOLD, `test loss ${loss.toFixed(4)} after ${((Date.now() - t0) / 1000).toFixed(1)} s, epoch ${await statusNumber(page, "epoch")} (threshold ${LOSS_THRESHOLD}, budget ${BUDGET_MS / 1000} s)`);

  // While training: input events are handled promptly (the worker does the work).
  const latencies = await page.evaluate(async () => {
    const input = document.querySelector<HTMLInputElement>("#seed")!;
    const out: number[] = [];
    for (let i = 0; i < 20; i++) {
      const sent = performance.now();
      const handled = new Promise<number>((resolve) => input.addEventListener("keydown", () => resolve(performance.now()), { once: true }));
      setTimeout(() => input.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowUp" })), 0);
      out.push((await handled) - sent);
      await new Promise((r) => setTimeout(r, 30));
    }
    return out;
  });
  const worst = Math.max(...latencies);
  check("input events while training", worst < INPUT_BUDGET_MS, `worst of 20: ${worst.toFixed(1)} ms (budget ${INPUT_BUDGET_MS} ms)`);
  // A real click too: the pause button answers.
  const clickStart = Date.now();
  await page.click("#run");
  await page.waitForFunction(() => document.querySelector("#run")?.getAttribute("aria-pressed") === "false");
  check("pause answers", Date.now() - clickStart < 1000, `${Date.now() - clickStart} ms`);

  const panels = await page.locator(".panel").count();
  const numbers = await page.locator(".panel dd").allTextContents();
  check("layer panels show numbers", panels === 2 && numbers.length > 0 && numbers.every((t) => /\d/.test(t)), `${panels} panels: ${numbers.slice(0, 5).join(", ")}`);
  await page.screenshot({ path: path.join(artifacts, "playground-circles.png"), fullPage: true });

  // A lesson preset shows its effect: zero init leaves every unit identical.
  await page.selectOption("#preset", "zero-init");
  await page.waitForFunction(() => document.querySelector("#status")?.getAttribute("data-epoch") === "0");
  await page.click("#step");
  await page.waitForFunction(() => document.querySelector("#status")?.getAttribute("data-epoch") === "1");
  const identical = await page.locator(".panel .identical-units").allTextContents();
  const warnings = await page.locator("#warnings p").allTextContents();
  check("zero-init preset reports identical units", identical.length === 2 && identical.every((t) => t === "7") && warnings.some((w) => /identical/.test(w)),
    `identical units per layer: ${identical.join(", ")}; warnings: ${warnings.length}`);

  // Every preset runs.
  const presets = await page.locator("#preset option").evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
  const broken: string[] = [];
  for (const id of presets) {
    await page.selectOption("#preset", id);
    await page.waitForFunction(() => document.querySelector("#status")?.getAttribute("data-epoch") === "0");
    await page.click("#step");
    await page.waitForFunction(() => document.querySelector("#status")?.getAttribute("data-epoch") === "1", undefined, { timeout: 10_000 }).catch(() => broken.push(id));
    if (await page.locator("#warnings p", { hasText: "Training stopped" }).count()) broken.push(id);
  }
  check("every preset runs", broken.length === 0, `${presets.length} presets${broken.length ? `; broken: ${broken.join(", ")}` : ""}`);

  // The URL carries the setup.
  await page.selectOption("#preset", "dead-relu");
  const shared = page.url();
  const other = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await other.goto(shared);
  await other.waitForSelector("#status[data-epoch]");
  const bias = await other.locator("#layer0-bias\\ init").inputValue();
  check("the URL encodes the setup", bias === "negative", `layer 1 bias init from the link: ${bias}`);
  // Narrow (phone) width: no horizontal scrolling.
  const overflow = await other.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check("readable at phone width", overflow <= 0, `horizontal overflow ${overflow} px at 390 px`);
  await other.screenshot({ path: path.join(artifacts, "playground-phone.png"), fullPage: true });

  // Keyboard: Tab reaches the train button and Space starts training.
  await page.selectOption("#preset", "circles");
  await page.waitForFunction(() => document.querySelector("#status")?.getAttribute("data-epoch") === "0");
  await page.focus("#run");
  await page.keyboard.press("Space");
  const trained = await page.waitForFunction(() => Number(document.querySelector("#status")?.getAttribute("data-epoch")) > 5, undefined, { timeout: 10_000 })
    .then(() => true, () => false);
  check("keyboard operable", trained, trained ? "Space on the focused Train button trains" : "Space did not start training");
  // Changing the setup while training restarts it cleanly (the old model is disposed mid-epoch).
  await page.fill("#learningRate", "0.02");
  await page.dispatchEvent("#learningRate", "change");
  const restarted = await page.waitForFunction(() => Number(document.querySelector("#status")?.getAttribute("data-epoch")) > 5, undefined, { timeout: 10_000 })
    .then(() => true, () => false);
  const stopped = await page.locator("#warnings p", { hasText: "Training stopped" }).count();
  check("a change while training restarts it", restarted && stopped === 0, `training ${restarted ? "resumed" : "did not resume"}, ${stopped} error messages`);
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(artifacts, "playground.png"), fullPage: false });
  check("no page errors", errors.length === 0, errors.join(" | ") || "none");
} finally {
  await browser.close();
  server.close();
}
const failed = results.filter(([, ok]) => !ok).length;
console.log(`web: ${results.length - failed} passed, ${failed} failed; screenshots in web/test/artifacts/`);
process.exit(failed ? 1 : 0);
