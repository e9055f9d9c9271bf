/**
 * simdnet's public API: models (createModel, fit, predict, save and load), the activations,
 * initializers, losses, optimizers and schedules they are built from, diagnostics, the lessons,
 * seeded datasets, and the backends (the wasm SIMD core and its pure-JS twin).
 * @packageDocumentation
 */
export type { Backend, Tensor, RandomStream, UpdateKernel, UpdateOutputs } from "./backend/backend.js";
/** The parameter block layout of Backend.optimizerStep: slot indices and kernel codes. */
export * as updateParams from "./kernelCodes/updateParams.js";
export type { WasmSource } from "./wasm/load.js";
export { ArgumentError, InternalError, StateError, NonFiniteError } from "./errors.js";
export type { NonFiniteStage } from "./errors.js";
export { createModel, Model } from "./model.js";
export type {
  ModelOptions,
  LayerWeights,
  Prediction,
  Evaluation,
  EvaluateOptions,
  TrainOnBatchOptions,
  MetricName,
} from "./model.js";
export type { ClassWeight } from "./sampleWeights.js";
export { METRIC_NAMES, rocAuc } from "./metrics.js";
export type { Metric, MetricConfig } from "./metrics.js";
export type { Regularizer } from "./regularizers.js";
export type { Verbosity, ProgressOutput } from "./progress.js";
export type { DenseOptions, DenseLayer, InitializerInput, Layer, LayerOptions } from "./layers.js";
export type {
  ActivationLayer,
  ActivationOptions,
  BatchNormalizationLayer,
  BatchNormalizationOptions,
  DropoutLayer,
  DropoutOptions,
  LayerNormalizationLayer,
  LayerNormalizationOptions,
  WidthLayer,
  WidthLayerOptions,
} from "./layerTypes.js";
export { MAX_LAYERS, MAX_PARAMETERS, MAX_UNITS, MAX_ROWS } from "./limits.js";
export type {
  FitOptions,
  History,
  EpochLogs,
  BatchLogs,
  EarlyStopping,
  StopReason,
  Monitor,
  Callback,
} from "./training.js";
export { saveModel, loadModel, FORMAT_VERSION } from "./serialize.js";
export type { ModelDocument } from "./serialize.js";
export { oneHot, toMatrix } from "./data.js";
/** Seeded toy datasets (XOR, two moons, circles, spirals, blobs, regression sets) and trainTestSplit. */
export * as datasets from "./datasets.js";
export { DEFAULT_THRESHOLDS, edgeFoldedCounts, saturationBound } from "./diagnostics.js";
export { LESSONS, lessonNamed, runLessons } from "./lessons/index.js";
export type { Chart, Figure, Lesson, LessonOptions, LessonResult } from "./lessons/index.js";
export type {
  Diagnostics,
  DiagnosticsOptions,
  LayerDiagnostics,
  DiagnosticWarning,
  WarningKind,
  WarningThresholds,
  Histogram,
  ValueStats,
} from "./diagnostics.js";
export type { Dataset } from "./datasets.js";
export type { Matrix, MatrixInput, TargetInput } from "./data.js";
export { Normalizer } from "./normalizers.js";
export type { NormalizerKind, NormalizerConfig } from "./normalizers.js";
export { sgd, adam, adamw, rmsprop, lion, OPTIMIZER_NAMES } from "./optimizers.js";
export type { OptimizerConfig, OptimizerName, CommonOptions, OptimizerOptions } from "./optimizers.js";
export type { SgdOptions } from "./optimizers/sgd.js";
export type { AdamOptions } from "./optimizers/adam.js";
export type { RmspropOptions } from "./optimizers/rmsprop.js";
export type { LionOptions } from "./optimizers/lion.js";
/** Learning-rate schedules: the rate at each optimizer step from the base rate. */
export * as schedules from "./schedules.js";
export type { ScheduleConfig } from "./schedules.js";
export { LOSS_NAMES } from "./losses.js";
export type { LossName, LossConfig } from "./losses.js";
export { ACTIVATIONS, gain, DEFAULT_LEAKY_SLOPE, DEFAULT_ELU_ALPHA } from "./activations.js";
export type { ActivationName, ElementwiseActivation } from "./activations.js";
/** Weight initializers (Glorot/Xavier, He, LeCun, orthogonal, ...) by name, with their moments. */
export * as initializers from "./initializers.js";
export type { Initializer, InitializerName, Moments, FanMode, Distribution } from "./initializers.js";
export { JsBackend } from "./backend/js/index.js";
export { WasmBackend } from "./backend/wasm.js";
export { CheckedBackend } from "./backend/checked.js";
export { simdSupported } from "./wasm/simd.js";
export { createBackend } from "./backend/choose.js";
export type { BackendOptions, CoreChoice } from "./backend/choose.js";
export type { ThreadsOption } from "./threads/count.js";
export { MAX_THREADS, AUTO_THREADS } from "./threads/count.js";
