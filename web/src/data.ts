// The playground's data: the library's seeded toy sets (XOR as a cloud of points), for
// classification with a class per row or for regression with a number in [-1, 1] per row.
import { datasets } from "../../src/index.js";
import { isRegression, type Setup } from "./config.js";

/** Inputs (n x 2, row-major) with a class (0 or 1) or a regression target per row. */
export interface PlayData {
  x: { data: Float32Array; shape: [number, number] };
  /** Classification: 0/1 per row. Regression: the target per row. */
  y: Float32Array;
}

/** The setup's data, split into train and test rows (seeded), scaled by the input scale. */
export function makeData(s: Setup): { train: PlayData; test: PlayData } {
  const all = isRegression(s.dataset) ? regression(s) : classification(s);
  if (s.inputScale !== 1)
    all.x.data.forEach((v, i) => {
      all.x.data[i] = v * s.inputScale;
    });
  // trainTestSplit shuffles rows with their labels; the targets ride along as row indices.
  const indexed = { x: all.x, labels: Int32Array.from(all.y, (_, i) => i), classes: 2 };
  const { train, test } = datasets.trainTestSplit(indexed, s.testFraction, s.seed);
  const part = (d: typeof train): PlayData => ({ x: d.x, y: Float32Array.from(d.labels, (i) => all.y[i]!) });
  return { train: part(train), test: part(test) };
}

function classification(s: Setup): PlayData {
  const o = { samples: s.samples, noise: s.noise, seed: s.seed };
  const d =
    s.dataset === "circles"
      ? datasets.circles(o)
      : s.dataset === "moons"
        ? datasets.twoMoons(o)
        : s.dataset === "spiral"
          ? datasets.spiral(o)
          : s.dataset === "blobs"
            ? datasets.blobs({ ...o, noise: 0.2 + s.noise })
            : xorCloud(s);
  return { x: d.x, y: Float32Array.from(d.labels) };
}

/** XOR as a cloud: four quadrants of points, class 1 where the signs differ. */
function xorCloud(s: Setup): datasets.Dataset {
  const d = datasets.blobs({ samples: s.samples, noise: 0.15 + s.noise, classes: 4, seed: s.seed });
  const corners = [
    [1, 1],
    [-1, 1],
    [-1, -1],
    [1, -1],
  ];
  const data = new Float32Array(d.x.data.length),
    labels = new Int32Array(d.labels.length);
  d.labels.forEach((c, i) => {
    const [cx, cy] = corners[c]!,
      a = (2 * Math.PI * c) / 4;
    data[2 * i] = d.x.data[2 * i]! - Math.cos(a) + cx! * 0.8;
    data[2 * i + 1] = d.x.data[2 * i + 1]! - Math.sin(a) + cy! * 0.8;
    labels[i] = c % 2;
  });
  return { x: { data, shape: d.x.shape }, labels, classes: 2 };
}

function regression(s: Setup): PlayData {
  const o = { samples: s.samples, noise: s.noise, seed: s.seed };
  return s.dataset === "plane" ? datasets.plane(o) : datasets.gaussianBumps(o);
}
