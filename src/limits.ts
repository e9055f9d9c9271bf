// The size limits the library enforces, named once: createModel, loadModel, the importers and
// the data helpers check against these, so one limit cannot drift apart between two files.

/** Most units a layer may have (and classes oneHot makes): far beyond what fits in wasm memory with its neighbours. */
export const MAX_UNITS = 2 ** 20;
/** Most layers a model may have: createModel, saveModel and loadModel share this limit. */
export const MAX_LAYERS = 1000;
/** Most parameters (kernels and biases) a model may hold: 2^27 float32, 512 MB per copy. */
export const MAX_PARAMETERS = 2 ** 27;
/** Most elements of one tensor an ONNX or TF.js file may declare: as many as a model's parameters. */
export const MAX_IMPORTED_ELEMENTS = MAX_PARAMETERS;
/** Rows of one fit (and samples of a toy dataset) stay below 2^24: a row index held in float32
 *  (the shuffled order the backend gathers by) is exact only up to there. */
export const MAX_ROWS = 2 ** 24;
/**
 * Largest one-hot matrix oneHot makes (labels x classes): 1 GiB of float32; past it the allocation itself would fail.
 */
export const MAX_ONE_HOT_VALUES = 2 ** 28;
/** Bytes of batch buffers an inference chunk may take (predict, evaluate, diagnose outside a
 *  fit): as many rows as fit, at least one, so memory follows the model, not the input. */
export const INFERENCE_BYTES = 4 * 2 ** 20;
