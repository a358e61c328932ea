#include "q6.h"
#include "simd_lanes.h"
#include <cmath>
#include <cstring>
#include <wasm_simd128.h>

namespace {
// Where element i (0..63) of a block keeps its low 4 bits (byte, shift) and its top 2 bits (byte, shift).
inline int low_byte(int i) { return (i / 32) * 16 + i % 16; }
inline int low_shift(int i) { return (i / 16) % 2 * 4; }
inline int high_byte(int i) { return 32 + i % 16; }
inline int high_shift(int i) { return (i / 16) * 2; }

inline int code_at(const uint8_t* block, int i) {
  const int low = (block[low_byte(i)] >> low_shift(i)) & 15, high = (block[high_byte(i)] >> high_shift(i)) & 3;
  return (low | high << 4) - 32;
}
}  // namespace

// SIMD: the head is converted while the file streams in (328 million weights on 2B-4T), and a per-element loop added
// 4.5 s to every load. Rounding is half to even, as nearbyintf.
void q6_quantize_row(const float* values, int ne0, uint8_t* packed, float* scales) {
  const v128_t nibble = wasm_i8x16_splat(15);
  for (int b = 0; b < ne0 / kQ6BlockElems; b++) {
    const float* v = values + b * kQ6BlockElems;
    v128_t amax4 = wasm_f32x4_splat(0), finite = wasm_i32x4_splat(-1);
    for (int i = 0; i < kQ6BlockElems; i += 4) {
      const v128_t a = wasm_f32x4_abs(wasm_v128_load(v + i));
      finite = wasm_v128_and(finite, wasm_f32x4_lt(a, wasm_f32x4_splat(INFINITY)));  // false for NaN too
      amax4 = wasm_f32x4_max(amax4, a);
    }
    const float amax = std::fmax(std::fmax(wasm_f32x4_extract_lane(amax4, 0), wasm_f32x4_extract_lane(amax4, 1)),
                                 std::fmax(wasm_f32x4_extract_lane(amax4, 2), wasm_f32x4_extract_lane(amax4, 3)));
    const bool usable = wasm_i32x4_all_true(finite) && amax > 0;
    const v128_t inv = wasm_f32x4_splat(usable ? 31.0f / amax : 0.0f);
    scales[b] = usable ? amax / 31.0f : 0.0f;
    // Each 16 values as codes + 32 (1..63) in bytes; |v * inv| <= 31 by construction, the clamp guards the edge.
    v128_t stored[4];
    for (int g = 0; g < 4; g++) {
      v128_t i32[4];
      for (int q = 0; q < 4; q++) {
        const v128_t r = wasm_f32x4_nearest(wasm_f32x4_mul(wasm_v128_load(v + g * 16 + q * 4), inv));
        i32[q] = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_min(wasm_f32x4_splat(31), wasm_f32x4_max(wasm_f32x4_splat(-31), r)));
      }
      const v128_t i8 = wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(i32[0], i32[1]), wasm_i16x8_narrow_i32x4(i32[2], i32[3]));
      stored[g] = wasm_i8x16_add(i8, wasm_i8x16_splat(32));
    }
    uint8_t* block = packed + b * kQ6BlockBytes;
    const v128_t low0 = wasm_v128_or(wasm_v128_and(stored[0], nibble), wasm_i8x16_shl(stored[1], 4));
    const v128_t low1 = wasm_v128_or(wasm_v128_and(stored[2], nibble), wasm_i8x16_shl(stored[3], 4));
    v128_t top = wasm_u8x16_shr(stored[0], 4);
    top = wasm_v128_or(top, wasm_i8x16_shl(wasm_u8x16_shr(stored[1], 4), 2));
    top = wasm_v128_or(top, wasm_i8x16_shl(wasm_u8x16_shr(stored[2], 4), 4));
    top = wasm_v128_or(top, wasm_i8x16_shl(wasm_u8x16_shr(stored[3], 4), 6));
    wasm_v128_store(block, low0);
    wasm_v128_store(block + 16, low1);
    wasm_v128_store(block + 32, top);
  }
}

