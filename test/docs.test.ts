// Every export of the published entry points (simdnet, simdnet/charts, simdnet/onnx and
// simdnet/tfjs) carries a doc comment, which editors show on hover and the API reference
// (npm run docs) is built from; @internal ones are stripped from the .d.ts instead.
import ts from "typescript";
import { expect, it } from "vitest";

it("every public export has a doc comment", () => {
  const entries = ["src/index.ts", "src/charts.ts", "src/onnx/index.ts", "src/tfjs/index.ts"];
  const program = ts.createProgram(entries, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
    types: [],
    lib: ["lib.es2022.d.ts"],
  }); // no DOM: only declarations are read
  const checker = program.getTypeChecker();
  const seen = new Set<ts.Symbol>(),
    undocumented: string[] = [];
  const visit = (symbol: ts.Symbol, prefix: string): void => {
    const s = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const declaration = s.declarations?.[0];
    if (!declaration) {
      undocumented.push(`${prefix}${symbol.name} (unresolved)`);
      return;
    }
    if (seen.has(s)) return;
    seen.add(s);
    if (ts.isSourceFile(declaration)) {
      // a namespace export: `export * as datasets`
      for (const e of checker.getExportsOfModule(s)) visit(e, `${symbol.name}.`);
      return;
    }
    if (s.getJsDocTags(checker).some((t) => t.name === "internal")) return;
    if (!ts.displayPartsToString(s.getDocumentationComment(checker)).trim()) {
      const file = declaration.getSourceFile();
      undocumented.push(
        `${prefix}${s.name} (${file.fileName.replace(/^.*?\/src\//, "src/")}:${file.getLineAndCharacterOfPosition(declaration.getStart()).line + 1})`,
      );
    }
  };
  for (const entry of entries) {
    for (const e of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!))
      visit(e, "");
  }
  expect(seen.size).toBeGreaterThan(100);
  expect(undocumented).toEqual([]);
});
