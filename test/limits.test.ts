import { describe, expect, it } from "vitest";
import { ArgumentError, createModel, datasets, MAX_ROWS, MAX_UNITS, oneHot, saveModel } from "../src/index.js";
import { LAYER_KEYS, OPTIONAL_LAYER_KEYS } from "../src/layers.js";

// One list of layer keys and one set of named limits, read by every place that checks them.
describe("layer keys and limits, named once", () => {
  it("a saved layer holds exactly the layer keys (the optional ones when set)", async () => {
    const plain = await createModel({ inputs: 2, layers: [{ units: 3 }, { units: 1, activation: "sigmoid" }], loss: "binaryCrossEntropy", backend: "js" });
    const regularized = await createModel({ inputs: 2, layers: [{ units: 3, kernelRegularizer: { l1: 0, l2: 0.01 }, biasRegularizer: { l1: 0.1, l2: 0 } },
      { units: 1, activation: "sigmoid" }], loss: "binaryCrossEntropy", backend: "js" });
    expect(Object.keys(saveModel(plain).layers[0]!).sort()).toEqual([...LAYER_KEYS].sort());
    expect(Object.keys(saveModel(regularized).layers[0]!).sort()).toEqual([...LAYER_KEYS, ...OPTIONAL_LAYER_KEYS].sort());
    plain.dispose();
    regularized.dispose();
  });

  it("a key outside the lists is refused by createModel, naming it and the keys it could be", async () => {
    const bad = createModel({ inputs: 2, layers: [{ units: 3, kernelInitialiser: "heNormal" } as never], backend: "js" });
    await expect(bad).rejects.toThrow(ArgumentError);
    await expect(bad).rejects.toThrow(/layers\[0\]\.kernelInitialiser: expected one of the options units, activation, .*biasRegularizer/);
  });

  it("the limits are the ones enforced: rows of a dataset, classes of oneHot, units of a layer", async () => {
    expect(() => datasets.twoMoons({ samples: MAX_ROWS + 1 })).toThrow(/samples/);
    expect(() => oneHot([0], MAX_UNITS + 1)).toThrow(/classes/);
    expect(oneHot([0], 3).cols).toBe(3);
    await expect(createModel({ inputs: 2, layers: [{ units: MAX_UNITS + 1 }], backend: "js" })).rejects.toThrow(/units/);
  });
});
