// I2_S ternary kernels (ggml type 36, the format of BitNet-b1.58 GGUF files).
// Weights: rows of ne0 2-bit codes (0 = -1, 1 = 0, 2 = +1) in 128-element blocks of 32 bytes; byte b of a block holds
// elements b, 32+b, 64+b, 96+b in bits 7..6, 5..4, 3..2, 1..0. Activations: int8 per token with scale s and sum Q.
// Output: y = (((float)acc - (float)Q) / s) * weight_scale with acc = sum code * q (exact integers), which both the
// scalar reference and the SIMD kernels compute bit-for-bit identically.
#pragma once
#include <cstdint>

constexpr int kI2sBlockElems = 128;
constexpr int kI2sBlockBytes = 32;

// Per-token absmax quantization as the reference engine does it. Returns the scale s; *sum gets Q = sum of q.
float i2s_quantize_row(const float* x, int n, int8_t* q, int32_t* sum);

inline float i2s_output(int32_t acc, int32_t q_sum, float act_scale, float weight_scale) {
  return (((float)acc - (float)q_sum) / act_scale) * weight_scale;
}

// acc = sum over the row of code * q.
int32_t i2s_dot_scalar(const uint8_t* row, const int8_t* q, int ne0);
int32_t i2s_dot_simd(const uint8_t* row, const int8_t* q, int ne0);

// Rows [row_begin, row_end) of W (ne0 columns) times one token: y[m] for each row m.
void i2s_matvec_scalar(const uint8_t* w, float w_scale, int ne0, int row_begin, int row_end, const int8_t* q,
                       float act_scale, int32_t q_sum, float* y);
void i2s_matvec_simd(const uint8_t* w, float w_scale, int ne0, int row_begin, int row_end, const int8_t* q,
                     float act_scale, int32_t q_sum, float* y);

// Rows [row_begin, row_end) times n_tokens tokens (q: n_tokens rows of ne0, act_scale/q_sum per token):
// y[t * ld_y + m]. Each weight row is decoded once into `decoded` (ne0 bytes) and reused for every token.
void i2s_matmul_simd(const uint8_t* w, float w_scale, int ne0, int row_begin, int row_end, const int8_t* q,
                     const float* act_scale, const int32_t* q_sum, int n_tokens, float* y, int ld_y, int8_t* decoded);
void i2s_matmul_scalar(const uint8_t* w, float w_scale, int ne0, int row_begin, int row_end, const int8_t* q,
                       const float* act_scale, const int32_t* q_sum, int n_tokens, float* y, int ld_y);
