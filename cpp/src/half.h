// IEEE half precision: the F16 embedding arrives in it, and the KV cache is kept in it (as bitnet.cpp keeps its own).
#pragma once
#include <cstdint>
#include <cstring>
#include <cmath>
#include <wasm_simd128.h>

// Round to nearest even; overflow becomes infinity, NaN stays NaN.
inline uint16_t f32_to_f16(float f) {
  uint32_t x;
  memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000, magnitude = x & 0x7fffffff;
  if (magnitude >= 0x7f800000) return (uint16_t)(sign | (magnitude > 0x7f800000 ? 0x7e00 : 0x7c00));
  if (magnitude >= 0x477ff000) return (uint16_t)(sign | 0x7c00);  // rounds to 65536 or more
  if (magnitude < 0x38800000) {  // below 2^-14: a subnormal half, a multiple of 2^-24
    float a;
    memcpy(&a, &magnitude, 4);
    return (uint16_t)(sign | (uint32_t)nearbyintf(a * 16777216.0f));
  }
  uint32_t r = magnitude - 0x38000000;  // exponent bias 127 -> 15
  r += 0xfff + ((r >> 13) & 1);         // round the 13 dropped bits to nearest even
  return (uint16_t)(sign | (r >> 13));
}

// Halves 0..3 and 4..7 of h as floats. Sign-extended to 32 bits and shifted left by 13, a half's sign lands in bit
// 31 and its exponent and mantissa in bits 27..13 (bits 30..28, copies of the sign, are masked off): read as a float
// that is the value times 2^-112, exact for normals and subnormals. Infinity and NaN become large finite numbers.
inline void f16x8_to_f32x4x2(v128_t h, v128_t* low, v128_t* high) {
  const v128_t scale = wasm_f32x4_splat(0x1p112f), mask = wasm_i32x4_splat((int32_t)0x8fffe000u);
  *low = wasm_f32x4_mul(wasm_v128_and(wasm_i32x4_shl(wasm_i32x4_extend_low_i16x8(h), 13), mask), scale);
  *high = wasm_f32x4_mul(wasm_v128_and(wasm_i32x4_shl(wasm_i32x4_extend_high_i16x8(h), 13), mask), scale);
}
