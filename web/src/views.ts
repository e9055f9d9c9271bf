// Drawing on canvases: the output over the plane with the points, the loss chart, a layer's
// histogram and the sparklines. Canvases are sized in CSS pixels and drawn at the screen's
// pixel ratio, so lines and text stay sharp on phones.
import type { Ready, Snapshot } from "./protocol.js";

export const BLUE = [43, 108, 176] as const,
  ORANGE = [221, 107, 32] as const;
const INK = "#4a5568",
  GRID_LINE = "#e2e8f0";

/** A 2-D context for a canvas of w x h CSS pixels, backed by w*dpr x h*dpr pixels, cleared. */
export function context(canvas: HTMLCanvasElement, w: number, h: number): CanvasRenderingContext2D {
  const dpr = Math.min(3, globalThis.devicePixelRatio || 1);
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
  }
  const ctx = canvas.getContext("2d")!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return ctx;
}

/** A value in [-1, 1] as a colour: blue below 0, white at 0, orange above (the class colours). */
export function diverging(v: number): [number, number, number] {
  const t = Math.min(1, Math.abs(v)) * 0.85,
    c = v < 0 ? BLUE : ORANGE;
  return [255 - (255 - c[0]) * t, 255 - (255 - c[1]) * t, 255 - (255 - c[2]) * t];
}

/** Writes n x n values, mapped to [-1, 1] by `toUnit`, as colours into `image` from column
 *  `left` (greyed when `grey`). */
export function paintHeat(
  image: ImageData,
  left: number,
  values: ArrayLike<number>,
  offset: number,
  n: number,
  toUnit: (v: number) => number,
  grey = false,
): void {
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      let [red, green, blue] = diverging(toUnit(values[offset + r * n + c]!));
      if (grey) {
        const y = 0.3 * red + 0.59 * green + 0.11 * blue;
        red = green = blue = 200 + (y - 200) * 0.25;
      }
      const at = 4 * (r * image.width + left + c);
      image.data[at] = red;
      image.data[at + 1] = green;
      image.data[at + 2] = blue;
      image.data[at + 3] = 255;
    }
  }
}

const tiles = new Map<number, HTMLCanvasElement>();

/** n x n values as a small canvas (one per size, reused: draw it before the next call), for
 *  drawImage to scale up smoothly. */
export function heatTile(
  values: ArrayLike<number>,
  offset: number,
  n: number,
  toUnit: (v: number) => number,
): HTMLCanvasElement {
  let tile = tiles.get(n);
  if (!tile) {
    tile = document.createElement("canvas");
    tile.width = tile.height = n;
    tiles.set(n, tile);
  }
  const ctx = tile.getContext("2d")!,
    image = ctx.createImageData(n, n);
  paintHeat(image, 0, values, offset, n, toUnit);
  ctx.putImageData(image, 0, 0);
  return tile;
}

/** The output over the plane (class-1 probability, or the regression value), smoothed from
 *  the grid by bilinear scaling, then the points: training filled, test ringed. */
export function drawBoundary(
  canvas: HTMLCanvasElement,
  size: number,
  s: Snapshot,
  points: Ready["points"] | null,
): void {
  const ctx = context(canvas, size, size);
  const toUnit = s.regression ? (v: number) => v : (p: number) => 2 * p - 1;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(heatTile(s.grid, 0, s.gridSize, toUnit), 0, 0, size, size);
  if (!points) return;
  const { x0, x1, y0, y1 } = s.extent,
    radius = size < 300 ? 2.5 : 3;
  for (let i = 0; i < points.y.length; i++) {
    const px = ((points.x[2 * i]! - x0) / (x1 - x0)) * size,
      py = ((y1 - points.x[2 * i + 1]!) / (y1 - y0)) * size;
    const v = points.y[i]!,
      rgb = s.regression ? diverging(v).map((c) => c * 0.8) : v ? ORANGE : BLUE;
    const color = `rgb(${rgb.join(",")})`;
    ctx.beginPath();
    ctx.arc(px, py, radius, 0, 2 * Math.PI);
    if (i < points.trainCount) {
      ctx.fillStyle = color;
      ctx.fill();
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 1;
      ctx.stroke();
    } else {
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.stroke();
    }
  }
}

/** Round tick values (1, 2, 5 x 10^k) covering [lo, hi], about `count` of them. */
export function ticks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / Math.max(1, count),
    mag = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** A number short enough for an axis: 3 significant digits, exponent form outside [1e-3, 1e5). */
export function short(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a < 1e-3 || a >= 1e5 ? v.toExponential(0).replace("e+", "e") : String(Number(v.toPrecision(3)));
}

export interface LossPoint {
  epoch: number;
  train: number;
  test: number;
}

/** Train and test loss by epoch, with labelled axes; the loss axis is logarithmic only when
 *  the values span more than a factor 20 (a flat curve reads better on a linear axis). */
