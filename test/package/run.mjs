// The packaging test (npm run test:package): packs simdnet as it would be published, installs
// the tarball into an empty folder the way a user's production install does (--omit=dev
// --ignore-scripts), and checks what that user gets: the files, the number of packages, ESM
// and CommonJS imports, the CLI, the types (with a typo caught at compile time), simdnet/charts
// naming its missing peers, and the tarball's size against what docs/guide.md states.
//   node test/package/run.mjs [--with-peers]
// --with-peers also installs vega and vega-lite into the folder and renders a chart.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const withPeers = process.argv.includes("--with-peers");
/** Every package an install of simdnet may bring: itself and the wasm loader. */
const MAX_PACKAGES = 2;
/** The packed tarball must stay below this (bytes): dist/ and the two builds of the wasm core
 *  (one thread, and threads over a shared memory), nothing else. */
const MAX_TARBALL = 280 * 1024;

let failed = 0;
const check = (ok, what, detail = "") => {
  console.log(`${ok ? "ok  " : "FAIL"}  ${what}${detail ? `: ${detail}` : ""}`);
  if (!ok) failed++;
};
const run = (cmd, args, cwd, extra = {}) => spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 180_000, ...extra });
const npm = (cwd, ...args) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

const dir = mkdtempSync(join(tmpdir(), "simdnet-package-"));
try {
  // 1. The tarball, packed as for publishing (prepack builds everything afresh and strips the
  //    clone's prepare script): what it holds and how big it is.
  const output = npm(root, "pack", "--json", "--pack-destination", dir);
  const [packed] = JSON.parse(output.slice(output.search(/^\[$/m))); // after the build's own output
  const files = packed.files.map((f) => f.path);
  const tarball = join(dir, packed.filename);
  for (const needed of [
    "package.json",
    "README.md",
    "LICENSE",
    "CHANGELOG.md",
    "build/simdnet.wasm",
    "build/simdnet-threads.wasm",
    "build/simdnet.d.ts",
    "dist/index.js",
    "dist/index.d.ts",
    "dist/charts.js",
    "dist/charts.d.ts",
    "dist/cli.js",
  ])
    check(files.includes(needed), `the tarball holds ${needed}`);
  const stray = files.filter(
    (f) =>
      !/^(package\.json|README\.md|LICENSE|CHANGELOG\.md|build\/simdnet(-threads)?\.wasm|build\/simdnet\.d\.ts|dist\/.+\.(js|d\.ts))$/.test(
        f,
      ),
  );
  check(
    stray.length === 0,
    "the tarball holds nothing else (no sources, maps, tests or build inputs)",
    stray.slice(0, 8).join(", "),
  );
  const kB = packed.size / 1024;
  check(
    packed.size < MAX_TARBALL,
    `tarball size ${kB.toFixed(1)} kB packed, ${(packed.unpackedSize / 1024).toFixed(0)} kB unpacked, ${files.length} files`,
    `limit ${MAX_TARBALL / 1024} kB`,
  );
  const stated = /tarball is about (\d+) kB/.exec(readFileSync(join(root, "docs", "guide.md"), "utf8"));
  check(
    stated !== null && Math.abs(Number(stated[1]) - kB) <= Math.max(5, 0.1 * kB),
    "docs/guide.md states the tarball's size",
    stated
      ? `docs/guide.md says ${stated[1]} kB, measured ${kB.toFixed(0)} kB`
      : 'no "tarball is about N kB" in docs/guide.md',
  );

  // 2. A user's production install: no dev dependencies, no scripts, no peers.
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  npm(dir, "install", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--no-package-lock", tarball);
  const installed = readdirSync(join(dir, "node_modules"), { recursive: true })
    .filter((p) => p.endsWith("package.json") && /^(@[^/]+\/)?[^/@]+\/package\.json$/.test(p.replaceAll("\\", "/")))
    .map((p) => dirname(p.replaceAll("\\", "/")));
  check(installed.length <= MAX_PACKAGES, `${installed.length} packages installed`, installed.join(", "));
  const manifest = JSON.parse(readFileSync(join(dir, "node_modules/simdnet/package.json"), "utf8"));
  const installHooks = ["preinstall", "install", "postinstall", "prepare"].filter((s) => manifest.scripts?.[s]);
  check(
    installHooks.length === 0,
    "no install-time scripts, prepare included (installing runs no build)",
    installHooks.join(", "),
  );
  check(
    !existsSync(join(dir, "node_modules/.bin/csv2json")) && !existsSync(join(dir, "node_modules/vega")),
    "no Vega, no Vega commands on the path",
  );

  // 3. ESM, CommonJS (require and import()), the CLI.
  const train = `const m = await s.createModel({ inputs: 2,
    layers: [{ units: 8, activation: "tanh" }, { units: 1, activation: "sigmoid" }],
    loss: "binaryCrossEntropy", optimizer: s.adam({ learningRate: 0.05 }), seed: 1 });
    const { x, labels } = s.datasets.xor();
    await m.fit(x, labels, { epochs: 300, batchSize: 4 });
    console.log(m.backend.name, m.evaluate(x, labels).accuracy);`;
  const esm = run(process.execPath, ["--input-type=module", "-e", `import * as s from "simdnet"; ${train}`], dir);
  check(
    esm.status === 0 && esm.stdout.trim() === "wasm 1",
    "ESM import trains XOR on the wasm core",
    (esm.stdout + esm.stderr).trim(),
  );
  const cjs = run(process.execPath, ["-e", `(async () => { const s = require("simdnet"); ${train} })()`], dir);
  check(
    cjs.status === 0 && cjs.stdout.trim() === "wasm 1",
    "CommonJS require() trains XOR",
    (cjs.stdout + cjs.stderr).trim(),
  );
  const dynamic = run(process.execPath, ["-e", `(async () => { const s = await import("simdnet"); ${train} })()`], dir);
  check(
    dynamic.status === 0 && dynamic.stdout.trim() === "wasm 1",
    "CommonJS import() trains XOR",
    (dynamic.stdout + dynamic.stderr).trim(),
  );
  const bin = join(dir, "node_modules/.bin/simdnet");
  const cli = run(bin, ["train", "--epochs", "5"], dir);
  check(cli.status === 0 && /test accuracy/.test(cli.stdout), "the CLI: simdnet train", cli.stderr.trim());
  const lessons = run(bin, ["lessons", "linear"], dir);
  check(
    lessons.status === 0 && /1 of 1 claims hold/.test(lessons.stdout),
    "the CLI: simdnet lessons linear",
    lessons.stderr.trim(),
  );

  // 3b. The interop entries: a model out to ONNX and to TF.js artifacts and back, predicting the same.
  const interop = run(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import * as s from "simdnet";
    import { exportOnnx, importOnnx } from "simdnet/onnx";
    import { toTfjs, fromTfjs } from "simdnet/tfjs";
    const m = await s.createModel({ inputs: 3, layers: [{ units: 4, activation: "tanh" }, { units: 2 }], seed: 2 });
    const x = [[0.1, -0.2, 0.3]], p = m.predict(x).data;
    const viaOnnx = (await importOnnx(exportOnnx(m))).predict(x).data, viaTfjs = (await fromTfjs(toTfjs(m))).predict(x).data;
    console.log(p.every((v, i) => Math.abs(v - viaOnnx[i]) < 1e-6 && Math.abs(v - viaTfjs[i]) < 1e-6));`,
    ],
    dir,
  );
  check(
    interop.status === 0 && interop.stdout.trim() === "true",
    "simdnet/onnx and simdnet/tfjs round-trip a model",
    (interop.stdout + interop.stderr).trim(),
  );

  // 4. simdnet/charts without its optional peers: a clear error naming them, from the API and the CLI.
  const charts = run(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { renderSvg, MissingPeerDependencyError } from "simdnet/charts";
    try { await renderSvg({ name: "c", title: "t", kind: "bar", x: { field: "a", title: "a", type: "nominal" }, y: { field: "b", title: "b" }, data: [{ a: "x", b: 1 }] }); }
    catch (e) { console.log(e instanceof MissingPeerDependencyError, e.packages.join(","), e.message); }`,
    ],
    dir,
  );
  check(
    charts.stdout.startsWith("true vega,vega-lite ") && charts.stdout.includes("npm install vega vega-lite"),
    "simdnet/charts names its missing peers",
    (charts.stdout + charts.stderr).trim(),
  );
  const chartsCli = run(bin, ["lessons", "linear", "--out", join(dir, "charts")], dir);
  check(
    chartsCli.status !== 0 && chartsCli.stderr.includes("npm install vega vega-lite"),
    "simdnet lessons --out names the missing peers",
    chartsCli.stderr.trim(),
  );

  // 5. Types: the published .d.ts under every module resolution a user may have, with names as
  //    string unions (a misspelt activation must not compile), and nothing internal in them.
  const dts = readdirSync(join(dir, "node_modules/simdnet/dist"), { recursive: true }).filter((f) =>
    f.endsWith(".d.ts"),
  );
  const internal = dts.filter((f) =>
    readFileSync(join(dir, "node_modules/simdnet/dist", f), "utf8").includes("@internal"),
  );
  check(
    dts.length > 0 && internal.length === 0,
    `${dts.length} .d.ts files, none with @internal declarations`,
    internal.join(", "),
  );
  writeFileSync(
    join(dir, "use.ts"),
    `import { createModel, initializers, Model, type ActivationName } from "simdnet";
import { renderSvg, vegaLiteSpec } from "simdnet/charts";
import { exportOnnx, importOnnx } from "simdnet/onnx";
import { fromTfjs, toTfjs } from "simdnet/tfjs";
export async function make(activation: ActivationName) {
  const model = await createModel({ inputs: 2, layers: [{ units: 4, activation, kernelInitializer: "heNormal" }, { units: 1 }],
    loss: "binaryCrossEntropy", optimizer: "adam" });
  // @ts-expect-error: a misspelt activation
  await createModel({ inputs: 2, layers: [{ units: 4, activation: "rleu" }] });
  // @ts-expect-error: a misspelt initializer
  await createModel({ inputs: 2, layers: [{ units: 4, kernelInitializer: "heNormall" }] });
  // @ts-expect-error: a misspelt loss
  await createModel({ inputs: 2, layers: [{ units: 1 }], loss: "meanSquareError" });
  // @ts-expect-error: a misspelt optimizer
  await createModel({ inputs: 2, layers: [{ units: 1 }], optimizer: "adamm" });
  // @ts-expect-error: internal members are not part of the published types
  model.net;
  // @ts-expect-error: models come from createModel or loadModel, not a constructor
  new Model();
  const bytes: Uint8Array = exportOnnx(model);
  const again: Model = await fromTfjs(toTfjs(await importOnnx(bytes)));
  return [again, initializers.glorotUniform(), vegaLiteSpec, renderSvg] as const;
}
`,
  );
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  for (const [module, resolution] of [
    ["nodenext", "nodenext"],
    ["esnext", "bundler"],
    ["commonjs", "node"],
  ]) {
    // No @types/node and no skipLibCheck: the published types must stand on their own.
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        files: ["use.ts"],
        compilerOptions: {
          noEmit: true,
          strict: true,
          types: [],
          lib: ["es2022", "dom"],
          target: "es2022",
          module,
          moduleResolution: resolution,
        },
      }),
    );
    const r = run(process.execPath, [tsc, "-p", "."], dir);
    check(
      r.status === 0,
      `TypeScript (module ${module}, moduleResolution ${resolution}) checks a user's file, typos refused`,
      r.stdout.trim(),
    );
  }

  // 6. Optionally, with the peers installed as the error says: a chart renders.
  if (withPeers) {
    npm(
      dir,
      "install",
      "--omit=dev",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--no-package-lock",
      tarball,
      "vega",
      "vega-lite",
    );
    const svg = run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { renderSvg } from "simdnet/charts";
      console.log((await renderSvg({ name: "c", title: "t", kind: "bar", x: { field: "a", title: "a", type: "nominal" }, y: { field: "b", title: "b" }, data: [{ a: "x", b: 1 }] })).slice(0, 4));`,
      ],
      dir,
    );
    check(
      svg.stdout.trim() === "<svg" && svg.stderr === "",
      "with vega and vega-lite installed, a chart renders, with no warning",
      svg.stderr.trim(),
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\npackage: ${failed === 0 ? "all checks passed" : `${failed} failed`}`);
process.exit(failed === 0 ? 0 : 1);
