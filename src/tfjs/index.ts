/**
 * simdnet/tfjs: dense networks in and out of the TF.js layers format (TF.js, and Keras through
 * tensorflowjs_converter).
 * @packageDocumentation
 */
export { fromTfjs, readTfjs, SUPPORTED_LAYERS } from "./import.js";
export type { TfjsArtifacts } from "./import.js";
export { toTfjs } from "./export.js";
export type { DenseStack, ImportOptions } from "../onnx/stack.js";