void q6_dequantize_row(const uint8_t* packed, const float* scales, int ne0, float* out) {
  for (int k = 0; k < ne0; k++)
    out[k] = scales[k / kQ6BlockElems] * (float)code_at(packed + k / kQ6BlockElems * kQ6BlockBytes, k % kQ6BlockElems);
}

void q6_matvec_scalar(const uint8_t* packed, const float* scales, int ne0, int row_begin, int row_end,
                      const int16_t* xq, float x_scale, float* y) {
  const int n_blocks = ne0 / kQ6BlockElems;
  for (int m = row_begin; m < row_end; m++) {
    const uint8_t* row = packed + (size_t)m * q6_row_bytes(ne0);
    const float* s = scales + (size_t)m * n_blocks;
    float lane_sum[4] = {0, 0, 0, 0};
    for (int b = 0; b < n_blocks; b++) {
      int32_t lane_int[4] = {0, 0, 0, 0};
      for (int i = 0; i < kQ6BlockElems; i++)
        lane_int[(i % 8) / 2] += code_at(row + b * kQ6BlockBytes, i) * xq[b * kQ6BlockElems + i];
      for (int l = 0; l < 4; l++) lane_sum[l] = lane_sum[l] + (float)lane_int[l] * s[b];
    }
    y[m] = ((lane_sum[0] + lane_sum[1]) + (lane_sum[2] + lane_sum[3])) * x_scale;
  }
}

namespace {

// One row as one sequential stream (as q8_row). The top 2 bits become (top * 16 - 32) by one swizzle: masked with 3
// they index 0..3, masked with 12 they index 0, 4, 8, 12, and the table holds the same value at both, so adding the
// low nibble gives the signed code. Per block, i32 lanes add at most 16 products of |31 * 32767|: far from overflow.
float q6_row(const uint8_t* row, const float* s, int n_blocks, const int16_t* xq) {
  const v128_t nibble = wasm_i8x16_splat(15), top01 = wasm_i8x16_splat(3), top23 = wasm_i8x16_splat(12);
  const v128_t table = wasm_i8x16_make(-32, -16, 0, 16, -16, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0);
  v128_t sum = wasm_f32x4_splat(0);
  for (int b = 0; b < n_blocks; b++) {
    const uint8_t* block = row + b * kQ6BlockBytes;
    const v128_t low0 = wasm_v128_load(block), low1 = wasm_v128_load(block + 16);
    const v128_t top = wasm_v128_load(block + 32), top_hi = wasm_u8x16_shr(top, 4);
    const int16_t* x = xq + b * kQ6BlockElems;
    v128_t acc = wasm_i32x4_splat(0);
    acc = dot16_i8_i16(wasm_i8x16_add(wasm_v128_and(low0, nibble), wasm_i8x16_swizzle(table, wasm_v128_and(top, top01))), x, acc);
    acc = dot16_i8_i16(wasm_i8x16_add(wasm_u8x16_shr(low0, 4), wasm_i8x16_swizzle(table, wasm_v128_and(top, top23))), x + 16, acc);
    acc = dot16_i8_i16(wasm_i8x16_add(wasm_v128_and(low1, nibble), wasm_i8x16_swizzle(table, wasm_v128_and(top_hi, top01))), x + 32, acc);
    acc = dot16_i8_i16(wasm_i8x16_add(wasm_u8x16_shr(low1, 4), wasm_i8x16_swizzle(table, wasm_v128_and(top_hi, top23))), x + 48, acc);
    sum = wasm_f32x4_add(sum, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), wasm_f32x4_splat(s[b])));
  }
  return lanes_total(sum);
}

}  // namespace

void q6_matvec_simd(const uint8_t* packed, const float* scales, int ne0, int row_begin, int row_end, const int16_t* xq,
                    float x_scale, float* y) {
  const int n_blocks = ne0 / kQ6BlockElems;
  for (int m = row_begin; m < row_end; m++)
    y[m] = q6_row(packed + (size_t)m * q6_row_bytes(ne0), scales + (size_t)m * n_blocks, n_blocks, xq) * x_scale;
}
