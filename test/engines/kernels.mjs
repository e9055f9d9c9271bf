// The core kernels on any engine: each wasm kernel against its pure-JS twin (within float32
// rounding), plus a hash of the wasm outputs, which must match the Node run's bit for bit.
import { hashFloat32 } from "./hash.mjs";

const ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu", "leakyRelu", "elu", "selu", "softplus", "silu", "gelu"];

/** n exactly representable values in [-4, 4), the same on every engine (no Math.random). */
function values(n, salt) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (((Math.imul(i + 1, 0x9e3779b1 + salt) >>> 0) % 2048) - 1024) / 256;
  return out;
}

/** Runs both backends through `body`, which returns the outputs to compare. */
export async function checkKernels(simdnet, wasm) {
  const js = await simdnet.createBackend({ backend: "js" });
  const failures = [],
    outputs = [];
  let checks = 0;
  const tensor = (backend, data) => {
    const t = backend.alloc(data.length);
    backend.write(t, data);
    return t;
  };
  const compare = (name, body, tolerance) => {
    const got = body(wasm),
      want = body(js);
    checks++;
    outputs.push(got);
    for (let i = 0; i < want.length; i++) {
      const ok = Number.isNaN(want[i])
        ? Number.isNaN(got[i])
        : Math.abs(got[i] - want[i]) <= tolerance * Math.max(1, Math.abs(want[i]));
      if (!ok) {
        failures.push(`${name}[${i}]: wasm ${got[i]}, js ${want[i]}`);
        return;
      }
    }
  };

  // sgemm in all four transpose modes, sizes off the 4x8 micro-kernel's grid.
  const [m, n, k] = [13, 11, 37];
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ]) {
    compare(
      `sgemm(${ta ? "T" : "N"}${tb ? "T" : "N"})`,
      (b) => {
        const c = tensor(b, values(m * n, 3));
        b.sgemm(ta, tb, m, n, k, 0.5, tensor(b, values(m * k, 1)), tensor(b, values(k * n, 2)), 0.25, c);
        return b.read(c);
      },
      1e-5,
    );
  }
  compare(
    "addBias+sumRows",
    (b) => {
      const x = tensor(b, values(6 * 5, 4)),
        out = b.alloc(5);
      b.addBias(x, tensor(b, values(5, 5)), 6, 5);
      b.sumRows(x, out, 6, 5);
      return Float32Array.of(...b.read(x), ...b.read(out));
    },
    1e-6,
  );
  for (const name of ACTIVATIONS) {
    compare(
      `activation ${name}`,
      (b) => {
        const z = tensor(b, values(67, 6)),
          y = b.alloc(67),
          dz = b.alloc(67);
        b.activation(name, z, y, 0.1);
        b.activationGrad(name, z, tensor(b, values(67, 7)), dz, 0.1);
        return Float32Array.of(...b.read(y), ...b.read(dz));
      },
      2e-6,
    );
  }
  for (const cols of [3, 40]) {
    // the four-rows-per-vector path and the row-at-a-time path
    compare(
      `softmax ${cols} columns`,
      (b) => {
        const x = tensor(b, values(9 * cols, 8)),
          y = b.alloc(9 * cols),
          dx = b.alloc(9 * cols);
        b.softmax(x, y, 9, cols);
        b.softmaxGrad(y, tensor(b, values(9 * cols, 9)), dx, 9, cols);
        return Float32Array.of(...b.read(y), ...b.read(dx));
      },
      2e-6,
    );
  }
  compare(
    "random bits",
    (b) => {
      // integer xoshiro128**: identical, not just close
      const out = b.alloc(64);
      b.fillBits(b.random(7, 3), out);
      return new Float32Array(new Uint32Array(b.read(out).buffer).map((u) => u >>> 8));
    },
    0,
  );
  compare(
    "random normal",
    (b) => {
      const out = b.alloc(101);
      b.fillNormal(b.random(7, 4), out, 0, 1);
      return b.read(out);
    },
    2e-5,
  );
  compare(
    "adam step",
    (b) => {
      const w = tensor(b, values(29, 10)),
        m1 = b.alloc(29),
        v = b.alloc(29);
      b.fill(m1, 0);
      b.fill(v, 0);
      const u = simdnet.updateParams,
        p = new Float32Array(u.UPDATE_PARAMS);
      p[u.PARAM_LR] = 0.01;
      p[u.PARAM_GRAD_SCALE] = 1;
      p[u.ADAM_BETA1] = 0.9;
      p[u.ADAM_BETA2] = 0.999;
      p[u.ADAM_EPS] = 1e-8;
      p[u.ADAM_STEP_SIZE] = 0.1;
      p[u.ADAM_INV_ROOT_BC2] = 1 / Math.sqrt(0.001);
      for (let s = 0; s < 3; s++) b.optimizerStep("adam", w, tensor(b, values(29, 11 + s)), [m1, v], p);
      return b.read(w);
    },
    1e-5,
  );
  js.dispose();
  return { checks, failures, hash: hashFloat32(outputs) };
}
