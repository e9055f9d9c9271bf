// Timing for the benchmarks: warm-up, calibration and interleaved median sampling.
//
// The machine the suite runs on is shared and noisy, so every contender of a case is timed
// in the same rounds: round r times contender (r + i) mod n as the i-th, so a slow patch
// of the machine hits all contenders about equally and the position in the round rotates.
// Each sample repeats the call enough times to last >= `sampleMs`, which keeps timer
// resolution and per-call jitter small; the reported time is the median over samples.

/** A prepared call: inputs allocated and filled, ready to run over and over. */
export interface Runner {
  /** One call of the measured operation (awaited when `async`, e.g. TF.js trainOnBatch). */
  run(): void | Promise<unknown>;
  readonly async?: boolean;
  /** Units of work one call does (FLOPs, elements, samples), for the rate. */
  readonly work: number;
  /** The call's result, for the cross-check between contenders (not timed). */
  output?(): Float32Array;
  dispose(): void;
}

/** One implementation's entry in a case. */
export interface Contender {
  readonly name: string;
  /** Runs before each of its samples, untimed (e.g. tf.setBackend for the tfjs peers). */
  enter?(): Promise<void>;
  prepare(): Runner | Promise<Runner>;
}

export interface TimingOptions {
  /** Minimum length of one sample. */
  sampleMs: number;
  /** Number of samples per contender (the median is taken over them). */
  samples: number;
  /** Warm-up per contender before calibration (JIT tiers, caches, wasm heap growth). */
  warmupMs: number;
}

export interface Measurement {
  /** Work per second, from the median time per call. */
  rate: number;
  /** Median seconds per call. */
  seconds: number;
  /** Interquartile range of the per-call time over the median: the noise of this figure. */
  spread: number;
  /** Calls per sample. */
  calls: number;
}

const now = (): number => performance.now();

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos),
    hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Times `calls` back-to-back calls; returns milliseconds. */
async function timeCalls(runner: Runner, calls: number): Promise<number> {
  const t0 = now();
  if (runner.async) for (let i = 0; i < calls; i++) await runner.run();
  else for (let i = 0; i < calls; i++) runner.run();
  return now() - t0;
}

/** Warms up, then picks how many calls make one sample last >= sampleMs. */
async function calibrate(runner: Runner, opts: TimingOptions): Promise<number> {
  let calls = 1;
  let spent = 0;
  // Warm-up doubles the batch until the warm-up budget is spent; the last batch's time
  // (already warm) gives the per-call estimate.
  let perCall = Infinity;
  while (spent < opts.warmupMs || calls < 2) {
    const ms = await timeCalls(runner, calls);
    spent += ms;
    perCall = ms / calls;
    if (spent >= opts.warmupMs) break;
    calls *= 2;
  }
  return Math.max(1, Math.ceil(opts.sampleMs / Math.max(perCall, 1e-6)));
}

export interface CaseResult {
  measurements: Map<string, Measurement>;
  /** Largest error of each contender's output against the first contender's (see maxError). */
  errors: Map<string, number>;
}

/**
 * Measures every contender of one case, interleaved. Contenders are prepared and warmed in
 * turn, then sampled round-robin; finally each one's output is compared with the first's.
 */
export async function measureCase(contenders: Contender[], opts: TimingOptions): Promise<CaseResult> {
  const prepared: { c: Contender; runner: Runner; calls: number; times: number[] }[] = [];
  try {
    for (const c of contenders) {
      await c.enter?.();
      const runner = await c.prepare();
      prepared.push({ c, runner, calls: await calibrate(runner, opts), times: [] });
    }
    for (let round = 0; round < opts.samples; round++) {
      for (let i = 0; i < prepared.length; i++) {
        const p = prepared[(round + i) % prepared.length]!;
        await p.c.enter?.();
        p.times.push((await timeCalls(p.runner, p.calls)) / p.calls);
      }
    }
    const measurements = new Map<string, Measurement>();
    for (const p of prepared) {
      const sorted = [...p.times].sort((a, b) => a - b);
      const median = quantile(sorted, 0.5);
      measurements.set(p.c.name, {
        rate: p.runner.work / (median / 1000),
        seconds: median / 1000,
        spread: (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / median,
        calls: p.calls,
      });
    }
    return { measurements, errors: await crossCheck(prepared) };
  } finally {
    for (const p of prepared) {
      await p.c.enter?.();
      p.runner.dispose();
    }
  }
}

/**
 * Runs each contender's `output()` once (untimed) and returns its largest error against the
 * first contender that has one. Catches a contender that computes something other than the
 * others (wrong transpose, wrong parameter, different formula).
 */
async function crossCheck(prepared: { c: Contender; runner: Runner }[]): Promise<Map<string, number>> {
  const errors = new Map<string, number>();
  let reference: Float32Array | undefined;
  for (const { c, runner } of prepared) {
    if (!runner.output) continue;
    await c.enter?.();
    const got = runner.output();
    if (reference) errors.set(c.name, maxError(got, reference));
    else reference = got;
  }
  return errors;
}

/** max |got - want| / max(1, |want|); Infinity on a length mismatch or NaN. */
export function maxError(got: Float32Array, want: Float32Array): number {
  if (got.length !== want.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const e = Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!));
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return worst;
}

/** Deterministic uniform floats in [lo, hi) (mulberry32): the same inputs for every contender. */
export function uniformData(length: number, lo: number, hi: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = lo + (hi - lo) * u;
  }
  return out;
}
