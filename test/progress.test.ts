// fit's verbose output: the bar's content and throttling on a fake terminal and clock, the
// plain lines elsewhere, and a real fit writing to process.stdout.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createModel } from "../src/index.js";
import { checkVerbose, formatSeconds, Progress, type ProgressOutput } from "../src/progress.js";

function fake(isTTY: boolean): ProgressOutput & { text: string } {
  return {
    isTTY,
    columns: 200,
    text: "",
    write(s) {
      this.text += s;
    },
  };
}

describe("Progress", () => {
  it("on a terminal: a header, a bar redrawn in place at most every 100 ms, the epoch's values at the end", () => {
    let now = 0;
    const out = fake(true),
      p = new Progress(1, 3, 1000, out, () => now);
    p.epochStart(1);
    now = 50;
    p.batch(100, () => ({ loss: 0.5 })); // first batch: drawn
    now = 120;
    p.batch(200, () => ({ loss: 0.4 })); // 70 ms later: skipped
    now = 200;
    p.batch(400, () => ({ loss: 0.3, accuracy: 0.75 }));
    now = 500;
    p.epochEnd(1, { loss: 0.25, accuracy: 0.8, valLoss: 0.3 });
    const frames = out.text.split("\r");
    expect(frames[0]).toBe("Epoch 2/3\n");
    expect(frames[1]!.trimEnd()).toBe(
      " 100/1000 [===>..........................] 2,000 rows/s ETA 450ms - loss: 0.5000",
    );
    expect(frames[2]!.trimEnd()).toBe(
      " 400/1000 [============>.................] 2,000 rows/s ETA 300ms - loss: 0.3000 - accuracy: 0.7500",
    );
    expect(frames[3]).toBe(
      "1000/1000 [==============================] 500ms 2,000 rows/s - loss: 0.2500 - accuracy: 0.8000 - valLoss: 0.3000\n",
    );
    expect(frames).toHaveLength(4);
  });

  it("not on a terminal: one plain line per epoch, nothing per batch; verbose 2: one line; verbose 0: nothing", () => {
    for (const [verbose, isTTY, want] of [
      [1, false, "Epoch 1/2 10/10 [==============================] 2.0s 5 rows/s - loss: 1.0000\n"],
      [2, true, "Epoch 1/2 - 2.0s 5 rows/s - loss: 1.0000\n"],
      [0, true, ""],
    ] as const) {
      let now = 0;
      const out = fake(isTTY),
        p = new Progress(verbose, 2, 10, out, () => now);
      p.epochStart(0);
      p.batch(5, () => ({ loss: 2 }));
      now = 2000;
      p.epochEnd(0, { loss: 1, accuracy: undefined });
      expect(out.text).toBe(want);
    }
  });

  it("formats times as Keras does and checks the option", () => {
    expect([0.0123, 1.25, 75].map(formatSeconds)).toEqual(["12ms", "1.3s", "1m 15s"]);
    expect(checkVerbose(undefined)).toBe(0);
    expect(() => checkVerbose(3)).toThrow("verbose");
    expect(() => checkVerbose("1")).toThrow("verbose");
  });
});

describe("fit({ verbose })", () => {
  afterEach(() => vi.restoreAllMocks());

  it("writes one line per epoch to stdout with verbose 2, the validation values and metrics included; nothing by default", async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
      written.push(String(s));
      return true;
    });
    const model = await createModel({
      inputs: 1,
      seed: 1,
      loss: "binaryCrossEntropy",
      layers: [{ units: 1 }],
      metrics: ["accuracy", "auc"],
    });
    const x = [[0], [1], [2], [3]],
      y = [0, 0, 1, 1];
    await model.fit(x, y, { epochs: 2 });
    expect(written).toEqual([]);
    await model.fit(x, y, { epochs: 2, verbose: 2, validationData: [x, y] });
    vi.restoreAllMocks();
    expect(written).toHaveLength(2);
    expect(written[1]).toMatch(
      /^Epoch 2\/2 - \S+ [\d,]+ rows\/s - loss: \d\.\d{4} - accuracy: \d\.\d{4} - auc: \d\.\d{4} - valLoss: \d\.\d{4} - valAccuracy: \d\.\d{4} - valAuc: \d\.\d{4}\n$/,
    );
    model.dispose();
  });
});
