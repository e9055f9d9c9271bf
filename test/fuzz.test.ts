// Loading hostile documents: every mutation of a valid saved model either loads into a
// working model or is refused with an ArgumentError; nothing leaks, nothing is polluted.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createWasmBackend } from "../src/backend/wasm.js";
import { ArgumentError, adam, createModel, loadModel, saveModel, schedules, type ModelDocument } from "../src/index.js";

/** Paths to every value in a JSON tree. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...prefix, k]))];
}

const REPLACEMENTS: unknown[] = [
  null,
  0,
  -1,
  1.5,
  1e9,
  2 ** 31,
  -0,
  "",
  "x",
  "AAAA",
  true,
  [],
  {},
  [1, 2],
  { name: "sgd" },
  "softmax",
  "relu",
];

type Mutation = {
  path: number;
  kind: "delete" | "replace" | "truncate" | "extend" | "proto" | "duplicate";
  value: number;
  cut: number;
};

function mutate(doc: ModelDocument, all: (string | number)[][], m: Mutation): unknown {
  const copy = structuredClone(doc) as unknown as Record<string | number, unknown>;
  const path = all[m.path % all.length]!;
  if (path.length === 0) return m.kind === "replace" ? REPLACEMENTS[m.value % REPLACEMENTS.length] : copy;
  let parent: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const key = path[path.length - 1]!,
    current = parent[key];
  switch (m.kind) {
    case "delete":
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      break;
    case "replace":
      parent[key] = REPLACEMENTS[m.value % REPLACEMENTS.length];
      break;
    case "truncate":
      parent[key] =
        typeof current === "string" ? current.slice(0, Math.floor(current.length * (m.cut / 100))) : current;
      break;
    case "extend":
      parent[key] =
        typeof current === "string"
          ? current + "QUFB".repeat(1 + (m.value % 3))
          : typeof current === "number"
            ? current * 1e6 + 1
            : current;
      break;
    case "proto":
      if (current && typeof current === "object")
        Object.defineProperty(current, "__proto__", { value: { polluted: true }, enumerable: true });
      break;
    case "duplicate":
      if (Array.isArray(current)) current.push(structuredClone(current[0]));
      break;
  }
  return copy;
}

describe("loading mutated documents", () => {
  it("either loads a working model or throws an ArgumentError, with no leak and no pollution", async () => {
    const backend = await createWasmBackend();
    const source = await createModel({
      inputs: 3,
      seed: 1,
      backend,
      loss: "softmaxCrossEntropy",
      normalize: "standardize",
      optimizer: adam({ learningRate: 0.01, schedule: schedules.cosine({ steps: 50 }) }),
      layers: [{ units: 4, activation: "leakyRelu", alpha: 0.2 }, { units: 3 }],
    });
    await source.fit(
      [
        [1, 2, 3],
        [3, 2, 1],
        [0, 1, 0],
      ],
      [0, 1, 2],
      { epochs: 3 },
    );
    const doc = saveModel(source, { optimizer: true });
    source.dispose();
    const all = paths(doc);
    const baseline = backend.arena.liveBytes;
    const outcomes = { loaded: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          path: fc.nat(),
          kind: fc.constantFrom("delete", "replace", "truncate", "extend", "proto", "duplicate"),
          value: fc.nat(),
          cut: fc.integer({ min: 0, max: 99 }),
        }),
        fc.boolean(),
        async (m, asText) => {
          const mutated = mutate(doc, all, m as Mutation);
          let model;
          try {
            model = await loadModel((asText ? JSON.stringify(mutated) : mutated) as ModelDocument, { backend });
          } catch (e) {
            expect(e, `${JSON.stringify(m)}: ${(e as Error).message}`).toBeInstanceOf(ArgumentError);
            outcomes.refused++;
            return;
          }
          const p = model.predict([[0.5, -1, 2]]);
          expect(p.shape).toEqual([1, model.outputs]);
          expect(p.data.every(Number.isFinite)).toBe(true);
          model.dispose();
          outcomes.loaded++;
        },
      ),
      { numRuns: 400, seed: 7 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(backend.arena.liveBytes).toBe(baseline);
    expect(outcomes.refused).toBeGreaterThan(100);
    expect(outcomes.loaded).toBeGreaterThan(10); // mutations of values a model tolerates (a seed, an epoch count)
  }, 60_000);

  it("refuses absurd sizes without allocating them", async () => {
    const backend = await createWasmBackend();
    const m = await createModel({ inputs: 2, seed: 1, backend, layers: [{ units: 2 }, { units: 1 }] });
    const doc = saveModel(m);
    m.dispose();
    const reserved = backend.arena.memoryBytes;
    const huge = { ...doc, layers: [{ ...doc.layers[0]!, units: 1e9 }, doc.layers[1]!] };
    await expect(loadModel(huge, { backend })).rejects.toThrow(/units/);
    const wide = { ...doc, inputs: 1 << 20, layers: [{ ...doc.layers[0]!, units: 1 << 20 }, doc.layers[1]!] };
    await expect(loadModel(wide, { backend })).rejects.toThrow(/parameters/);
    await expect(loadModel(JSON.stringify({ ...doc, extra: 1 }), { backend })).rejects.toThrow(/document.extra/);
    await expect(
      loadModel(`{"__proto__": {"polluted": 1}, ${JSON.stringify(doc).slice(1)}`, { backend }),
    ).rejects.toThrow(/__proto__/);
    expect(backend.arena.memoryBytes).toBe(reserved);
  });
});
