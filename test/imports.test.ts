// The modules of src/ form no import cycle: each file can be read knowing only the files it
// imports. Type-only and dynamic imports count too (a type cycle is still two files that
// must be read together).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../src");
const BUILD = resolve(import.meta.dirname, "../build");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Each file's relative imports (static, type-only, re-exports and dynamic), as file paths. */
function importGraph(files: string[]): Map<string, string[]> {
  return new Map(
    files.map((file) => {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
      const local = importedFiles.map((i) => i.fileName).filter((name) => name.startsWith("."));
      return [file, local.map((name) => resolve(dirname(file), name.replace(/\.js$/, ".ts")))];
    }),
  );
}

/** Every cycle a depth-first walk meets, each as the files along it (first file repeated last). */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const done = new Set<string>(),
    path: string[] = [],
    cycles: string[][] = [];
  const visit = (file: string): void => {
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) cycles.push([...path.slice(at), next]);
      else if (!done.has(next)) visit(next);
    }
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) if (!done.has(file)) visit(file);
  return cycles;
}

describe("imports in src/", () => {
  it("finds a cycle when there is one (the check itself)", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(findCycles(graph)).toEqual([["a", "b", "c", "a"]]);
    expect(
      findCycles(
        new Map([
          ["a", ["b"]],
          ["b", []],
          ["c", ["a", "b"]],
        ]),
      ),
    ).toEqual([]);
  });

  it("reads every kind of import", () => {
    const { importedFiles } = ts.preProcessFile(
      'import type { A } from "./a.js";\nexport { b } from "./b.js";\nconst c = await import("./c.js");\nimport { d, type D } from "./d.js";',
      true,
      true,
    );
    expect(importedFiles.map((i) => i.fileName).sort()).toEqual(["./a.js", "./b.js", "./c.js", "./d.js"]);
  });

  it("have no cycle", () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(50);
    const graph = importGraph(files);
    for (const [file, deps] of graph) {
      for (const dep of deps) {
        if (dep.startsWith(BUILD)) continue; // the wasm build's generated declarations import nothing
        expect(graph.has(dep), `${relative(SRC, file)} imports ${relative(SRC, dep)}, which is not in src/`).toBe(true);
      }
    }
    expect(findCycles(graph).map((c) => c.map((f) => relative(SRC, f)).join(" -> "))).toEqual([]);
  });
});
