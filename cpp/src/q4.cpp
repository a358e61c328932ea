#include "q4.h"
#include "simd_lanes.h"
#include <cmath>
#include <cstring>
#include <wasm_simd128.h>

void q4_quantize_row(const float* values, int ne0, uint8_t* packed, float* scales) {
  for (int b = 0; b < ne0 / kQ4BlockElems; b++) {
    const float* v = values + b * kQ4BlockElems;
    float amax = 0;
    bool finite = true;
    for (int i = 0; i < kQ4BlockElems; i++) {
      finite = finite && std::isfinite(v[i]);
      amax = std::fmax(amax, std::fabs(v[i]));
    }
    const bool usable = finite && amax > 0;
    const float inv = usable ? 7.0f / amax : 0.0f;
    scales[b] = usable ? amax / 7.0f : 0.0f;
    uint8_t* out = packed + b * kQ4BlockElems / 2;
    for (int i = 0; i < kQ4BlockElems / 2; i++) {
      // |v * inv| <= 7 by construction; the clamp only guards rounding at the edge.
      const float lo = std::fmin(7.0f, std::fmax(-7.0f, nearbyintf(v[i] * inv)));
      const float hi = std::fmin(7.0f, std::fmax(-7.0f, nearbyintf(v[i + 16] * inv)));
      out[i] = (uint8_t)(((int)lo + 8) | (((int)hi + 8) << 4));
    }
  }
}

void q4_dequantize_row(const uint8_t* packed, const float* scales, int ne0, float* out) {
  for (int k = 0; k < ne0; k++) {
    const int b = k / kQ4BlockElems, i = k % kQ4BlockElems;
    const uint8_t byte = packed[b * kQ4BlockElems / 2 + i % 16];
    const int code = (i < 16 ? byte & 15 : byte >> 4) - 8;
    out[k] = scales[b] * (float)code;
  }
}

void q4_matvec_scalar(const uint8_t* packed, const float* scales, int ne0, int row_begin, int row_end,
                      const int16_t* xq, float x_scale, float* y) {
  const int n_blocks = ne0 / kQ4BlockElems;
  for (int m = row_begin; m < row_end; m++) {
    const uint8_t* row = packed + (size_t)m * (ne0 / 2);
    const float* s = scales + (size_t)m * n_blocks;
    float lane_sum[4] = {0, 0, 0, 0};
    for (int b = 0; b < n_blocks; b++) {
      int32_t lane_int[4] = {0, 0, 0, 0};
      for (int i = 0; i < kQ4BlockElems; i++) {
        const uint8_t byte = row[b * kQ4BlockElems / 2 + i % 16];
        const int code = (i < 16 ? byte & 15 : byte >> 4) - 8;
        lane_int[(i % 8) / 2] += code * xq[b * kQ4BlockElems + i];
      }
      for (int l = 0; l < 4; l++) lane_sum[l] = lane_sum[l] + (float)lane_int[l] * s[b];
    }
    y[m] = ((lane_sum[0] + lane_sum[1]) + (lane_sum[2] + lane_sum[3])) * x_scale;
  }
}

namespace {

// One row as one sequential stream (see q8_row for why not several rows at once). Per block, i32 lanes add at most
// 8 products of |8 * 32767|: far from overflow.
float q4_row(const uint8_t* row, const float* s, int n_blocks, const int16_t* xq) {
  const v128_t low_mask = wasm_i8x16_splat(15), bias = wasm_i8x16_splat(8);
  v128_t sum = wasm_f32x4_splat(0);
  for (int b = 0; b < n_blocks; b++) {
    const v128_t v = wasm_v128_load(row + b * 16);
    const v128_t lo = wasm_i8x16_sub(wasm_v128_and(v, low_mask), bias);
    const v128_t hi = wasm_i8x16_sub(wasm_u8x16_shr(v, 4), bias);
    const int16_t* x = xq + b * kQ4BlockElems;
    const v128_t acc = dot16_i8_i16(hi, x + 16, dot16_i8_i16(lo, x, wasm_i32x4_splat(0)));
    sum = wasm_f32x4_add(sum, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), wasm_f32x4_splat(s[b])));
  }
  return lanes_total(sum);
}

}  // namespace

void q4_matvec_simd(const uint8_t* packed, const float* scales, int ne0, int row_begin, int row_end, const int16_t* xq,
                    float x_scale, float* y) {
  const int n_blocks = ne0 / kQ4BlockElems;
  for (int m = row_begin; m < row_end; m++)
    y[m] = q4_row(packed + (size_t)m * (ne0 / 2), scales + (size_t)m * n_blocks, n_blocks, xq) * x_scale;
}
