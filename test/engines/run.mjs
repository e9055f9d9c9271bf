// The engine smoke tests (npm run test:engines): packs simdnet as it would be published,
// installs the tarball here beside the engines (Deno, Bun, workerd from npm; esbuild, Vite,
// playwright-core for Debian's Chromium), runs the smoke test on each engine the way its
// users load the package, and checks every result against expected.json.
//   node test/engines/run.mjs [--update-fixture] [--only NAME,...]
// --update-fixture rewrites expected.json from the Node ESM run (after a deliberate change to
// the numerics); every engine, Node included, is then checked against it.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runHarness } from "./exec.mjs";
import { verify } from "./smoke.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const out = join(here, "out");
const fixturePath = join(here, "expected.json");
const args = process.argv.slice(2);
const update = args.includes("--update-fixture");
const only = args.includes("--only") ? args[args.indexOf("--only") + 1].split(",") : null;
const bin = (name) => join(here, "node_modules/.bin", name);
const npm = (cwd, ...a) => execFileSync("npm", a, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

// The package as published: npm pack of the built tree (dist/ and build/ must be current).
for (const built of ["dist/index.js", "build/simdnet.wasm"]) {
  if (!existsSync(join(root, built))) throw new Error(`${built} is missing: run npm run build first`);
}
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const tarball = join(
  out,
  npm(root, "pack", "--ignore-scripts", "--silent", "--pack-destination", out).trim().split("\n").at(-1),
);
npm(here, "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--silent", tarball);

const node = (file) => () => runHarness(process.execPath, [file], { cwd: here });
const ENGINES = {
  "node esm": node("node/esm.mjs"),
  "node cjs (dynamic import)": node("node/cjs.cjs"),
  "node worker_threads": node("node/worker-threads.mjs"),
  deno: () => runHarness(bin("deno"), ["run", "--allow-read", "--allow-env", "deno/main.mjs"], { cwd: here }),
  bun: () => runHarness(bin("bun"), ["bun/main.mjs"], { cwd: here }),
  workerd: async () => (await import("./workerd/run.mjs")).runWorkerd(here, out),
};
const { PAGES, buildPages, runPages } = await import("./browser/chromium.mjs");
const selected = (name) => !only || only.some((o) => name.startsWith(o));
/** The engines that also import an ONNX file (test/engines/onnx-smoke.mjs). */
const ONNX_ENGINES = ["workerd", "chromium esbuild page"];

const results = {};
for (const [name, run] of Object.entries(ENGINES)) {
  if (!selected(name)) continue;
  const t0 = performance.now();
  results[name] = await run().catch((e) => e);
  console.error(`${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
if (Object.keys(PAGES).some(selected)) {
  const t0 = performance.now();
  try {
    await buildPages(here, out);
    Object.assign(results, await runPages(here));
  } catch (e) {
    for (const name of Object.keys(PAGES)) results[name] = e;
  }
  console.error(
    `chromium (build and ${Object.keys(PAGES).length} pages): ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

if (update) {
  const node = results["node esm"];
  if (!node || node instanceof Error)
    throw new Error(`--update-fixture needs the node esm run: ${node?.message ?? "not selected"}`);
  const fixture = {
    initHash: node.wasm.initHash,
    trainedHash: node.wasm.trainedHash,
    kernelHash: node.kernels.hash,
    computedBy: `node ${process.version}`,
  };
  await writeFile(fixturePath, JSON.stringify(fixture, null, 2) + "\n");
  console.log(`wrote ${fixturePath}`);
}
const expected = JSON.parse(await readFile(fixturePath, "utf8"));

let passed = 0,
  failed = 0;
console.log(`expected: init ${expected.initHash}  trained ${expected.trainedHash}  kernels ${expected.kernelHash}\n`);
console.log(
  `${"engine".padEnd(28)}${"version".padEnd(26)}${"core".padEnd(6)}${"init hash".padEnd(18)}${"trained hash".padEnd(18)}${"kernel hash".padEnd(18)}${"checks".padEnd(8)}acc  js acc  result`,
);
for (const [name, r] of Object.entries(results)) {
  const problems =
    r instanceof Error
      ? [r.message]
      : verify(r, expected, { onnx: ONNX_ENGINES.includes(name), noThreads: name === "workerd" });
  if (problems.length === 0) passed++;
  else failed++;
  const row =
    r instanceof Error
      ? `${name.padEnd(28)}(no result)`
      : `${name.padEnd(28)}${String(r.engine).padEnd(26)}${r.wasm.core.padEnd(6)}${r.wasm.initHash.padEnd(18)}${r.wasm.trainedHash.padEnd(18)}${r.kernels.hash.padEnd(18)}${String(r.kernels.checks).padEnd(8)}${String(r.wasm.accuracy).padEnd(5)}${String(r.js.accuracy).padEnd(8)}`;
  console.log(`${row}${problems.length ? "FAIL" : "ok"}`);
  for (const p of problems) console.log(`    ${p.split("\n").join("\n    ")}`);
}
if (Object.keys(PAGES).some(selected)) {
  const { bundleSizes } = await import("./browser/bundle-size.mjs");
  console.log("\nbrowser build (esbuild --minify), bytes:");
  for (const [name, { raw, gzip }] of Object.entries(await bundleSizes(here))) {
    console.log(`  ${name.padEnd(24)}${String(raw).padStart(8)} raw ${String(gzip).padStart(8)} gzip`);
  }
}
const onnxRuns = Object.entries(results).filter(([, r]) => !(r instanceof Error) && r.onnx);
if (onnxRuns.length) console.log("\nONNX import (PyTorch's 4-16-3 export; error relative to the output's scale):");
for (const [name, { onnx }] of onnxRuns)
  console.log(
    `  ${name.padEnd(26)}core ${onnx.core}  error ${onnx.error.toExponential(1)}  export/import round trip ${onnx.roundTrip}`,
  );
// The pure-JS path is checked for accuracy only (its bits may differ by engine); show them.
const jsHashes = {};
for (const [name, r] of Object.entries(results))
  if (!(r instanceof Error)) (jsHashes[r.js.trainedHash] ??= []).push(name);
console.log("\npure-JS path, weights after 100 steps:");
for (const [hash, names] of Object.entries(jsHashes)) console.log(`  ${hash}  ${names.join(", ")}`);
console.log(`\nengines: ${passed} passed, ${failed} failed`);
// exit, not exitCode: a leftover handle (a child, a socket) must not keep CI waiting.
process.exit(failed === 0 && passed > 0 ? 0 : 1);
