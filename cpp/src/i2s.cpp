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
namespace {
inline int32_t horizontal_sum(v128_t v) {
  return wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) + wasm_i32x4_extract_lane(v, 2) +
         wasm_i32x4_extract_lane(v, 3);
}
}  // namespace

// ---- i16 lane kernels ------------------------------------------------------------------------------------------------
// Read as little-endian i16 lanes, the 32 bytes of a block are 16 words of 8 codes each: bits 2k+1..2k of word w hold
// element (3 - k%4) * 32 + 2w + k/4. Laying the activations out as i16 in that order (i2s_permute_q16, once per
// token) lets the kernel get 8 codes with at most a shift and an AND, and multiply-add them with 8 activations in one
// i32x4.dot_i16x8_s (one x86 instruction), instead of unpacking bytes and widening i8 products (several each).
// The weights stay exactly as in the file.

void i2s_permute_q16(const int8_t* q, int ne0, int16_t* q16) {
  for (int block = 0; block < ne0 / kI2sBlockElems; block++) {
    const int8_t* qb = q + block * kI2sBlockElems;
    int16_t* out = q16 + block * kI2sBlockElems;
    for (int half = 0; half < 2; half++)
      for (int slot = 0; slot < 8; slot++)
        for (int lane = 0; lane < 8; lane++) {
          const int word = half * 8 + lane;
          out[half * 64 + slot * 8 + lane] = qb[(3 - slot % 4) * 32 + 2 * word + slot / 4];
        }
  }
}

namespace {

// Odd slots masked in place are code * 4, summed apart and scaled back (exactly: every lane is a multiple of 4) when
// a run ends. Per dot lane a half block adds at most 8 products of magnitude <= 3 * 4 * 128 < 2^11, so runs of 256
// blocks stay below 2^23.
constexpr int kBlocksPerI32Run = 256;

// Not inlined: inside a larger function V8 allocates this loop's registers worse (measured 20-25% slower).
__attribute__((noinline)) int32_t dot_q16_row(const uint8_t* row, const int16_t* q16, int n_blocks) {
  const v128_t m0 = wasm_i16x8_splat(3), m1 = wasm_i16x8_splat(3 << 2);
  v128_t total = wasm_i32x4_splat(0);
  for (int b = 0; b < n_blocks;) {
    const int run_end = b + kBlocksPerI32Run < n_blocks ? b + kBlocksPerI32Run : n_blocks;
    v128_t a0 = wasm_i32x4_splat(0), a1 = a0;
    const v128_t* qp = (const v128_t*)(q16 + b * kI2sBlockElems);
    const v128_t* wp = (const v128_t*)(row + b * kI2sBlockBytes);
    for (int half = 0; half < 2 * (run_end - b); half++, qp += 8) {
      // Even slots masked with 3 give the code, odd ones masked with 12 four times the code: two sums. Few live
      // values matter: V8 loads all 8 activation vectors up front, and more accumulators or masks would spill.
      const v128_t w = wasm_v128_load(wp + half), w4 = wasm_u16x8_shr(w, 4), w8 = wasm_u16x8_shr(w, 8),
                   w12 = wasm_u16x8_shr(w, 12);
      a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(wasm_v128_and(w, m0), wasm_v128_load(qp + 0)));
      a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(wasm_v128_and(w, m1), wasm_v128_load(qp + 1)));
      a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(wasm_v128_and(w4, m0), wasm_v128_load(qp + 2)));
      a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(wasm_v128_and(w4, m1), wasm_v128_load(qp + 3)));
      a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(wasm_v128_and(w8, m0), wasm_v128_load(qp + 4)));
      a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(wasm_v128_and(w8, m1), wasm_v128_load(qp + 5)));
      a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(wasm_v128_and(w12, m0), wasm_v128_load(qp + 6)));
      a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(wasm_v128_and(w12, m1), wasm_v128_load(qp + 7)));
    }
    b = run_end;
    total = wasm_i32x4_add(total, wasm_i32x4_add(a0, wasm_i32x4_shr(a1, 2)));
  }
  return horizontal_sum(total);
}

// Codes of slot k (0..3 per i16 lane) for the matrix-matrix kernel, where they are reused across tokens.
inline v128_t slot_codes(v128_t w, int slot) {
  if (slot == 7) return wasm_u16x8_shr(w, 14);
  if (slot == 0) return wasm_v128_and(w, wasm_i16x8_splat(3));
  return wasm_v128_and(wasm_u16x8_shr(w, 2 * slot), wasm_i16x8_splat(3));
}

