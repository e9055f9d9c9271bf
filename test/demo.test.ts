import { describe, expect, it } from "vitest";
import { gain } from "../src/activations.js";
import { depthProfile } from "../src/demo.js";
import * as init from "../src/initializers.js";
import { js, wasm } from "./helpers.js";

// The demo's claims (the article's, on initialization) hold on the core.
describe("demo: activation std through 10 layers", () => {
  const last = (p: { std: number[] }): number => p.std[p.std.length - 1]!;
  const ratio = (p: { std: number[] }): number => last(p) / p.std[0]!;

  it("He keeps ReLU steady; Glorot shrinks it; tiny weights make it vanish", () => {
    expect(ratio(depthProfile(wasm, "relu", init.heNormal()))).toBeGreaterThan(0.5);
    expect(ratio(depthProfile(wasm, "relu", init.heNormal()))).toBeLessThan(2);
    expect(ratio(depthProfile(wasm, "relu", init.glorotNormal()))).toBeLessThan(0.1);
    expect(last(depthProfile(wasm, "relu", init.normal({ std: 0.01 })))).toBeLessThan(1e-6);
  });

  it("tanh: Glorot times gain^2 is steady, large weights saturate, tiny ones vanish", () => {
    const steady = depthProfile(wasm, "tanh", init.varianceScaling({ scale: gain("tanh") ** 2, mode: "fanAvg" }));
    expect(ratio(steady)).toBeGreaterThan(0.5);
    expect(last(depthProfile(wasm, "tanh", init.normal({ std: 1 })))).toBeGreaterThan(0.9);
    expect(last(depthProfile(wasm, "tanh", init.normal({ std: 0.01 })))).toBeLessThan(1e-6);
  });

  it("the pure-JS path tells the same story to float32 precision", () => {
    const a = depthProfile(wasm, "tanh", init.glorotNormal(), { depth: 3, width: 32, batch: 64 });
    const b = depthProfile(js, "tanh", init.glorotNormal(), { depth: 3, width: 32, batch: 64 });
    for (let i = 0; i < 3; i++) expect(Math.abs(a.std[i]! - b.std[i]!)).toBeLessThan(1e-4 * b.std[i]!);
  });
});
