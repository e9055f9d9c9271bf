// Run by serialize-hostile.test.ts in a child process with a 256 MB heap: for each hostile
// JSON text, the time and the bytes allocated to refuse it, against those of JSON.parse of the
// same text, measured side by side in this one process. Prints one JSON line of ratios.
//   node --max-old-space-size=256 --expose-gc --import tsx test/serialize-hostile.child.ts [case]
import { Session } from "node:inspector";
import { JsBackend } from "../src/backend/js/index.js";
import { ArgumentError, createModel, loadModel, saveModel } from "../src/index.js";

const session = new Session();
session.connect();
/** An inspector call; a session on this thread answers synchronously. */
function post<T>(method: string, params?: object): T {
  let result: unknown,
    error: Error | null = null;
  session.post(method, params, (e, r) => {
    error = e;
    result = r;
  });
  if (error) throw error;
  return result as T;
}
interface ProfileNode {
  selfSize: number;
  children: ProfileNode[];
}

/** Bytes allocated while `run` runs, garbage included (V8's sampling heap profiler, every 16 KB on average). */
function allocated(run: () => void): number {
  post("HeapProfiler.enable");
  post("HeapProfiler.startSampling", {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  run();
  const { profile } = post<{ profile: { head: ProfileNode } }>("HeapProfiler.stopSampling");
  const total = (n: ProfileNode): number => n.children.reduce((sum, c) => sum + total(c), n.selfSize);
  return total(profile.head);
}

const gc = (globalThis as { gc?: () => void }).gc!;

/** The least CPU time (all of this process's threads: other processes on a shared machine do
 *  not count) of three runs of `run`, each from a collected heap (no GC debt from the last). */
function cpuTime(run: () => void): number {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    gc();
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    best = Math.min(best, used.user + used.system);
  }
  return best;
}

const backend = new JsBackend();
const small = await createModel({
  inputs: 4,
  seed: 1,
  backend,
  normalize: "standardize",
  layers: [{ units: 3 }, { units: 2 }],
});
await small.fit(
  [
    [1, 2, 3, 4],
    [4, 3, 2, 1],
  ],
  [
    [0, 1],
    [1, 0],
  ],
  { epochs: 1 },
);
const doc = saveModel(small, { optimizer: true });

// Hostile values of several MB, flat strings (as read from a file or a socket).
const array = (n: number, item = "0", last = item): string => `[${`${item},`.repeat(n - 1)}${last}]`;
const zeros = array(500_000);
const keys = `{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":0`).join(",")}}`;
const nested = `${'{"a":'.repeat(50_000)}0${"}".repeat(50_000)}`;
const flat = (text: string): string => Buffer.from(text).toString();
/** The saved document with `value` (JSON text) at `path`. */
const at = (path: (string | number)[], value: string, base: object = doc): string => {
  const marker = "\u0000HOSTILE\u0000";
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = marker;
  return flat(JSON.stringify(copy).replace(JSON.stringify(marker), () => value));
};
// A model 2^18 inputs wide whose normalizer is wrong only at its last value: read to the end.
const WIDE = 1 << 18;
const wide = {
  ...doc,
  inputs: WIDE,
  layers: [doc.layers[1]!],
  weights: [{ kernel: "A".repeat(4 * Math.ceil((8 * WIDE) / 3)), bias: "AAAAAAAAAAA=" }],
  optimizerState: undefined,
};

const CASES: Record<string, () => string> = {
  "10 MB of zeros under an unknown key": () => at(["padding"], array(5_000_000)),
  "zeros as the layers": () => at(["layers"], zeros),
  "zeros as the metrics": () => at(["metrics"], zeros),
  "500,000 metrics, the last one wrong": () => at(["metrics"], array(500_000, '"accuracy"', "0")),
  "zeros as a normalizer vector": () => at(["normalizer", "shift"], zeros),
  "a 2^18-wide normalizer, its last value wrong": () =>
    at(["normalizer"], `{"kind":"standardize","shift":${array(WIDE, "0.5", '"x"')},"scale":${array(WIDE, "1")}}`, wide),
  "zeros as a kernel": () => at(["weights", 0, "kernel"], zeros),
  "zeros in an optimizer's schedule": () => at(["optimizer", "schedule", "steps"], zeros),
  "zeros as an initializer option": () =>
    at(["layers", 0, "kernelInitializer"], `{"name":"orthogonal","gain":${zeros}}`),
  "50,000 keys in a layer": () => at(["layers", 0], keys),
  "50,000 keys in the loss": () => at(["loss"], keys),
  "50,000 nested objects as the optimizer": () => at(["optimizer"], nested),
  "a 1 MB string as the format": () => at(["format"], JSON.stringify("x".repeat(1_000_000))),
  "a 1 MB kernel, one layer missing": () =>
    at(["weights"], `[{"kernel":${JSON.stringify("A".repeat(1_000_000))},"bias":"AAAA"}]`),
};

const only = process.argv[2];
const results: Record<string, { time: number; memory: number; error: string }> = {};
for (const [name, make] of Object.entries(CASES)) {
  if (only && name !== only) continue;
  const text = make();
  let error = "";
  // loadModel reads and checks the text synchronously, before its first await: a refusal
  // is complete when the call returns.
  const refuse = (): void => {
    loadModel(text, { backend }).then(
      () => {
        error = "loaded";
      },
      (e: unknown) => {
        error = e instanceof ArgumentError ? e.message.slice(0, 160) : `not an ArgumentError: ${String(e)}`;
      },
    );
  };
  const parse = (): void => {
    JSON.parse(text);
  };
  const time = cpuTime(refuse) / cpuTime(parse);
  const memory = allocated(refuse) / allocated(parse);
  await new Promise((r) => setTimeout(r, 0));
  results[name] = { time, memory, error };
}
process.stdout.write(JSON.stringify(results) + "\n");
