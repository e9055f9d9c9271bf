// The performance goals, each checked on figures measured in the same run (so the ratios
// see the same machine state). A goal whose figures were not measured is skipped.
import type { Impl, Row, TargetResult } from "./report.js";

const ACTIVATIONS = ["sigmoid", "tanh", "relu", "leakyRelu", "elu", "selu", "softplus", "silu", "gelu"];

type Lookup = (caseName: string, impl: Impl, size?: number) => number | undefined;

function lookup(rows: Row[]): Lookup {
  // sgemm rows are found by their square size, activation rows by their element count
  // (softmax and init rows have one shape per run).
  return (caseName, impl, size) =>
    rows.find(
      (r) =>
        r.case === caseName &&
        (size === undefined || r.shape === `${size}x${size}x${size}` || r.shape === String(size)),
    )?.results[impl];
}

function ratio(goal: string, num: number | undefined, den: number | undefined, threshold: number): TargetResult {
  if (num === undefined || den === undefined || !(den > 0)) return { goal, threshold, pass: null };
  const r = num / den;
  return { goal, ratio: r, threshold, pass: r >= threshold };
}

function absolute(goal: string, value: number | undefined, threshold: number): TargetResult {
  if (value === undefined) return { goal, threshold, pass: null };
  return { goal, value, threshold, pass: value >= threshold };
}

function sgemmTargets(get: Lookup, sizes: number[]): TargetResult[] {
  const out: TargetResult[] = [];
  const nn = (size: number, impl: Impl): number | undefined => get("sgemm-NN", impl, size);
  out.push(ratio("sgemm-NN 64: simdnet / tfjs-wasm", nn(64, "simdnet"), nn(64, "tfjs-wasm"), 2));
  for (const s of [128, 256, 512]) {
    out.push(ratio(`sgemm-NN ${s}: simdnet / tfjs-wasm`, nn(s, "simdnet"), nn(s, "tfjs-wasm"), 1.15));
  }
  out.push(ratio("sgemm-NN 1024: simdnet / tfjs-wasm", nn(1024, "simdnet"), nn(1024, "tfjs-wasm"), 1.05));
  out.push(ratio("sgemm-NN 256: simdnet / probe", nn(256, "simdnet"), nn(256, "probe"), 0.9));
  for (const variant of ["sgemm-TN", "sgemm-NT"]) {
    for (const s of sizes) {
      out.push(ratio(`${variant} ${s}: simdnet / simdnet sgemm-NN`, get(variant, "simdnet", s), nn(s, "simdnet"), 0.8));
    }
  }
  return out;
}

function activationTargets(get: Lookup, elements: number[]): TargetResult[] {
  const out: TargetResult[] = [];
  for (const n of elements) {
    const at = (name: string, impl: Impl): number | undefined => get(name, impl, n);
    for (const name of ["sigmoid", "tanh"]) {
      out.push(
        ratio(`${name} ${n}: simdnet / tfjs-wasm sigmoid`, at(name, "simdnet"), at("sigmoid", "tfjs-wasm"), 1.25),
      );
    }
    for (const name of ["relu", "leakyRelu"]) {
      out.push(absolute(`${name} ${n}: simdnet Gelem/s`, at(name, "simdnet"), 5));
      out.push(ratio(`${name} ${n}: simdnet / tfjs-wasm relu`, at(name, "simdnet"), at("relu", "tfjs-wasm"), 0.6));
      out.push(
        ratio(`${name} ${n}: simdnet / tfjs-wasm leakyRelu`, at(name, "simdnet"), at("leakyRelu", "tfjs-wasm"), 25),
      );
    }
    for (const row of [...ACTIVATIONS, ...ACTIVATIONS.map((a) => `${a}-grad`)]) {
      out.push(ratio(`${row} ${n}: simdnet / simdnet-js`, at(row, "simdnet"), at(row, "simdnet-js"), 8));
    }
  }
  for (const row of ["softmax", "softmax-grad"]) {
    out.push(ratio(`${row}: simdnet / simdnet-js`, get(row, "simdnet"), get(row, "simdnet-js"), 8));
  }
  return out;
}

function initTargets(get: Lookup): TargetResult[] {
  const out: TargetResult[] = [];
  for (const name of ["heNormal", "glorotNormal"]) {
    out.push(
      ratio(
        `init-${name}: simdnet / tfjs-wasm truncatedNormal`,
        get(`init-${name}`, "simdnet"),
        get(`init-${name}`, "tfjs-wasm"),
        6,
      ),
    );
  }
  for (const name of ["glorotUniform", "heUniform", "uniform"]) {
    out.push(
      ratio(
        `init-${name}: simdnet / tfjs-wasm randomUniform`,
        get(`init-${name}`, "simdnet"),
        get(`init-${name}`, "tfjs-wasm"),
        4,
      ),
    );
  }
  return out;
}

/** Every goal, in the order they are printed. `sgemmSizes`: the sizes the TN/NT goals cover. */
export function checkTargets(rows: Row[], sgemmSizes: number[], elements: number[]): TargetResult[] {
  const get = lookup(rows);
  return [...sgemmTargets(get, sgemmSizes), ...activationTargets(get, elements), ...initTargets(get)];
}
