// SIMD pieces the int8, 6-bit and 4-bit heads (q8, q6, q4) and attention share.
#pragma once
#include <cstdint>
#include <wasm_simd128.h>

// 16 int8 codes times 16 i16 inputs, added into acc's four i32 lanes: element k lands in lane (k % 8) / 2, as
// i32x4.dot_i16x8_s adds neighbouring products (the scalar reference kernels reproduce that).
inline v128_t dot16_i8_i16(v128_t codes, const int16_t* x, v128_t acc) {
  acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(codes), wasm_v128_load(x)));
  return wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(codes), wasm_v128_load(x + 8)));
}

// The four f32 lanes summed as (0 + 1) + (2 + 3), the order the scalar references use.
inline float lanes_total(v128_t v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}
