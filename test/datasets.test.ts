import { describe, expect, it } from "vitest";
import { ArgumentError, datasets } from "../src/index.js";

describe("datasets", () => {
  it.each([
    ["twoMoons", () => datasets.twoMoons({ samples: 101, seed: 3 })],
    ["circles", () => datasets.circles({ samples: 101, seed: 3 })],
    ["spiral", () => datasets.spiral({ samples: 101, seed: 3 })],
    ["blobs", () => datasets.blobs({ samples: 101, seed: 3, classes: 3 })],
  ] as const)("%s: seeded, balanced, the promised shape", (_name, make) => {
    const a = make(),
      b = make();
    expect(a.x.shape).toEqual([101, 2]);
    expect(a.x.data).toEqual(b.x.data);
    expect(a.labels.length).toBe(101);
    const counts = Array.from({ length: a.classes }, (_, c) => a.labels.filter((l) => l === c).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(a.x.data.every(Number.isFinite)).toBe(true);
  });

  it("spiral arms wind around each other; circles have the promised radii", () => {
    const s = datasets.spiral({ samples: 400, noise: 0, turns: 1.5 });
    const radius = (i: number) => Math.hypot(s.x.data[2 * i]!, s.x.data[2 * i + 1]!);
    expect(radius(199)).toBeGreaterThan(0.95); // the end of arm 0
    expect(radius(0)).toBe(0);
    const c = datasets.circles({ samples: 100, noise: 0, factor: 0.3 });
    expect(Math.hypot(c.x.data[0]!, c.x.data[1]!)).toBeCloseTo(1, 6);
    expect(Math.hypot(c.x.data[198]!, c.x.data[199]!)).toBeCloseTo(0.3, 6);
  });

  it("split: disjoint, complete, seeded", () => {
    const d = datasets.twoMoons({ samples: 50, seed: 1 });
    const { train, test } = datasets.trainTestSplit(d, 0.2, 5);
    expect(train.labels.length + test.labels.length).toBe(50);
    expect(test.labels.length).toBe(10);
    const rows = (p: typeof train) =>
      Array.from({ length: p.labels.length }, (_, i) => `${p.x.data[2 * i]},${p.x.data[2 * i + 1]}`);
    expect(new Set([...rows(train), ...rows(test)]).size).toBe(50);
    expect(datasets.trainTestSplit(d, 0.2, 5).test.x.data).toEqual(test.x.data);
  });

  it("regression sets: seeded, targets in [-1, 1], the promised functions without noise", () => {
    for (const make of [datasets.plane, datasets.gaussianBumps]) {
      const a = make({ samples: 301, noise: 0.2, seed: 4 }),
        b = make({ samples: 301, noise: 0.2, seed: 4 });
      expect(a.x.shape).toEqual([301, 2]);
      expect(a.x.data).toEqual(b.x.data);
      expect(a.y).toEqual(b.y);
      expect(a.y.every((v) => v >= -1 && v <= 1)).toBe(true);
      expect(a.x.data.every((v) => v >= -1.5 && v <= 1.5)).toBe(true);
      expect(make({ samples: 301, noise: 0.2, seed: 5 }).y).not.toEqual(a.y);
    }
    const p = datasets.plane({ samples: 50, seed: 2 });
    p.y.forEach((v, i) => expect(v).toBeCloseTo((p.x.data[2 * i]! + p.x.data[2 * i + 1]!) / 3, 6));
    // Bumps alternate in sign: +1 at the origin and the corners, -1 on the edges' midpoints, as the points near them
    // show.
    const g = datasets.gaussianBumps({ samples: 4000, seed: 2 });
    const near = (cx: number, cy: number): number[] =>
      Array.from(g.y).filter((_, i) => Math.hypot(g.x.data[2 * i]! - cx, g.x.data[2 * i + 1]! - cy) < 0.1);
    expect(Math.min(...near(0, 0), ...near(1, 1), ...near(-1, -1))).toBeGreaterThan(0.8);
    expect(Math.max(...near(1, 0), ...near(0, -1))).toBeLessThan(-0.8);
  });

  it("refuses bad options by name", () => {
    expect(() => datasets.plane({ noise: Number.NaN })).toThrow(/plane.noise/);
    expect(() => datasets.gaussianBumps({ samples: 0 })).toThrow(/gaussianBumps.samples/);
    expect(() => datasets.spiral({ samples: 1 })).toThrow(ArgumentError);
    expect(() => datasets.blobs({ classes: 1 })).toThrow(/blobs.classes/);
    expect(() => datasets.circles({ noise: -1 })).toThrow(/circles.noise/);
    expect(() => datasets.trainTestSplit(datasets.xor(), 1)).toThrow(/testFraction/);
  });
});
