// FNV-1a (64-bit) over the little-endian bytes of float32 arrays: plain JS, so every engine
// (browsers and workerd included, where node:crypto is missing) computes it the same way.
const PRIME = 0x100000001b3n,
  MASK = 0xffffffffffffffffn;

/** Hex FNV-1a 64 of the arrays' float32 values, in order, each as 4 little-endian bytes. */
export function hashFloat32(arrays) {
  let h = 0xcbf29ce484222325n;
  const bytes = new DataView(new ArrayBuffer(4));
  for (const array of arrays) {
    for (let i = 0; i < array.length; i++) {
      bytes.setFloat32(0, array[i], true); // explicit byte order: no engine's native order leaks in
      for (let b = 0; b < 4; b++) h = ((h ^ BigInt(bytes.getUint8(b))) * PRIME) & MASK;
    }
  }
  return h.toString(16).padStart(16, "0");
}
