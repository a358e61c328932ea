#include "i2s.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <wasm_simd128.h>

float i2s_quantize_row(const float* x, int n, int8_t* q, int32_t* sum) {
  // The reference's arithmetic, four lanes at a time: the max of |x| (exact in any order; pmax skips NaN as the
  // reference's comparison does) against the 1e-5 floor, the scale computed in double, each value multiplied in f32
  // and rounded half to even, clamped to [-128, 127].
  v128_t amax4 = wasm_f32x4_splat(0);
  int i = 0;
  for (; i + 4 <= n; i += 4) amax4 = wasm_f32x4_pmax(amax4, wasm_f32x4_abs(wasm_v128_load(x + i)));
  float amax_f = std::max(std::max(wasm_f32x4_extract_lane(amax4, 0), wasm_f32x4_extract_lane(amax4, 1)),
                          std::max(wasm_f32x4_extract_lane(amax4, 2), wasm_f32x4_extract_lane(amax4, 3)));
  for (; i < n; i++)
    if (fabsf(x[i]) > amax_f) amax_f = fabsf(x[i]);
  const double amax = (double)amax_f > 1e-5 ? (double)amax_f : 1e-5;
  const float s = (float)(127.0 / amax);
  const v128_t s4 = wasm_f32x4_splat(s), lo = wasm_f32x4_splat(-128.0f), hi = wasm_f32x4_splat(127.0f);
  v128_t total4 = wasm_i32x4_splat(0);
  i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_f32x4_nearest(wasm_f32x4_mul(wasm_v128_load(x + i), s4));
    v = wasm_f32x4_pmin(wasm_f32x4_pmax(v, lo), hi);
    const v128_t v32 = wasm_i32x4_trunc_sat_f32x4(v);
    total4 = wasm_i32x4_add(total4, v32);
    const v128_t v16 = wasm_i16x8_narrow_i32x4(v32, v32);
    const int32_t packed = wasm_i32x4_extract_lane(wasm_i8x16_narrow_i16x8(v16, v16), 0);
    memcpy(q + i, &packed, 4);
  }
  int32_t total = wasm_i32x4_extract_lane(total4, 0) + wasm_i32x4_extract_lane(total4, 1) +
                  wasm_i32x4_extract_lane(total4, 2) + wasm_i32x4_extract_lane(total4, 3);
  for (; i < n; i++) {
    float v = nearbyintf(x[i] * s);  // round half to even (default rounding mode)
    if (v > 127.0f) v = 127.0f;
    if (v < -128.0f) v = -128.0f;
    q[i] = (int8_t)v;
    total += (int32_t)v;
  }
  *sum = total;
  return s;
}

int32_t i2s_dot_scalar(const uint8_t* row, const int8_t* q, int ne0) {
  // Kept scalar on purpose: this is the reference the SIMD kernels are checked against.
  int32_t acc = 0;
  for (int block = 0; block < ne0 / kI2sBlockElems; block++) {
    const uint8_t* bytes = row + block * kI2sBlockBytes;
    const int8_t* qb = q + block * kI2sBlockElems;
    for (int group = 0; group < 4; group++) {
      const int shift = 6 - 2 * group;
#pragma clang loop vectorize(disable) interleave(disable)
      for (int b = 0; b < 32; b++) acc += ((bytes[b] >> shift) & 3) * qb[group * 32 + b];
    }
  }
  return acc;
}

void i2s_matvec_scalar(const uint8_t* w, float w_scale, int ne0, int row_begin, int row_end, const int8_t* q,
                       float act_scale, int32_t q_sum, float* y) {
  const int row_bytes = ne0 / 4;
  for (int m = row_begin; m < row_end; m++)
    y[m] = i2s_output(i2s_dot_scalar(w + (size_t)m * row_bytes, q, ne0), q_sum, act_scale, w_scale);
}

void i2s_matmul_scalar(const uint8_t* w, float w_scale, int ne0, int row_begin, int row_end, const int8_t* q,
                       const float* act_scale, const int32_t* q_sum, int n_tokens, float* y, int ld_y) {
  for (int t = 0; t < n_tokens; t++)
    i2s_matvec_scalar(w, w_scale, ne0, row_begin, row_end, q + (size_t)t * ne0, act_scale[t], q_sum[t],
                      y + (size_t)t * ld_y);
}
