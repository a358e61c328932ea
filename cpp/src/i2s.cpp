#include "i2s.h"
#include <cmath>
#include <wasm_simd128.h>

float i2s_quantize_row(const float* x, int n, int8_t* q, int32_t* sum) {
  double amax = 1e-5;  // the reference's floor, compared in double
  for (int i = 0; i < n; i++) {
    double a = fabs((double)x[i]);
    if (a > amax) amax = a;
  }
  const float s = (float)(127.0 / amax);
  int32_t total = 0;
  for (int i = 0; i < n; i++) {
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

// ---- SIMD128 ---------------------------------------------------------------------------------------------------------
// Products code * q lie in [-256, 254]; i16 lanes accumulate 16 of them per 128-element block, so summing up to
// 7 blocks (28672) cannot overflow before we widen to i32.
namespace {

constexpr int kBlocksPerI16Run = 7;

inline v128_t widen_sum(v128_t acc16) { return wasm_i32x4_extadd_pairwise_i16x8(acc16); }

inline int32_t horizontal_sum(v128_t v) {
  return wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) + wasm_i32x4_extract_lane(v, 2) +
         wasm_i32x4_extract_lane(v, 3);
}

inline v128_t mul_add16(v128_t acc, v128_t codes, v128_t q) {
  acc = wasm_i16x8_add(acc, wasm_i16x8_extmul_low_i8x16(codes, q));
  return wasm_i16x8_add(acc, wasm_i16x8_extmul_high_i8x16(codes, q));
}

// One 128-element block of packed codes against 128 int8 activations, added into acc16.
inline v128_t block_dot(const uint8_t* block, const int8_t* q, v128_t acc16) {
  const v128_t mask = wasm_i8x16_splat(3);
  const v128_t lo = wasm_v128_load(block), hi = wasm_v128_load(block + 16);
  acc16 = mul_add16(acc16, wasm_u8x16_shr(lo, 6), wasm_v128_load(q + 0));
  acc16 = mul_add16(acc16, wasm_u8x16_shr(hi, 6), wasm_v128_load(q + 16));
  acc16 = mul_add16(acc16, wasm_v128_and(wasm_u8x16_shr(lo, 4), mask), wasm_v128_load(q + 32));
  acc16 = mul_add16(acc16, wasm_v128_and(wasm_u8x16_shr(hi, 4), mask), wasm_v128_load(q + 48));
  acc16 = mul_add16(acc16, wasm_v128_and(wasm_u8x16_shr(lo, 2), mask), wasm_v128_load(q + 64));
  acc16 = mul_add16(acc16, wasm_v128_and(wasm_u8x16_shr(hi, 2), mask), wasm_v128_load(q + 80));
  acc16 = mul_add16(acc16, wasm_v128_and(lo, mask), wasm_v128_load(q + 96));
  acc16 = mul_add16(acc16, wasm_v128_and(hi, mask), wasm_v128_load(q + 112));
  return acc16;
}

// Two rows at once share the activation loads.
inline void block_dot2(const uint8_t* b0, const uint8_t* b1, const int8_t* q, v128_t* acc0, v128_t* acc1) {
  const v128_t mask = wasm_i8x16_splat(3);
  const v128_t lo0 = wasm_v128_load(b0), hi0 = wasm_v128_load(b0 + 16);
  const v128_t lo1 = wasm_v128_load(b1), hi1 = wasm_v128_load(b1 + 16);
  v128_t a0 = *acc0, a1 = *acc1, qv;
  qv = wasm_v128_load(q + 0);
  a0 = mul_add16(a0, wasm_u8x16_shr(lo0, 6), qv);
  a1 = mul_add16(a1, wasm_u8x16_shr(lo1, 6), qv);
  qv = wasm_v128_load(q + 16);
  a0 = mul_add16(a0, wasm_u8x16_shr(hi0, 6), qv);
  a1 = mul_add16(a1, wasm_u8x16_shr(hi1, 6), qv);
  qv = wasm_v128_load(q + 32);
  a0 = mul_add16(a0, wasm_v128_and(wasm_u8x16_shr(lo0, 4), mask), qv);
  a1 = mul_add16(a1, wasm_v128_and(wasm_u8x16_shr(lo1, 4), mask), qv);
  qv = wasm_v128_load(q + 48);
  a0 = mul_add16(a0, wasm_v128_and(wasm_u8x16_shr(hi0, 4), mask), qv);
  a1 = mul_add16(a1, wasm_v128_and(wasm_u8x16_shr(hi1, 4), mask), qv);
  qv = wasm_v128_load(q + 64);
  a0 = mul_add16(a0, wasm_v128_and(wasm_u8x16_shr(lo0, 2), mask), qv);
  a1 = mul_add16(a1, wasm_v128_and(wasm_u8x16_shr(lo1, 2), mask), qv);
  qv = wasm_v128_load(q + 80);
  a0 = mul_add16(a0, wasm_v128_and(wasm_u8x16_shr(hi0, 2), mask), qv);
  a1 = mul_add16(a1, wasm_v128_and(wasm_u8x16_shr(hi1, 2), mask), qv);
  qv = wasm_v128_load(q + 96);
  a0 = mul_add16(a0, wasm_v128_and(lo0, mask), qv);
  a1 = mul_add16(a1, wasm_v128_and(lo1, mask), qv);
  qv = wasm_v128_load(q + 112);
  a0 = mul_add16(a0, wasm_v128_and(hi0, mask), qv);
  a1 = mul_add16(a1, wasm_v128_and(hi1, mask), qv);
  *acc0 = a0;
  *acc1 = a1;
}

// Unpacks one row's codes (0..2) into plain bytes in element order.
void decode_row(const uint8_t* row, int ne0, int8_t* out) {
  const v128_t mask = wasm_i8x16_splat(3);
  for (int b = 0; b < ne0 / kI2sBlockElems; b++) {
    const uint8_t* block = row + b * kI2sBlockBytes;
    int8_t* o = out + b * kI2sBlockElems;
    const v128_t lo = wasm_v128_load(block), hi = wasm_v128_load(block + 16);
    wasm_v128_store(o + 0, wasm_u8x16_shr(lo, 6));
    wasm_v128_store(o + 16, wasm_u8x16_shr(hi, 6));
    wasm_v128_store(o + 32, wasm_v128_and(wasm_u8x16_shr(lo, 4), mask));
    wasm_v128_store(o + 48, wasm_v128_and(wasm_u8x16_shr(hi, 4), mask));
    wasm_v128_store(o + 64, wasm_v128_and(wasm_u8x16_shr(lo, 2), mask));
    wasm_v128_store(o + 80, wasm_v128_and(wasm_u8x16_shr(hi, 2), mask));
    wasm_v128_store(o + 96, wasm_v128_and(lo, mask));
    wasm_v128_store(o + 112, wasm_v128_and(hi, mask));
  }
}

// Decoded codes against 4 tokens' activations; i16 runs of 512 elements (64 products per lane, |sum| <= 16384).
void decoded_dot4(const int8_t* codes, const int8_t* q0, const int8_t* q1, const int8_t* q2, const int8_t* q3, int n,
                  int32_t out[4]) {
  v128_t s0 = wasm_i32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
  for (int start = 0; start < n; start += 512) {
    const int end = start + 512 < n ? start + 512 : n;
    v128_t a0 = wasm_i16x8_splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (int k = start; k < end; k += 16) {
      const v128_t c = wasm_v128_load(codes + k);
      a0 = mul_add16(a0, c, wasm_v128_load(q0 + k));
      a1 = mul_add16(a1, c, wasm_v128_load(q1 + k));
      a2 = mul_add16(a2, c, wasm_v128_load(q2 + k));
      a3 = mul_add16(a3, c, wasm_v128_load(q3 + k));
    }
    s0 = wasm_i32x4_add(s0, widen_sum(a0));
    s1 = wasm_i32x4_add(s1, widen_sum(a1));
    s2 = wasm_i32x4_add(s2, widen_sum(a2));
    s3 = wasm_i32x4_add(s3, widen_sum(a3));
  }
  out[0] = horizontal_sum(s0);
  out[1] = horizontal_sum(s1);
  out[2] = horizontal_sum(s2);
  out[3] = horizontal_sum(s3);
}

int32_t decoded_dot1(const int8_t* codes, const int8_t* q, int n) {
  v128_t s = wasm_i32x4_splat(0);
  for (int start = 0; start < n; start += 512) {
    const int end = start + 512 < n ? start + 512 : n;
    v128_t a = wasm_i16x8_splat(0);
    for (int k = start; k < end; k += 16) a = mul_add16(a, wasm_v128_load(codes + k), wasm_v128_load(q + k));
    s = wasm_i32x4_add(s, widen_sum(a));
  }
  return horizontal_sum(s);
}

}  // namespace

int32_t i2s_dot_simd(const uint8_t* row, const int8_t* q, int ne0) {
  const int n_blocks = ne0 / kI2sBlockElems;
  v128_t acc32 = wasm_i32x4_splat(0);
  for (int b = 0; b < n_blocks;) {
    const int run_end = b + kBlocksPerI16Run < n_blocks ? b + kBlocksPerI16Run : n_blocks;
    v128_t acc16 = wasm_i16x8_splat(0);
    for (; b < run_end; b++) acc16 = block_dot(row + b * kI2sBlockBytes, q + b * kI2sBlockElems, acc16);
    acc32 = wasm_i32x4_add(acc32, widen_sum(acc16));
  }
  return horizontal_sum(acc32);
}

void i2s_matvec_simd(const uint8_t* w, float w_scale, int ne0, int row_begin, int row_end, const int8_t* q,
                     float act_scale, int32_t q_sum, float* y) {
  const int row_bytes = ne0 / 4, n_blocks = ne0 / kI2sBlockElems;
  int m = row_begin;
  for (; m + 2 <= row_end; m += 2) {
    const uint8_t* r0 = w + (size_t)m * row_bytes;
    const uint8_t* r1 = r0 + row_bytes;
    v128_t sum0 = wasm_i32x4_splat(0), sum1 = sum0;
    for (int b = 0; b < n_blocks;) {
      const int run_end = b + kBlocksPerI16Run < n_blocks ? b + kBlocksPerI16Run : n_blocks;
      v128_t acc0 = wasm_i16x8_splat(0), acc1 = acc0;
      for (; b < run_end; b++)
        block_dot2(r0 + b * kI2sBlockBytes, r1 + b * kI2sBlockBytes, q + b * kI2sBlockElems, &acc0, &acc1);
      sum0 = wasm_i32x4_add(sum0, widen_sum(acc0));
      sum1 = wasm_i32x4_add(sum1, widen_sum(acc1));
    }
    y[m] = i2s_output(horizontal_sum(sum0), q_sum, act_scale, w_scale);
    y[m + 1] = i2s_output(horizontal_sum(sum1), q_sum, act_scale, w_scale);
  }
  for (; m < row_end; m++)
    y[m] = i2s_output(i2s_dot_simd(w + (size_t)m * row_bytes, q, ne0), q_sum, act_scale, w_scale);
}

void i2s_matmul_simd(const uint8_t* w, float w_scale, int ne0, int row_begin, int row_end, const int8_t* q,
                     const float* act_scale, const int32_t* q_sum, int n_tokens, float* y, int ld_y, int8_t* decoded) {
  if (n_tokens == 1) {
    i2s_matvec_simd(w, w_scale, ne0, row_begin, row_end, q, act_scale[0], q_sum[0], y);
    return;
  }
  const int row_bytes = ne0 / 4;
  for (int m = row_begin; m < row_end; m++) {
    decode_row(w + (size_t)m * row_bytes, ne0, decoded);
    int t = 0;
    for (; t + 4 <= n_tokens; t += 4) {
      int32_t acc[4];
      const int8_t* qt = q + (size_t)t * ne0;
      decoded_dot4(decoded, qt, qt + ne0, qt + 2 * ne0, qt + 3 * ne0, ne0, acc);
      for (int j = 0; j < 4; j++) y[(size_t)(t + j) * ld_y + m] = i2s_output(acc[j], q_sum[t + j], act_scale[t + j], w_scale);
    }
    for (; t < n_tokens; t++)
      y[(size_t)t * ld_y + m] = i2s_output(decoded_dot1(decoded, q + (size_t)t * ne0, ne0), q_sum[t], act_scale[t], w_scale);
  }
}
