// The README and docs/ as a reader meets them: a front door under 12 KB, every relative link
// resolving to a file of this repository, no tracker language, the article's claims as the
// lessons state them, and an index of docs/ that lists every page.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LESSONS } from "../src/index.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pages = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const text = (page: string): string => readFileSync(join(root, page), "utf8");

/** Relative link targets in a page's text: markdown links and references, HTML href and src. */
function relativeLinks(body: string): string[] {
  const seen = body.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, ""); // code is not a link
  const targets = [
    ...Array.from(seen.matchAll(/\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g), (m) => m[1] ?? ""),
    ...Array.from(seen.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm), (m) => m[1] ?? ""),
    ...Array.from(seen.matchAll(/\b(?:href|src)="([^"]+)"/g), (m) => m[1] ?? ""),
  ];
  return targets.filter((t) => t !== "" && !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith("#"));
}

// Generated or installed, never committed: a link there resolves only on a built machine.
const GENERATED = ["build/", "dist/", "node_modules/", "docs/api/", "web/dist/", "web/test/artifacts/"];

/** The targets of `body` (a page at `page`) that name no committed file or folder of the repository. */
function brokenLinks(page: string, body: string): string[] {
  return relativeLinks(body).filter((target) => {
    const path = resolve(root, dirname(page), decodeURIComponent(target.split("#")[0] ?? ""));
    const inside = relative(root, path).replaceAll("\\", "/");
    return inside.startsWith("..") || GENERATED.some((g) => `${inside}/`.startsWith(g)) || !existsSync(path);
  });
}

/** Repository paths quoted as code (`src/model.ts`): each must exist unless it is generated. */
function quotedPaths(body: string): string[] {
  const paths: string[] = [];
  for (const [, code] of body.matchAll(/`([^`\n]+)`/g)) {
    for (const [, path] of (code ?? "").matchAll(
      /(?:^|[\s(])((?:src|test|assembly|bench|examples|docs|scripts|web|\.ci)\/[\w./-]*)/g,
    )) {
      paths.push((path ?? "").replace(/[.,:]+$/, ""));
    }
  }
  return paths;
}

describe("the README and docs", () => {
  it("the README is a front door: under 12 KB", () => {
    expect(Buffer.byteLength(text("README.md"))).toBeLessThan(12 * 1024);
  });

  it("every relative link resolves to a committed file or folder of the repository", () => {
    const broken = pages.flatMap((page) => brokenLinks(page, text(page)).map((t) => `${page}: ${t}`));
    expect(broken).toEqual([]);
    expect(pages.flatMap((page) => relativeLinks(text(page))).length).toBeGreaterThan(20); // links are being read
  });

  it("the link check finds what is broken and only that", () => {
    const body = [
      "[ok](../README.md) [ok too](guide.md#models) [web](https://example.org/x.md) [anchor](#top)",
      "[missing](no-such-page.md) [outside](../../etc/hosts) [generated](../dist/index.js)",
      '<img src="nowhere.png"> `[code](in-code.md)`',
      "```md\n[fenced](fenced.md)\n```",
    ].join("\n");
    expect(brokenLinks("docs/guide.md", body)).toEqual([
      "no-such-page.md",
      "../../etc/hosts",
      "../dist/index.js",
      "nowhere.png",
    ]);
  });

  it("every repository path quoted as code names a file or folder that exists", () => {
    const missing: string[] = [];
    for (const page of pages) {
      for (const path of quotedPaths(text(page))) {
        if (!GENERATED.some((g) => `${path}/`.startsWith(g)) && !existsSync(join(root, path)))
          missing.push(`${page}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
    expect(quotedPaths("see `src/model.ts` and `npm run x` and `test/a.test.ts`.")).toEqual([
      "src/model.ts",
      "test/a.test.ts",
    ]);
  });

  it("they speak of this repository only: no tracker language, no paths outside it", () => {
    const found: string[] = [];
    for (const page of pages) {
      for (const pattern of [
        /\bthe issue\b/i,
        /\bissue #?\d+/i,
        /\bthe task\b/i,
        /\bthe seed('s|\s+text|\s+article)/i,
        /\bseed text\b/i,
        /\.\.\/shared\b/,
        /\/work\//,
        /\bwt-[a-z]+/,
      ]) {
        if (pattern.test(text(page))) found.push(`${page}: ${pattern}`);
      }
    }
    expect(found).toEqual([]);
  });

  it("the README's lessons table lists every lesson, in order, with its title", () => {
    // Cells compared without the padding the formatter aligns columns with.
    const cells = (line: string): string[] =>
      line
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim());
    const rows = LESSONS.map((lesson, i) => [String(i + 1), `\`${lesson.name}\``, lesson.title]);
    const table = text("README.md")
      .split("\n")
      .filter((line) => /^\|\s*\d+\s*\|\s*`/.test(line))
      .map(cells);
    expect(table).toEqual(rows);
  });

  it("docs/article.md lists every lesson with the claim it tests, word for word", () => {
    const article = text("docs/article.md");
    for (const lesson of LESSONS) {
      expect(article).toMatch(new RegExp(`^\\|\\s*\`${lesson.name}\`\\s*\\|`, "m"));
      expect(article).toContain(lesson.claim);
    }
  });

  it("docs/README.md indexes every page of docs/", () => {
    const index = text("docs/README.md");
    for (const page of pages.filter((p) => p.startsWith("docs/") && p !== "docs/README.md")) {
      expect(index, page).toContain(`](${page.slice("docs/".length)})`);
    }
  });
});
