// Compiled twice: by asc into the wasm core (assembly/activations.ts) and by tsc into the
// TypeScript side (src/activations.ts), so both sides read the same number for an activation.
// Plain integer constants only: the file must stay valid AssemblyScript and TypeScript alike.

/** Kernel code of the identity activation in the wasm core. */
export const IDENTITY = 0;
/** Kernel code of the logistic sigmoid. */
export const SIGMOID = 1;
/** Kernel code of tanh. */
export const TANH = 2;
/** Kernel code of ReLU. */
export const RELU = 3;
/** Kernel code of leaky ReLU. */
export const LEAKY_RELU = 4;
/** Kernel code of ELU. */
export const ELU = 5;
/** Kernel code of SELU. */
export const SELU = 6;
/** Kernel code of softplus. */
export const SOFTPLUS = 7;
/** Kernel code of SiLU (swish). */
export const SILU = 8;
/** Kernel code of GELU (tanh form). */
export const GELU = 9;
/** Kernel code of Mish. */
export const MISH = 10;
