/**
 * Which of the engine's two SIMD builds this runtime can run. A runtime with relaxed SIMD (Chromium-based browsers
 * since 114, Node 22+, Node 20 with a V8 flag) gets the I2_S dot kernel; any other runtime with SIMD128 gets the
 * table kernel (cpp/src/i2s.h).
 */

// (module (func (param v128 v128) (result v128) local.get 0 local.get 1 i16x8.relaxed_dot_i8x16_i7x16_s)):
// the one relaxed instruction the engine uses.
const RELAXED_DOT_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7b, 0x7b, 0x01, 0x7b, 0x03, 0x02,
  0x01, 0x00, 0x0a, 0x0b, 0x01, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0xfd, 0x92, 0x02, 0x0b,
]);

export function hasRelaxedSimd(): boolean {
  try {
    return WebAssembly.validate(RELAXED_DOT_PROBE);
  } catch {
    return false;
  }
}
