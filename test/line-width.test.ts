// No line of code past the formatter's width (120, .prettierrc.json). Prettier holds the
// TypeScript and JavaScript to it but cannot break a string, template or regex literal;
// assembly/ (whose @inline decorators it cannot parse) is held to it here alone. A line may
// run over only by the length of such a literal, or for a URL.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const WIDTH = JSON.parse(readFileSync(join(ROOT, ".prettierrc.json"), "utf8")).printWidth as number;
const FOLDERS = ["assembly", "src", "test", "bench", "scripts", "examples", "web/src", "web/test"];
const SKIP = new Set(["node_modules", "fixtures", "results", "artifacts", "dist", "out"]);
// A string, template (on one line) or regex literal: what a formatter leaves as it is.
const LITERAL = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`|\/(?:[^/\\\n]|\\.)+\/[dgimsuy]*/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const path = join(dir, e.name);
    return e.isDirectory() ? sources(path) : /\.(ts|mjs|js|cjs)$/.test(e.name) ? [path] : [];
  });
}

/** The lines past the width that no formatter could have broken, as "file:line (length)". */
export function overlong(text: string, width: number): number[] {
  const found: number[] = [];
  let inTemplate = false; // inside a template literal that spans lines: its text is data
  text.split("\n").forEach((line, i) => {
    const startedInside = inTemplate;
    const code = line.replace(/\\`/g, "").replace(/\/\/.*$/, "");
    if ((code.match(/`/g)?.length ?? 0) % 2 === 1) inTemplate = !inTemplate;
    if (line.length <= width || startedInside || /https?:\/\//.test(line)) return;
    const longest = Math.max(0, ...(line.match(LITERAL) ?? []).map((l) => l.length));
    if (line.length - longest + 2 > width) found.push(i + 1);
  });
  return found;
}

it(`no line past ${WIDTH} characters but for a literal a formatter cannot break`, () => {
  const files = FOLDERS.flatMap((f) => sources(join(ROOT, f)));
  expect(files.length).toBeGreaterThan(150);
  const found = files.flatMap((file) =>
    overlong(readFileSync(file, "utf8"), WIDTH).map((n) => `${relative(ROOT, file)}:${n}`),
  );
  expect(found).toEqual([]);
});

it("the check finds a long line of code, and lets a long literal or template text be", () => {
  const code = `const x = ${"a + ".repeat(40)}1;`;
  expect(overlong(code, 120)).toEqual([1]);
  expect(overlong(`const s = "${"w ".repeat(80)}";`, 120)).toEqual([]);
  expect(overlong(`const t = \`\n${"w ".repeat(80)}\n\`;\n${code}`, 120)).toEqual([4]);
});
