/**
 * simdnet/onnx: dense networks in and out of ONNX (PyTorch, Keras via tf2onnx, ONNX Runtime).
 * @packageDocumentation
 */
export { importOnnx, readOnnx, SUPPORTED_OPS, MIN_OPSET, MAX_OPSET } from "./import.js";
export type { OnnxImportOptions } from "./import.js";
export { exportOnnx } from "./export.js";
export type { OnnxExportOptions } from "./export.js";
export type { DenseStack, ImportOptions } from "./stack.js";
