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

// acc = sum over the row of code * q. Kept scalar: the reference the SIMD kernels are checked against.
int32_t i2s_dot_scalar(const uint8_t* row, const int8_t* q, int ne0);
// Rows [row_begin, row_end) of W (ne0 columns) times one token (y[m]) or n_tokens tokens (q: n_tokens rows of ne0,
// act_scale/q_sum per token; y[t * ld_y + m]).
void i2s_matvec_scalar(const uint8_t* w, float w_scale, int ne0, int row_begin, int row_end, const int8_t* q,
                       float act_scale, int32_t q_sum, float* y);
void i2s_matmul_scalar(const uint8_t* w, float w_scale, int ne0, int row_begin, int row_end, const int8_t* q,
                       const float* act_scale, const int32_t* q_sum, int n_tokens, float* y, int ld_y);

// ---- SIMD128 kernels: the same results as the scalar ones, bit for bit ----
// They read the activations as i16 in the order of the weights' bit slots: i2s_permute_q16 (once per token and
// input vector) writes that layout, ne0 values per token.
void i2s_permute_q16(const int8_t* q, int ne0, int16_t* q16);
int32_t i2s_dot_q16(const uint8_t* row, const int16_t* q16, int ne0);
// One token (generation).
void i2s_matvec_q16(const uint8_t* w, float w_scale, int ne0, int row_begin, int row_end, const int16_t* q16,
                    float act_scale, int32_t q_sum, float* y);
// n_tokens tokens (prompts): each weight slot is decoded once per 4 tokens, rows are tiled to stay in cache.
void i2s_matmul_q16(const uint8_t* w, float w_scale, int ne0, int row_begin, int row_end, const int16_t* q16,
                    const float* act_scale, const int32_t* q_sum, int n_tokens, float* y, int ld_y);
