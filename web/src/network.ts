// The network view, as in the TensorFlow Playground: the two input features, every hidden unit
// as a heat map of its own output over the input plane, and the output, joined by edges
// coloured by the weight's sign (orange positive, blue negative) and as thick as its size.
// The article's failure modes show per unit: dead ReLUs greyed and crossed, saturated logistic
// or tanh units (on most training rows) framed in red.
import type { Snapshot, UnitView } from "./protocol.js";
import { BLUE, ORANGE, context, heatTile, paintHeat } from "./views.js";

const INPUT_TILE = 24;
/** Edge thickness levels: |w| in steps of 0.25 up to 3. */
const EDGE_LEVELS = 12;
const SATURATED = "#c53030";
const atlas = document.createElement("canvas");

/** Maps a unit's output to [-1, 1] for colouring: tanh as it is, logistic around 0.5, the
 *  unbounded ones by the unit's largest magnitude over the plane (so each shows its shape). */
function unitScale(activation: string, values: Float32Array, offset: number, length: number): (v: number) => number {
  if (activation === "tanh") return (v) => v;
  if (activation === "sigmoid") return (v) => 2 * v - 1;
  let max = 0;
  for (let i = offset; i < offset + length; i++) max = Math.max(max, Math.abs(values[i]!));
  return max > 0 ? (v) => v / max : () => 0;
}

/** Draws the network for a snapshot into a canvas `width` CSS pixels wide (its height follows
 *  from the widest layer) and records what it drew in data attributes for tests and tools. */
