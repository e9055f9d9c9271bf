// The lessons as an API: run the experiments behind the claims of "Activation Functions and
// Initialization Methods", read their verdicts and figures, and draw a chart of one of them.
//   node examples/lessons.mjs [outDir]
// Charts need the optional peer dependencies vega and vega-lite (npm install vega vega-lite);
// without them this prints what to install and carries on.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LESSONS, lessonNamed, runLessons } from "simdnet";

console.log(LESSONS.map((l, i) => `${String(i + 1).padStart(2)}. ${l.name.padEnd(14)} ${l.title}`).join("\n"));

// One lesson, with progress: every lesson is seeded, so its figures repeat run after run.
const depth = await lessonNamed("depth").run({
  onProgress: (f) => process.stdout.write(`\rdepth: ${Math.round(f * 100)}%`),
});
console.log(`\n\n${depth.claim}\n=> ${depth.holds ? "holds" : "fails"}: ${depth.verdict}`);
for (const f of depth.figures) console.log(`   ${f.label}: ${f.value}`);

// Several at once, on the pure-JS path this time (the claims are about the math, not the core).
const results = await runLessons(["linear", "symmetry", "zeroCentred"], { backend: "js" });
for (const r of results) console.log(`${r.holds ? "HOLDS" : "FAILS"}  ${r.title} (${r.seconds.toFixed(2)} s)`);

// Each result carries its charts as data; simdnet/charts turns them into Vega-Lite and SVG.
const { renderSvg, vegaLiteSpec, MissingPeerDependencyError } = await import("simdnet/charts");
const chart = depth.charts[0];
console.log(
  `\nchart "${chart.title}": ${chart.data.length} points, Vega-Lite spec of ${JSON.stringify(vegaLiteSpec(chart)).length} bytes`,
);
try {
  const out = process.argv[2] ?? "lesson-charts";
  await mkdir(out, { recursive: true });
  await writeFile(join(out, `depth-${chart.name}.svg`), await renderSvg(chart));
  console.log(`wrote ${join(out, `depth-${chart.name}.svg`)}`);
} catch (e) {
  if (!(e instanceof MissingPeerDependencyError)) throw e;
  console.log(e.message);
}
if (![depth, ...results].every((r) => r.holds)) process.exitCode = 1;
