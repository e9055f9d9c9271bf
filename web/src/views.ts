// Drawing on canvases: the decision boundary with the points, the loss curves, a histogram.
import type { Ready, Snapshot } from "./protocol.js";

const BLUE = [43, 108, 176], ORANGE = [221, 107, 32];

/** The probability of class 1 as a blue-to-orange heat map, then the points on top. */
export function drawBoundary(canvas: HTMLCanvasElement, s: Snapshot, points: Ready["points"] | null): void {
  const ctx = canvas.getContext("2d")!, n = s.gridSize, w = canvas.width, h = canvas.height;
  const image = ctx.createImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const p = s.grid[i]!;
    const [r, g, b] = BLUE.map((c, k) => 255 - (255 - (p < 0.5 ? c : ORANGE[k]!)) * Math.abs(p - 0.5) * 1.6);
    image.data.set([r!, g!, b!, 255], 4 * i);
  }
  const tile = document.createElement("canvas");
  tile.width = tile.height = n;
  tile.getContext("2d")!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tile, 0, 0, w, h);
  if (!points) return;
  const { x0, x1, y0, y1 } = s.extent;
  for (let i = 0; i < points.labels.length; i++) {
    const px = ((points.x[2 * i]! - x0) / (x1 - x0)) * w, py = ((y1 - points.x[2 * i + 1]!) / (y1 - y0)) * h;
    const color = `rgb(${(points.labels[i] ? ORANGE : BLUE).join(",")})`;
    ctx.beginPath();
    ctx.arc(px, py, 3, 0, 2 * Math.PI);
    if (i < points.trainCount) { ctx.fillStyle = color; ctx.fill(); ctx.strokeStyle = "#fff"; ctx.lineWidth = 1; ctx.stroke(); }
    else { ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.stroke(); }
  }
}

/** Train and test loss by epoch on a log scale. */
export function drawLoss(canvas: HTMLCanvasElement, history: { epoch: number; train: number; test: number }[]): void {
  const ctx = canvas.getContext("2d")!, w = canvas.width, h = canvas.height, pad = 28;
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, w, h);
  const values = history.flatMap((p) => [p.train, p.test]).filter((v) => v > 0 && Number.isFinite(v));
  if (values.length === 0) return;
  const lo = Math.log10(Math.min(...values)) - 0.05, hi = Math.log10(Math.max(...values)) + 0.05;
  const last = Math.max(1, history[history.length - 1]!.epoch);
  const x = (e: number): number => pad + (e / last) * (w - pad - 8);
  const y = (v: number): number => 8 + ((hi - Math.log10(v)) / (hi - lo || 1)) * (h - pad - 8);
  ctx.strokeStyle = "#cbd5e0";
  ctx.fillStyle = "#4a5568";
  ctx.font = "11px system-ui";
  for (let d = Math.ceil(lo); d <= Math.floor(hi); d++) {
    ctx.beginPath(); ctx.moveTo(pad, y(10 ** d)); ctx.lineTo(w - 8, y(10 ** d)); ctx.stroke();
    ctx.fillText(`1e${d}`, 0, y(10 ** d) + 4);
  }
  ctx.fillText(`epoch ${last}`, w - 70, h - 6);
  for (const [key, color] of [["train", BLUE], ["test", ORANGE]] as const) {
    ctx.strokeStyle = `rgb(${color.join(",")})`;
    ctx.lineWidth = 2;
    ctx.beginPath();
    history.forEach((p, i) => { const v = Math.max(p[key], 1e-12); if (i === 0) ctx.moveTo(x(p.epoch), y(v)); else ctx.lineTo(x(p.epoch), y(v)); });
    ctx.stroke();
  }
}

/** A histogram's bars over [lo, hi], scaled to the tallest. */
export function drawHistogram(canvas: HTMLCanvasElement, hist: { lo: number; hi: number; counts: number[] }): void {
  const ctx = canvas.getContext("2d")!, w = canvas.width, h = canvas.height - 12;
  const top = Math.max(1, ...hist.counts), bar = w / hist.counts.length;
  ctx.clearRect(0, 0, w, canvas.height);
  ctx.fillStyle = "#2b6cb0";
  hist.counts.forEach((c, k) => { const bh = (c / top) * h; ctx.fillRect(k * bar + 1, h - bh, bar - 2, bh); });
  ctx.fillStyle = "#4a5568";
  ctx.font = "10px system-ui";
  ctx.fillText(String(hist.lo), 0, canvas.height - 1);
  ctx.fillText(String(hist.hi), w - 14, canvas.height - 1);
}
