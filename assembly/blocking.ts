// SGEMM's blocking (Goto & van de Geijn 2008): the micro-kernel's register block and the
// packed panels' sizes, which per-thread scratch (scratch.ts) is laid out from.
export const MR = 4; // rows of C per micro-kernel: 4 broadcasts of A per k
export const NR = 8; // columns of C per micro-kernel: two f32x4 of B per k
export const KC = 256; // depth of a packed panel: a B micro-panel (NR*KC floats, 8 KiB) stays in L1
export const MC = 64; // rows of A packed at once (MC x KC floats = 64 KiB, L2-resident)
export const NC = 1024; // columns of B packed at once (KC x NC floats = 1 MiB, L2-resident)
