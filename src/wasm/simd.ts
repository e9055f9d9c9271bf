// Does this engine run WebAssembly SIMD? Older Safari and some embedded engines do not, and
// the core uses v128 everywhere, so there they get the pure-JS path instead.

// The smallest module that needs SIMD: one function returning i32x4.splat(0).
const PROBE = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version 1
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7b, // type section: () -> v128
  0x03,
  0x02,
  0x01,
  0x00, // function section: one function of type 0
  0x0a,
  0x08,
  0x01,
  0x06,
  0x00,
  0x41,
  0x00,
  0xfd,
  0x11,
  0x0b, // code: i32.const 0; i32x4.splat; end
]);

/** True when the engine has WebAssembly and validates SIMD (v128) instructions. Not cached:
 *  validating 29 bytes costs microseconds. */
export function simdSupported(): boolean {
  return typeof WebAssembly === "object" && typeof WebAssembly.validate === "function" && WebAssembly.validate(PROBE);
}
