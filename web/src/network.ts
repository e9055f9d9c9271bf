// The network view, as in the TensorFlow Playground: the two input features, every hidden unit
// as a heat map of its own output over the input plane, and the output, joined by edges
// coloured by the weight's sign (orange positive, blue negative) and as thick as its size.
// The article's failure modes show per unit: dead ReLUs greyed and crossed, saturated logistic
// or tanh units (on most training rows) framed in red.
import type { Snapshot } from "./protocol.js";
import { BLUE, ORANGE, context, heatTile } from "./views.js";

const INPUT_TILE = 24;
const SATURATED = "#c53030";

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
  const widest = Math.max(...columns), gap = 6, top = 30;
  const tile = Math.max(8, Math.min(44, Math.floor((width - 16) / (columns.length * 1.7)), Math.floor(560 / widest) - gap));
  const height = top + widest * (tile + gap) + 4;
  const ctx = context(canvas, width, height);
  const colX = (j: number): number => 4 + (j * (width - tile - 8)) / (columns.length - 1);
  const nodeY = (j: number, u: number): number => top + ((widest - columns[j]!) * (tile + gap)) / 2 + u * (tile + gap);

  // Edges first, under the tiles: layer j's kernel is [inputs x units] row-major.
  s.layers.forEach((layer, j) => {
    const from = columns[j]!, to = columns[j + 1]!;
    for (let k = 0; k < from; k++) {
      for (let u = 0; u < to; u++) {
        const w = layer.kernel[k * to + u]!, size = Math.abs(w);
        ctx.strokeStyle = `rgba(${(w < 0 ? BLUE : ORANGE).join(",")},${Math.min(1, 0.15 + size * 0.8)})`;
        ctx.lineWidth = Math.min(6, Math.max(0.3, size * 2));
        ctx.beginPath();
        ctx.moveTo(colX(j) + tile, nodeY(j, k) + tile / 2);
        ctx.lineTo(colX(j + 1), nodeY(j + 1, u) + tile / 2);
        ctx.stroke();
      }
    }
  });

  ctx.imageSmoothingEnabled = true;
  const cells = s.unitGridSize * s.unitGridSize;
  const feature = (axis: 0 | 1): Float32Array => Float32Array.from({ length: INPUT_TILE * INPUT_TILE }, (_, i) =>
    axis === 0 ? (2 * ((i % INPUT_TILE) + 0.5)) / INPUT_TILE - 1 : 1 - (2 * (Math.floor(i / INPUT_TILE) + 0.5)) / INPUT_TILE);
  [0, 1].forEach((axis) => ctx.drawImage(heatTile(feature(axis as 0 | 1), 0, INPUT_TILE, (v) => v), colX(0), nodeY(0, axis), tile, tile));
  let offset = 0, dead = 0, saturated = 0;
  hidden.forEach((layer, l) => {
    layer.unitStates.forEach((state, u) => {
      const scale = unitScale(layer.activation, s.unitGrid, offset + u * cells, cells);
      const x = colX(l + 1), y = nodeY(l + 1, u);
      ctx.drawImage(heatTile(s.unitGrid, offset + u * cells, s.unitGridSize, scale, state.dead), x, y, tile, tile);
      if (state.dead) {
        dead++;
        ctx.strokeStyle = "#718096";
        ctx.lineWidth = 1.5;
        ctx.beginPath(); ctx.moveTo(x + 2, y + 2); ctx.lineTo(x + tile - 2, y + tile - 2); ctx.stroke();
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
    });
    offset += layer.units * cells;
  });
  const out = colX(columns.length - 1);
  ctx.drawImage(heatTile(s.grid, 0, s.gridSize, s.regression ? (v) => v : (p) => 2 * p - 1), out, nodeY(columns.length - 1, 0), tile, tile);
  ctx.strokeStyle = "#2d3748";
  ctx.lineWidth = 1;
  ctx.strokeRect(out - 0.5, nodeY(columns.length - 1, 0) - 0.5, tile + 1, tile + 1);

  // Column headings.
  ctx.fillStyle = "#2d3748";
  ctx.font = `${tile < 20 ? 9 : 11}px system-ui, sans-serif`;
  ctx.textAlign = "center";
  const label = (j: number, text: string, line: number): void => ctx.fillText(text, colX(j) + tile / 2, 11 + line * 12);
  label(0, "inputs", 0); label(0, "x₁, x₂", 1);
  hidden.forEach((layer, l) => { label(l + 1, `${layer.units} ${shortName(layer.activation)}`, 0); label(l + 1, `layer ${l + 1}`, 1); });
  label(columns.length - 1, "output", 0);

  const units = hidden.reduce((n, l) => n + l.units, 0);
  Object.assign(canvas.dataset, { units: String(units), dead: String(dead), saturated: String(saturated) });
  canvas.setAttribute("aria-label", `Network: 2 inputs, ${hidden.map((l) => `${l.units} ${l.activation}`).join(", ")}, 1 output; `
    + `${units} hidden units, ${dead} dead, ${saturated} saturated`);
}

const shortName = (a: string): string => (a === "leakyRelu" ? "leaky" : a === "sigmoid" ? "logistic" : a === "identity" ? "linear" : a);
