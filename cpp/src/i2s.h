// I2_S ternary kernels (ggml type 36, the format of BitNet-b1.58 GGUF files).
// Weights: rows of ne0 2-bit codes (0 = -1, 1 = 0, 2 = +1) in 128-element blocks of 32 bytes; byte b of a block holds
// elements b, 32+b, 64+b, 96+b in bits 7..6, 5..4, 3..2, 1..0. Activations: int8 per token with scale s and sum Q.
// Output: y = (((float)acc - (float)Q) / s) * weight_scale with acc = sum code * q (exact integers), which both the
// scalar reference and the SIMD kernels compute bit-for-bit identically.
#pragma once
#include <cstddef>
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

// ---- SIMD128 lookup-table kernels: the same results as the scalar ones, bit for bit ----
// They read the weights "tiled": rows in tiles of 16, where 16-byte vector j of a tile holds in byte r the codes of
// row r's elements 4j..4j+3 (c0 | c1 << 2 | c2 << 4 | c3 << 6). A tile fills the same bytes as its 16 rows in the
// file, so i2s_tile_rows converts in place after loading; rows after the last full tile stay as in the file.
constexpr int kI2sTileRows = 16;
inline int i2s_tile_count(int ne1) { return (ne1 + kI2sTileRows - 1) / kI2sTileRows; }
// Converts full tiles [tile_begin, tile_end) of w in place; scratch holds one tile (4 * ne0 bytes).
void i2s_tile_rows(uint8_t* w, int ne0, int tile_begin, int tile_end, uint8_t* scratch);

// Per token, the activations become lookup tables: 32 bytes per pair of inputs (see i2s.cpp).
inline size_t i2s_lut_bytes(int ne0) { return (size_t)ne0 * 16; }
void i2s_build_lut(const int8_t* q, int ne0, uint8_t* lut);

// Tiles [tile_begin, tile_end) of a tiled W (ne1 rows; the last tile index may be the partial one) times n_tokens
// tokens: luts holds i2s_lut_bytes(ne0) per token, q the same tokens' int8 activations (for the partial tile),
// y[t * ld_y + m].
void i2s_matmul_tiled(const uint8_t* w, float w_scale, int ne0, int ne1, int tile_begin, int tile_end,
                      const uint8_t* luts, const int8_t* q, const float* act_scale, const int32_t* q_sum, int n_tokens,
                      float* y, int ld_y);
