// The README's quickstart is kept honest twice: its code block is examples/quickstart.mjs (which
// CI runs against the built package), and this test runs the block itself against the source.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import * as simdnet from "../src/index.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

/** The code block under "## Quickstart". */
function quickstart(): string {
  const section = readme.split(/^## /m).find((s) => s.startsWith("Quickstart\n"));
  const block = section && /```js\n([\s\S]*?)\n```/.exec(section);
  if (!block?.[1]) throw new Error("README.md has no ```js block under ## Quickstart");
  return block[1];
}

it("the README shows examples/quickstart.mjs as it is (CI runs the file)", () => {
  const example = readFileSync(new URL("../examples/quickstart.mjs", import.meta.url), "utf8").trimEnd();
  expect(quickstart()).toBe(example);
});

it("the README's quickstart runs and does what it says", async () => {
  // Its one import from "simdnet" becomes a destructuring of the source's exports; the rest runs as written.
  const code = quickstart();
  const imports = /^import \{([^}]+)\} from "simdnet";\n/.exec(code);
  expect(imports, 'the quickstart starts with one import { ... } from "simdnet"').not.toBeNull();
  const body = `const {${imports![1]}} = simdnet;\n${code.slice(imports![0].length)}`;
  const lines: string[] = [];
  const log = (...args: unknown[]): void => {
    lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  };
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
    ...params: string[]
  ) => (...args: unknown[]) => Promise<void>;
  await new AsyncFunction("simdnet", "console", body)(simdnet, { log });

  expect(lines[0]).toMatch(/^epoch 0: loss \d+\.\d{4}$/);
  expect(lines).toContainEqual(expect.stringMatching(/^stopped: [a-zA-Z]+ after \d+ epochs$/));
  const test = lines.find((l) => l.startsWith("test: "));
  const evaluation = JSON.parse(test!.slice("test: ".length)) as { loss: number; accuracy: number };
  expect(evaluation.accuracy).toBeGreaterThan(0.95); // two moons at noise 0.1 are all but separable
  expect(lines.at(-1)).toBe("same predictions: true");
}, 60_000);
