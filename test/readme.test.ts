import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

it("the README shows examples/quickstart.mjs as it is (CI runs the file)", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const example = readFileSync(new URL("../examples/quickstart.mjs", import.meta.url), "utf8").trimEnd();
  expect(readme).toContain("```js\n" + example + "\n```");
});
