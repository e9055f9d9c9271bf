// The ONNX part of the smoke test, for the bundled engines (esbuild in Chromium, workerd):
// PyTorch's 4-16-3 export imported on the engine's wasm core predicts as PyTorch did, and
// survives exportOnnx and importOnnx again.
import bytes from "../fixtures/interop/relu-softmax-legacy.onnx";
import reference from "../fixtures/interop/relu-softmax-legacy.json";

const maxAbsDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** `onnx` is simdnet/onnx as the engine loaded it; `backend` a wasm backend from createBackend. */
export async function checkOnnx(onnx, backend) {
  const model = await onnx.importOnnx(bytes, { backend });
  const got = model.predict(reference.input).data,
    expected = reference.expected.flat();
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const back = await onnx.importOnnx(onnx.exportOnnx(model), { backend });
  const result = {
    core: model.backend.name,
    error: maxAbsDiff(got, expected) / scale,
    roundTrip: maxAbsDiff(back.predict(reference.input).data, got),
  };
  model.dispose();
  back.dispose();
  return result;
}