// Two rows against 4 tokens (prompts): each slot's codes are decoded once per row and used for 4 tokens, each
// activation load serves both rows. Products are <= 3 * 128 and a dot lane adds 2 per 64 elements, so i32 lanes
// cannot overflow for any row length. Inlined on purpose: as a separate function V8 ran it 25% slower.
inline void dot_q16_rows2x4(const uint8_t* r0, const uint8_t* r1, const int16_t* q0, int ne0, int n_blocks,
                            int32_t out[8]) {
  const int16_t* q1 = q0 + ne0;
  const int16_t* q2 = q1 + ne0;
  const int16_t* q3 = q2 + ne0;
  v128_t a0 = wasm_i32x4_splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  for (int half_block = 0; half_block < 2 * n_blocks; half_block++) {
    const v128_t w = wasm_v128_load(r0 + half_block * 16), v = wasm_v128_load(r1 + half_block * 16);
    const int base = half_block * 64;
#pragma clang loop unroll(full)
    for (int slot = 0; slot < 8; slot++) {
      const v128_t c = slot_codes(w, slot), d = slot_codes(v, slot);
      const int k = base + slot * 8;
      v128_t q = wasm_v128_load(q0 + k);
      a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(c, q));
      b0 = wasm_i32x4_add(b0, wasm_i32x4_dot_i16x8(d, q));
      q = wasm_v128_load(q1 + k);
      a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(c, q));
      b1 = wasm_i32x4_add(b1, wasm_i32x4_dot_i16x8(d, q));
      q = wasm_v128_load(q2 + k);
      a2 = wasm_i32x4_add(a2, wasm_i32x4_dot_i16x8(c, q));
      b2 = wasm_i32x4_add(b2, wasm_i32x4_dot_i16x8(d, q));
      q = wasm_v128_load(q3 + k);
      a3 = wasm_i32x4_add(a3, wasm_i32x4_dot_i16x8(c, q));
      b3 = wasm_i32x4_add(b3, wasm_i32x4_dot_i16x8(d, q));
    }
  }
  out[0] = horizontal_sum(a0);
  out[1] = horizontal_sum(a1);
  out[2] = horizontal_sum(a2);
  out[3] = horizontal_sum(a3);
  out[4] = horizontal_sum(b0);
  out[5] = horizontal_sum(b1);
  out[6] = horizontal_sum(b2);
  out[7] = horizontal_sum(b3);
}

// Rows per tile of the matrix-matrix kernel: a tile's weights (at most 442 KB for 6912 inputs) stay in L2 while every
// group of 4 tokens passes over them, so each weight byte comes from memory once per batch.
constexpr int kRowTile = 256;

}  // namespace

int32_t i2s_dot_q16(const uint8_t* row, const int16_t* q16, int ne0) {
  return dot_q16_row(row, q16, ne0 / kI2sBlockElems);
}

void i2s_matvec_q16(const uint8_t* w, float w_scale, int ne0, int row_begin, int row_end, const int16_t* q16,
                    float act_scale, int32_t q_sum, float* y) {
  const int row_bytes = ne0 / 4, n_blocks = ne0 / kI2sBlockElems;
  // One row per pass: with a second row's accumulators V8 spills registers (measured slower).
  for (int m = row_begin; m < row_end; m++)
    y[m] = i2s_output(dot_q16_row(w + (size_t)m * row_bytes, q16, n_blocks), q_sum, act_scale, w_scale);
}

void i2s_matmul_q16(const uint8_t* w, float w_scale, int ne0, int row_begin, int row_end, const int16_t* q16,
                    const float* act_scale, const int32_t* q_sum, int n_tokens, float* y, int ld_y) {
  if (n_tokens == 1) {
    i2s_matvec_q16(w, w_scale, ne0, row_begin, row_end, q16, act_scale[0], q_sum[0], y);
    return;
  }
  const int row_bytes = ne0 / 4, n_blocks = ne0 / kI2sBlockElems;
  for (int tile = row_begin; tile < row_end; tile += kRowTile) {
    const int tile_end = tile + kRowTile < row_end ? tile + kRowTile : row_end;
    int t = 0;
    for (; t + 4 <= n_tokens; t += 4) {
      const int16_t* q0 = q16 + (size_t)t * ne0;
      int m = tile;
      for (; m + 2 <= tile_end; m += 2) {
        int32_t acc[8];
        dot_q16_rows2x4(w + (size_t)m * row_bytes, w + (size_t)(m + 1) * row_bytes, q0, ne0, n_blocks, acc);
        for (int j = 0; j < 4; j++) {
          y[(size_t)(t + j) * ld_y + m] = i2s_output(acc[j], q_sum[t + j], act_scale[t + j], w_scale);
          y[(size_t)(t + j) * ld_y + m + 1] = i2s_output(acc[4 + j], q_sum[t + j], act_scale[t + j], w_scale);
        }
      }
      for (; m < tile_end; m++)
        for (int j = 0; j < 4; j++)
          y[(size_t)(t + j) * ld_y + m] = i2s_output(dot_q16_row(w + (size_t)m * row_bytes, q0 + (size_t)j * ne0, n_blocks),
                                                     q_sum[t + j], act_scale[t + j], w_scale);
    }
    for (; t < n_tokens; t++)
      i2s_matvec_q16(w, w_scale, ne0, tile, tile_end, q16 + (size_t)t * ne0, act_scale[t], q_sum[t],
                     y + (size_t)t * ld_y);
  }
}
