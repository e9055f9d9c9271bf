import { describe, expect, it } from "vitest";
import { ArgumentError, createModel, datasets, MAX_ROWS, MAX_UNITS, oneHot } from "../src/index.js";

// The named limits (src/limits.ts) are the ones every place checks against.
describe("limits, named once", () => {
  it("a misspelt layer key is refused by createModel, naming it and the keys it could be", async () => {
    const bad = createModel({
      inputs: 2,
      layers: [{ units: 3, kernelInitialiser: "heNormal" } as never],
      backend: "js",
    });
    await expect(bad).rejects.toThrow(ArgumentError);
    await expect(bad).rejects.toThrow(
      /layers\[0\]\.kernelInitialiser: expected one of the options .*units, activation, .*biasRegularizer/,
    );
  });

  it("the limits are the ones enforced: rows of a dataset, classes of oneHot, units of a layer", async () => {
    expect(() => datasets.twoMoons({ samples: MAX_ROWS + 1 })).toThrow(/samples/);
    expect(() => oneHot([0], MAX_UNITS + 1)).toThrow(/classes/);
    expect(oneHot([0], 3).cols).toBe(3);
    await expect(createModel({ inputs: 2, layers: [{ units: MAX_UNITS + 1 }], backend: "js" })).rejects.toThrow(
      /units/,
    );
  });
});
