// The optimizer update kernels' numeric codes and the layout of their parameter block, shared
// by assembly/optimizers.ts and src/ (plain constants, valid AssemblyScript and TypeScript).
// Every update takes one block of UPDATE_PARAMS float32 scalars, as XNNPACK passes a params
// struct: the first three slots are common, the rest each kernel's own.

// Update kernel codes: the dispatch in assembly/optimizers.ts traps on any other.
/** Code of the SGD kernel (momentum, Nesterov). */
export const UPDATE_SGD = 0;
/** Code of the Adam kernel (Adam and AdamW). */
export const UPDATE_ADAM = 1;
/** Code of the RMSprop kernel. */
export const UPDATE_RMSPROP = 2;
/** Code of the Lion kernel. */
export const UPDATE_LION = 3;

/** Floats in a parameter block. */
export const UPDATE_PARAMS = 12;

// Common slots: g' = gradScale g (+ decay w when the decay is coupled).
/** Learning rate of this step. */
export const PARAM_LR = 0;
/** Weight decay (coupled into the gradient, or decoupled as AdamW and Lion). */
export const PARAM_DECAY = 1;
/** Global-norm clipping factor (1: none). */
export const PARAM_GRAD_SCALE = 2;

/** SGD: momentum (0: none, and no state). */
export const SGD_MOMENTUM = 3;
/** SGD: 1 for Nesterov momentum, 0 for heavy-ball. */
export const SGD_NESTEROV = 4;

/** Adam: first-moment decay. */
export const ADAM_BETA1 = 3;
/** Adam: second-moment decay. */
export const ADAM_BETA2 = 4;
/** Adam: the denominator's epsilon. */
export const ADAM_EPS = 5;
/** Adam: 1 for decoupled weight decay (AdamW), 0 for decay added to the gradient. */
export const ADAM_DECOUPLED = 6;
/** Adam: lr / (1 - beta1^t). */
export const ADAM_STEP_SIZE = 7;
/** Adam: 1 / sqrt(1 - beta2^t). */
export const ADAM_INV_ROOT_BC2 = 8;

/** RMSprop: the squares' decay. */
export const RMSPROP_RHO = 3;
/** RMSprop: the denominator's epsilon. */
export const RMSPROP_EPS = 4;

/** Lion: the interpolation that gives the update's sign. */
export const LION_BETA1 = 3;
/** Lion: the momentum's decay. */
export const LION_BETA2 = 4;
