// A model's optimizer at run time: its state vectors and one update per step, through the one
// backend update call with the parameter block its descriptor fills.
import type { Backend, Tensor, UpdateKernel, UpdateOutputs } from "../backend/backend.js";
import { PARAM_DECAY, PARAM_GRAD_SCALE, PARAM_LR, UPDATE_PARAMS } from "../kernelCodes/updateParams.js";
import type { Network } from "../network.js";
import { rateAt } from "../schedules.js";
import type { OptimizerDescriptor } from "./descriptor.js";
import { descriptorOf, stateVectors, type OptimizerConfig } from "./registry.js";

/** A model's optimizer: state vectors laid out like the parameters ([kernels | biases]), the
 *  step count, and a preallocated parameter block so a step allocates nothing. Like the
 *  parameters (network.ts), every state vector exists twice: `stage` writes the new weights
 *  and state into the other copies, `commit` switches to them, so a failed update changes
 *  nothing and a staged update can be measured and dropped (the diagnostics do). */
export class OptimizerRunner {
  /** Optimizer steps taken (drives the bias correction and the schedule). */
  step = 0;
  private readonly storage: Tensor[] = [];
  // sides[s][part][vector]: side s's state vectors whole (part 0), their kernel part (1) and bias part (2).
  private readonly sides: [Tensor[], Tensor[], Tensor[]][] = [
    [[], [], []],
    [[], [], []],
  ];
  private current = 0;
  private readonly descriptor: OptimizerDescriptor;
  private readonly kernel: UpdateKernel;
  private readonly params = new Float32Array(UPDATE_PARAMS);
  private readonly outputs: UpdateOutputs = { w: null as unknown as Tensor, state: [] };

  constructor(
    private readonly backend: Backend,
    readonly config: OptimizerConfig,
    kernelCount: number,
    paramCount: number,
  ) {
    this.descriptor = descriptorOf(config);
    this.kernel = this.descriptor.kernel;
    for (let i = 0; i < stateVectors(config); i++) {
      let t: Tensor;
      try {
        t = backend.alloc(2 * paramCount);
      } catch (e) {
        this.dispose(); // out of memory: nothing of this optimizer stays allocated
        throw e;
      }
      backend.fill(t, 0);
      this.storage.push(t);
      for (const side of [0, 1]) {
        const whole = backend.slice(t, side * paramCount, paramCount),
          parts = this.sides[side]!;
        parts[0].push(whole);
        parts[1].push(backend.slice(whole, 0, kernelCount));
        parts[2].push(backend.slice(whole, kernelCount, paramCount - kernelCount));
      }
    }
  }

  /** The live state vectors (for save and load). */
  get state(): Tensor[] {
    return this.sides[this.current]![0];
  }

  /** The learning rate the next step will use. */
  get learningRate(): number {
    return rateAt(this.config.schedule, this.config.learningRate, this.step);
  }

  /** The factor clipping applies to gradients whose global norm is `norm` (1: none). */
  clipFactor(norm: number): number {
    const max = this.config.clipNorm;
    return max > 0 && norm > max ? max / (norm + 1e-6) : 1;
  }

  /** Writes the next step's weights and state, from the live ones and the gradients scaled by
   *  gradScale, into the other copies; nothing live changes until commit. */
  stage(net: Network, gradScale: number): void {
    const p = this.params,
      lr = this.learningRate;
    p[PARAM_LR] = lr;
    p[PARAM_GRAD_SCALE] = gradScale;
    this.descriptor.writeParams(this.config, this.step + 1, lr, p);
    const live = net.live,
      staged = net.staged;
    this.update(live.allKernels, net.allKernelGrads, staged.allKernels, 1, this.config.weightDecay);
    if (live.allBiases.length > 0) this.update(live.allBiases, net.allBiasGrads, staged.allBiases, 2, 0);
  }

  /** Makes the staged weights and state live and counts the step. */
  commit(net: Network): void {
    net.commit();
    this.current = 1 - this.current;
    this.step++;
  }

  private update(w: Tensor, g: Tensor, wOut: Tensor, part: 1 | 2, decay: number): void {
    const out = this.outputs;
    out.w = wOut;
    out.state = this.sides[1 - this.current]![part];
    this.params[PARAM_DECAY] = decay;
    this.backend.optimizerStep(this.kernel, w, g, this.sides[this.current]![part], this.params, out);
  }

  dispose(): void {
    for (const t of this.storage) this.backend.free(t);
  }
}