export function drawNetwork(canvas: HTMLCanvasElement, width: number, s: Snapshot): void {
  const hidden = s.layers.slice(0, -1);
  const columns = [2, ...hidden.map((l) => l.units), 1];
  const widest = Math.max(...columns),
    gap = 6,
    top = 30;
  const tile = Math.max(
    8,
    Math.min(44, Math.floor((width - 16) / (columns.length * 1.7)), Math.floor(560 / widest) - gap),
  );
  const height = top + widest * (tile + gap) + 4;
  const ctx = context(canvas, width, height);
  const colX = (j: number): number => 4 + (j * (width - tile - 8)) / (columns.length - 1);
  const nodeY = (j: number, u: number): number => top + ((widest - columns[j]!) * (tile + gap)) / 2 + u * (tile + gap);

  // Edges first, under the tiles: layer j's kernel is [inputs x units] row-major. Edges are
  // bucketed by sign and size, one path per bucket: hundreds of separate strokes are slow
  // on a canvas without a GPU.
  const buckets = new Map<string, Path2D>();
  s.layers.forEach((layer, j) => {
    const from = columns[j]!,
      to = columns[j + 1]!;
    for (let k = 0; k < from; k++) {
      for (let u = 0; u < to; u++) {
        const w = layer.kernel[k * to + u]!,
          level = Math.min(EDGE_LEVELS, Math.round(Math.abs(w) * 4));
        const key = `${w < 0 ? "-" : "+"}${level}`;
        const path = buckets.get(key) ?? new Path2D();
        buckets.set(key, path);
        path.moveTo(colX(j) + tile, nodeY(j, k) + tile / 2);
        path.lineTo(colX(j + 1), nodeY(j + 1, u) + tile / 2);
      }
    }
  });
  for (const [key, path] of buckets) {
    const size = Number(key.slice(1)) / 4;
    ctx.strokeStyle = `rgba(${(key[0] === "-" ? BLUE : ORANGE).join(",")},${Math.min(1, 0.15 + size * 0.8)})`;
    ctx.lineWidth = Math.min(6, Math.max(0.3, size * 2));
    ctx.stroke(path);
  }

  ctx.imageSmoothingEnabled = true;
  const feature = (axis: 0 | 1): Float32Array =>
    Float32Array.from({ length: INPUT_TILE * INPUT_TILE }, (_, i) =>
      axis === 0
        ? (2 * ((i % INPUT_TILE) + 0.5)) / INPUT_TILE - 1
        : 1 - (2 * (Math.floor(i / INPUT_TILE) + 0.5)) / INPUT_TILE,
    );
  [0, 1].forEach((axis) =>
    ctx.drawImage(
      heatTile(feature(axis as 0 | 1), 0, INPUT_TILE, (v) => v),
      colX(0),
      nodeY(0, axis),
      tile,
      tile,
    ),
  );
  // Every hidden unit's map side by side in one atlas (a pixel apart), put once, then scaled into place.
  const n = s.unitGridSize,
    cells = n * n,
    total = hidden.reduce((t, l) => t + l.units, 0);
  atlas.width = Math.max(1, total * (n + 1));
  atlas.height = n;
  const image = new ImageData(atlas.width, n);
  let index = 0,
    dead = 0,
    saturated = 0;
  const placed: { x: number; y: number; left: number; state: UnitView; layer: number; unit: number }[] = [];
  hidden.forEach((layer, l) => {
    layer.unitStates.forEach((state, u) => {
      const offset = index * cells,
        left = index * (n + 1);
      paintHeat(image, left, s.unitGrid, offset, n, unitScale(layer.activation, s.unitGrid, offset, cells), state.dead);
      placed.push({ x: colX(l + 1), y: nodeY(l + 1, u), left, state, layer: l, unit: u });
      index++;
    });
  });
  atlas.getContext("2d")!.putImageData(image, 0, 0);
  unitBoxes = placed.map(({ x, y, state, layer, unit }) => {
    const what = state.dead
      ? "dead (zero on every training point)"
      : state.saturated > 0
        ? `saturated on ${Math.round(state.saturated * 100)}% of the training points`
        : "alive";
    return { x, y, size: tile, text: `Layer ${layer + 1}, unit ${unit + 1}: ${what}` };
  });
  for (const { x, y, left, state } of placed) {
    ctx.drawImage(atlas, left, 0, n, n, x, y, tile, tile);
    if (state.dead) {
      dead++;
      ctx.strokeStyle = "#718096";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x + 2, y + 2);
      ctx.lineTo(x + tile - 2, y + tile - 2);
      ctx.stroke();
    }
    if (state.saturated > 0.5) {
      saturated++;
      ctx.strokeStyle = SATURATED;
      ctx.lineWidth = 3;
      ctx.strokeRect(x - 1.5, y - 1.5, tile + 3, tile + 3);
    } else {
      ctx.strokeStyle = "#a0aec0";
      ctx.lineWidth = 1;
      ctx.strokeRect(x - 0.5, y - 0.5, tile + 1, tile + 1);
    }
  }
  const out = colX(columns.length - 1);
  ctx.drawImage(
    heatTile(s.grid, 0, s.gridSize, s.regression ? (v) => v : (p) => 2 * p - 1),
    out,
    nodeY(columns.length - 1, 0),
    tile,
    tile,
  );
  ctx.strokeStyle = "#2d3748";
  ctx.lineWidth = 1;
  ctx.strokeRect(out - 0.5, nodeY(columns.length - 1, 0) - 0.5, tile + 1, tile + 1);

  // Column headings.
  ctx.fillStyle = "#2d3748";
  ctx.font = `${tile < 20 ? 9 : 11}px system-ui, sans-serif`;
  ctx.textAlign = "center";
  const label = (j: number, text: string, line: number): void => ctx.fillText(text, colX(j) + tile / 2, 11 + line * 12);
  if (colX(1) - colX(0) >= 56) {
    label(0, "inputs", 0);
    label(0, "x₁, x₂", 1);
    hidden.forEach((layer, l) => {
      label(l + 1, `${layer.units} ${shortName(layer.activation)}`, 0);
      label(l + 1, `layer ${l + 1}`, 1);
    });
    label(columns.length - 1, "output", 0);
  } else {
    // narrow columns (a deep net on a phone): numbers only
    label(0, "x₁, x₂", 1);
    hidden.forEach((_, l) => label(l + 1, `L${l + 1}`, 1));
    label(columns.length - 1, "out", 1);
  }

  Object.assign(canvas.dataset, { units: String(total), dead: String(dead), saturated: String(saturated) });
  canvas.setAttribute(
    "aria-label",
    `Network: 2 inputs, ${hidden.map((l) => `${l.units} ${l.activation}`).join(", ")}, 1 output; ` +
      `${total} hidden units, ${dead} dead, ${saturated} saturated`,
  );
}

/** Where the last drawing put each hidden unit, and what it says about it (for the tooltip). */
let unitBoxes: { x: number; y: number; size: number; text: string }[] = [];

/** The description of the unit under a point of the canvas (CSS pixels), or "". */
export function unitAt(x: number, y: number): string {
  return unitBoxes.find((b) => x >= b.x && x <= b.x + b.size && y >= b.y && y <= b.y + b.size)?.text ?? "";
}

const shortName = (a: string): string =>
  a === "leakyRelu" ? "leaky" : a === "sigmoid" ? "logistic" : a === "identity" ? "linear" : a;
