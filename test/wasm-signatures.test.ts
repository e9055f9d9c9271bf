// The wasm core's TypeScript types come from asc (build/simdnet.d.ts), not from a hand-written
// copy: a kernel whose signature changes in assembly/ must fail the typecheck of its callers.
// Proved here by compiling assembly/ with one signature changed in memory and type-checking the
// backend against the declarations asc wrote for it.
import { readFileSync } from "node:fs";
import path from "node:path";
import asc from "assemblyscript/asc";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

/** The declarations asc writes for assembly/, with `edit` applied to the named source first. */
async function declarations(file: string, edit: (source: string) => string): Promise<string> {
  let dts = "";
  const { error, stderr } = await asc.main(
    [
      "assembly/index.ts",
      "--runtime",
      "stub",
      "--enable",
      "simd",
      "--bindings",
      "raw",
      "--outFile",
      "core.wasm",
      "--noAssert",
      "--config",
      "none",
    ],
    {
      readFile: (name, baseDir) => {
        const full = path.resolve(root, baseDir, name);
        try {
          const text = readFileSync(full, "utf8");
          return full === path.resolve(root, file) ? edit(text) : text;
        } catch {
          return null;
        }
      },
      writeFile: (name, contents) => {
        if (name.endsWith(".d.ts")) dts = String(contents);
      },
      listFiles: () => [],
    },
  );
  if (error) throw new Error(`asc: ${error.message}\n${stderr.toString()}`);
  return dts;
}

let previous: ts.Program | undefined; // reused: only build/simdnet.d.ts differs between checks

/** tsc's errors for src/backend/wasm.ts (and what it imports) against `dts` as build/simdnet.d.ts. */
function typecheck(dts: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, "tsconfig.json"),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  )!;
  const generated = path.join(root, "build/simdnet.d.ts");
  const host = ts.createCompilerHost(config.options);
  const { getSourceFile, fileExists } = host;
  host.fileExists = (f) => path.resolve(f) === generated || fileExists(f);
  host.getSourceFile = (f, language, ...rest) =>
    path.resolve(f) === generated ? ts.createSourceFile(f, dts, language) : getSourceFile(f, language, ...rest);
  const program = ts.createProgram(
    [path.join(root, "src/backend/wasm.ts")],
    { ...config.options, noEmit: true },
    host,
    previous,
  );
  previous = program;
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) =>
        `${d.file ? path.relative(root, d.file.fileName) : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
    );
}

describe("the wasm signatures are asc's", () => {
  it("the core as built (npm test builds it first) type-checks", () => {
    expect(typecheck(readFileSync(path.join(root, "build/simdnet.d.ts"), "utf8"))).toEqual([]);
  }, 60_000);

  it("a kernel given one more parameter in assembly/ fails the typecheck of its caller", async () => {
    const dts = await declarations("assembly/activations.ts", (s) =>
      s.replace(
        "export function activationForward(kind: i32, x: usize, y: usize, n: i32, alpha: f32): void {",
        "export function activationForward(kind: i32, x: usize, y: usize, n: i32, alpha: f32, beta: f32): void {",
      ),
    );
    expect(dts).toContain("beta: number");
    const errors = typecheck(dts);
    expect(
      errors.some((e) => e.startsWith("src/backend/wasm.ts") && /Expected 6 arguments, but got 5/.test(e)),
      errors.join("\n"),
    ).toBe(true);
  }, 60_000);

  it("a kernel renamed in assembly/ fails the typecheck of its caller", async () => {
    const dts = await declarations("assembly/index.ts", (s) =>
      s.replace("export { addBias, sumRows }", "export { addBias, sumRows as sumOfRows }"),
    );
    const errors = typecheck(dts);
    expect(
      errors.some((e) => e.startsWith("src/backend/wasm.ts") && /sumRows/.test(e)),
      errors.join("\n"),
    ).toBe(true);
  }, 60_000);
});