export function drawLoss(
  canvas: HTMLCanvasElement,
  w: number,
  h: number,
  history: LossPoint[],
  lossName: string,
): void {
  const ctx = context(canvas, w, h);
  const left = 46,
    right = 10,
    top = 10,
    bottom = 34;
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillStyle = INK;
  const values = history.flatMap((p) => [p.train, p.test]).filter((v) => Number.isFinite(v));
  ctx.save();
  ctx.translate(11, top + (h - top - bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  const min = Math.min(...values),
    max = Math.max(...values);
  const log = values.length > 0 && min > 0 && max / min > 20;
  ctx.fillText(`${lossName}${log ? " (log scale)" : ""}`, 0, 0, h - top - bottom + 20);
  ctx.restore();
  ctx.textAlign = "center";
  ctx.fillText("epoch", left + (w - left - right) / 2, h - 3);
  if (values.length === 0) return;
  const last = Math.max(1, history[history.length - 1]!.epoch),
    first = history[0]!.epoch;
  const f = log ? Math.log10 : (v: number) => v;
  let lo = log ? Math.floor(f(min) * 2) / 2 : 0,
    hi = log ? Math.ceil(f(max) * 2) / 2 : max * 1.05 || 1;
  if (hi - lo < 1e-12) hi = lo + 1;
  const x = (e: number): number => left + ((e - first) / Math.max(1, last - first)) * (w - left - right);
  const y = (v: number): number => top + ((hi - f(Math.max(v, 1e-30))) / (hi - lo)) * (h - top - bottom);
  ctx.strokeStyle = GRID_LINE;
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  const yTicks = log
    ? ticks(lo, hi, 4)
        .filter((d) => Number.isInteger(d))
        .map((d) => 10 ** d)
    : ticks(lo, hi, 4);
  for (const t of yTicks) {
    ctx.beginPath();
    ctx.moveTo(left, y(t));
    ctx.lineTo(w - right, y(t));
    ctx.stroke();
    ctx.fillText(short(t), left - 4, y(t) + 4);
  }
  ctx.textAlign = "center";
  for (const t of ticks(first, last, 5).filter((t) => Number.isInteger(t))) {
    ctx.beginPath();
    ctx.moveTo(x(t), top);
    ctx.lineTo(x(t), h - bottom);
    ctx.stroke();
    ctx.fillText(String(t), x(t), h - bottom + 13);
  }
  ctx.strokeStyle = INK;
  ctx.beginPath();
  ctx.moveTo(left, top);
  ctx.lineTo(left, h - bottom);
  ctx.lineTo(w - right, h - bottom);
  ctx.stroke();
  for (const [key, color] of [
    ["train", BLUE],
    ["test", ORANGE],
  ] as const) {
    ctx.strokeStyle = `rgb(${color.join(",")})`;
    ctx.lineWidth = 2;
    ctx.beginPath();
    history.forEach((p, i) => {
      if (i === 0) ctx.moveTo(x(p.epoch), y(p[key]));
      else ctx.lineTo(x(p.epoch), y(p[key]));
    });
    if (history.length === 1) {
      ctx.arc(x(history[0]!.epoch), y(history[0]![key]), 2, 0, 2 * Math.PI);
    }
    ctx.stroke();
  }
}

/** A histogram's bars over [lo, hi], scaled to the tallest, with the range on the axis. */
export function drawHistogram(
  canvas: HTMLCanvasElement,
  w: number,
  h: number,
  hist: { lo: number; hi: number; counts: number[] },
): void {
  const ctx = context(canvas, w, h),
    bottom = 14,
    plot = h - bottom - 2;
  const top = Math.max(1, ...hist.counts),
    bar = w / hist.counts.length;
  ctx.fillStyle = "#2b6cb0";
  hist.counts.forEach((c, k) => {
    const bh = c > 0 ? Math.max(1, (c / top) * plot) : 0;
    ctx.fillRect(k * bar + 0.5, plot + 2 - bh, bar - 1, bh);
  });
  ctx.strokeStyle = INK;
  ctx.beginPath();
  ctx.moveTo(0, plot + 2.5);
  ctx.lineTo(w, plot + 2.5);
  ctx.stroke();
  ctx.fillStyle = INK;
  ctx.font = "10px system-ui, sans-serif";
  ctx.textAlign = "left";
  ctx.fillText(short(hist.lo), 0, h - 2);
  ctx.textAlign = "center";
  ctx.fillText(short((hist.lo + hist.hi) / 2), w / 2, h - 2);
  ctx.textAlign = "right";
  ctx.fillText(short(hist.hi), w, h - 2);
}

/** A metric's values over the epochs as a small line (its own range; a flat line at mid-height when constant). */
export function drawSparkline(canvas: HTMLCanvasElement, w: number, h: number, values: number[]): void {
  const ctx = context(canvas, w, h);
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2) return;
  const lo = Math.min(...finite),
    hi = Math.max(...finite);
  ctx.strokeStyle = "#2b6cb0";
  ctx.lineWidth = 1.25;
  ctx.beginPath();
  values.forEach((v, i) => {
    const px = (i / (values.length - 1)) * (w - 2) + 1,
      py = hi > lo ? 1 + ((hi - (Number.isFinite(v) ? v : lo)) / (hi - lo)) * (h - 2) : h / 2;
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  });
  ctx.stroke();
}
