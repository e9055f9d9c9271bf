// simdnet's own contenders: any Backend (the wasm core as "simdnet", the pure-JS path as
// "simdnet-js") behind the same Runner shape, plus the wasm core's FLOP probe.
import { activationParameter, type ElementwiseActivation } from "../../src/activations.js";
import type { Backend, Tensor } from "../../src/backend/backend.js";
import type { WasmBackend } from "../../src/backend/wasm.js";
import type { Initializer } from "../../src/initializers.js";
import { PARAM_DECAY, PARAM_GRAD_SCALE, PARAM_LR, UPDATE_PARAMS } from "../../src/kernelCodes/updateParams.js";
import { descriptorOf, stateVectors, type OptimizerConfig } from "../../src/optimizers.js";
import type { Contender, Runner } from "../harness.js";
import type { SgemmInputs } from "../inputs.js";

/** Allocates tensors on `backend` and frees them all on dispose. */
class Tensors {
  private readonly owned: Tensor[] = [];
  constructor(private readonly backend: Backend) {}
  of(data: Float32Array): Tensor {
    const t = this.empty(data.length);
    this.backend.write(t, data);
    return t;
  }
  empty(length: number): Tensor {
    const t = this.backend.alloc(length);
    this.owned.push(t);
    return t;
  }
  dispose(): void {
    for (const t of this.owned) this.backend.free(t);
  }
}

/** One optimizer update of w.length parameters at its third step, out of place as a model
 *  stages it: the inputs stay as they are, so every run computes the same step. */
export function optimizerStep(
  name: string,
  backend: Backend,
  config: OptimizerConfig,
  w: Float32Array,
  g: Float32Array,
): Contender {
  return {
    name,
    prepare(): Runner {
      const ts = new Tensors(backend),
        d = descriptorOf(config),
        params = new Float32Array(UPDATE_PARAMS);
      params[PARAM_LR] = config.learningRate;
      params[PARAM_DECAY] = config.weightDecay;
      params[PARAM_GRAD_SCALE] = 1;
      d.writeParams(config, 3, config.learningRate, params);
      const squares = g.map((v) => 0.1 * v * v); // a state any optimizer's vectors may hold (never negative)
      const state = Array.from({ length: stateVectors(config) }, () => ts.of(squares));
      const tw = ts.of(w),
        tg = ts.of(g),
        out = { w: ts.empty(w.length), state: state.map(() => ts.empty(w.length)) };
      const run = (): void => backend.optimizerStep(d.kernel, tw, tg, state, params, out);
      return {
        work: w.length,
        run,
        output: () => {
          run();
          return backend.read(out.w);
        },
        dispose: () => ts.dispose(),
      };
    },
  };
}

export function sgemm(name: string, backend: Backend, x: SgemmInputs): Contender {
  return {
    name,
    prepare(): Runner {
      const ts = new Tensors(backend);
      const a = ts.of(x.a),
        b = ts.of(x.b),
        c = ts.empty(x.m * x.n);
      const run = (): void => backend.sgemm(x.transA, x.transB, x.m, x.n, x.k, 1, a, b, 0, c);
      return {
        work: 2 * x.m * x.n * x.k,
        run,
        output: () => {
          run();
          return backend.read(c);
        },
        dispose: () => ts.dispose(),
      };
    },
  };
}

export function activation(name: string, backend: Backend, fn: ElementwiseActivation, input: Float32Array): Contender {
  return {
    name,
    prepare(): Runner {
      const ts = new Tensors(backend);
      const x = ts.of(input),
        y = ts.empty(input.length);
      const alpha = activationParameter(fn);
      const run = (): void => backend.activation(fn, x, y, alpha);
      return {
        work: input.length,
        run,
        output: () => {
          run();
          return backend.read(y);
        },
        dispose: () => ts.dispose(),
      };
    },
  };
}

/** dz = dy * f'(z), z the pre-activation: what the model's backward pass calls. */
export function activationGrad(
  name: string,
  backend: Backend,
  fn: ElementwiseActivation,
  z: Float32Array,
  dy: Float32Array,
): Contender {
  return {
    name,
    prepare(): Runner {
      const ts = new Tensors(backend);
      const tz = ts.of(z),
        tdy = ts.of(dy),
        dz = ts.empty(z.length);
      const alpha = activationParameter(fn);
      const run = (): void => backend.activationGrad(fn, tz, tdy, dz, alpha);
      return {
        work: z.length,
        run,
        output: () => {
          run();
          return backend.read(dz);
        },
        dispose: () => ts.dispose(),
      };
    },
  };
}

export function softmax(name: string, backend: Backend, input: Float32Array, rows: number, cols: number): Contender {
  return {
    name,
    prepare(): Runner {
      const ts = new Tensors(backend);
      const x = ts.of(input),
        y = ts.empty(input.length);
      const run = (): void => backend.softmax(x, y, rows, cols);
      return {
        work: input.length,
        run,
        output: () => {
          run();
          return backend.read(y);
        },
        dispose: () => ts.dispose(),
      };
    },
  };
}

/** dx from the softmax output y and dy (y computed untimed in prepare). */
export function softmaxGrad(
  name: string,
  backend: Backend,
  input: Float32Array,
  dy: Float32Array,
  rows: number,
  cols: number,
): Contender {
  return {
    name,
    prepare(): Runner {
      const ts = new Tensors(backend);
      const y = ts.of(input),
        tdy = ts.of(dy),
        dx = ts.empty(input.length);
      backend.softmax(y, y, rows, cols);
      const run = (): void => backend.softmaxGrad(y, tdy, dx, rows, cols);
      return {
        work: input.length,
        run,
        output: () => {
          run();
          return backend.read(dx);
        },
        dispose: () => ts.dispose(),
      };
    },
  };
}

/** One fill of a [fanIn, fanOut] kernel; the stream keeps advancing across calls. */
export function initFill(name: string, backend: Backend, init: Initializer, fanIn: number, fanOut: number): Contender {
  return {
    name,
    prepare(): Runner {
      const ts = new Tensors(backend);
      const out = ts.empty(fanIn * fanOut);
      const rng = backend.random(42, 0);
      return {
        work: fanIn * fanOut,
        run: () => init.fill(backend, out, fanIn, fanOut, rng),
        dispose: () => {
          backend.freeRandom(rng);
          ts.dispose();
        },
      };
    },
  };
}

/**
 * The probe: 8 independent f32x4 chains of acc = acc * m + c, 64 FLOPs per iteration,
 * the core's attainable SIMD mul+add rate on this machine. Its rate does not depend on the
 * case; it is measured inside each sgemm case so it sees the same machine state.
 */
export function probe(name: string, wasm: WasmBackend, iterations = 1 << 20): Contender {
  return {
    name,
    prepare: (): Runner => ({
      work: iterations * 8 * 4 * 2,
      run: () => {
        wasm.core.probeChains(iterations);
      },
      dispose: () => {},
    }),
  };
}
