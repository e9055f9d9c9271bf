// The simdnet core: every kernel, one file per family, pure functions over byte offsets.
export { sgemm, packWeights, sgemmPacked } from "./matmul";
export { matvec } from "./matvec";
export { addBias, sumRows } from "./bias";
export { activationForward, activationBackward } from "./activations";
export { softmaxForward, softmaxBackward, logSoftmaxForward, logSoftmaxBackward } from "./softmax";
export { rngSeed, fillBits, fillUniform, fillNormal, fillTruncatedNormal } from "./random";
export { orthonormalizeRows, transpose } from "./initializers";
export { fill, scale, copy, gatherRows, sumSquares, countNonFinite } from "./vector";
export { meanSquaredError, sigmoidCrossEntropy, binaryCrossEntropy, softmaxCrossEntropy, countCorrect } from "./losses";
export { meanAbsoluteError, huber, logCosh, categoricalHinge } from "./losses";
export { regularize } from "./regularizers";
export { optimizerStep, updateParams } from "./optimizers";
export { sum, countAbsAbove, countBelow, columnMax, histogram, columnHash, countSameSignColumns, sumSquaredDiff,
    columnSumSquares } from "./stats";

export { useScratch, scratchAt, scratchBytes } from "./scratch";

// First byte after the kernels' static scratch: the TypeScript allocator owns memory from here.
export function heapBase(): usize {
  return __heap_base;
}
export { probeChains } from "./probe";
export { batchNormForward, batchNormInference, batchNormBackward, movingAverage, layerNormForward,
    layerNormBackward } from "./normalization";
export { dropoutForward, dropoutBackward } from "./dropout";
