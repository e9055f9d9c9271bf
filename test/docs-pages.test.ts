// The README and docs/ as a reader meets them: a front door under 12 KB, every relative link
// resolving to a file of this repository, the article's claims as the lessons state them.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LESSONS } from "../src/index.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pages = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const text = (page: string): string => readFileSync(join(root, page), "utf8");

describe("the README and docs", () => {
  it("the README is a front door: under 12 KB", () => {
    expect(Buffer.byteLength(text("README.md"))).toBeLessThan(12 * 1024);
  });

  it("every relative link resolves to a file in the repository", () => {
    const broken: string[] = [];
    for (const page of pages) {
      const code = text(page).replace(/```[\s\S]*?```/g, ""); // links inside code blocks are not links
      for (const [, target] of code.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
        const path = target.split("#")[0];
        if (!existsSync(resolve(root, dirname(page), decodeURIComponent(path)))) broken.push(`${page}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("they speak of this repository only: no tracker language, no folders outside it", () => {
    const found: string[] = [];
    for (const page of pages) {
      for (const pattern of [/\bthe issue\b/i, /\bthe seed\b/i, /\.\.\/shared/, /\btracker\b/i]) {
        if (pattern.test(text(page))) found.push(`${page}: ${pattern}`);
      }
    }
    expect(found).toEqual([]);
  });

  it("docs/article.md lists every lesson with the claim it tests, word for word", () => {
    const article = text("docs/article.md");
    for (const lesson of LESSONS) {
      expect(article).toContain(`| \`${lesson.name}\` |`);
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
