// Q8 rows: the token embedding / lm_head (F16 in the file, 657 MB on 2B-4T, the largest tensor) as int8 with one f32
// scale per 128-element block, converted while the file streams in. Why: the lm_head reads every byte of this
// tensor for every token; int8 halves those bytes, and an i8 x i16 multiply-add needs far fewer instructions than
// converting f16 in WebAssembly SIMD. Block absmax keeps the lm_head's error below 1/254 of a block's largest weight.
// The input embedding must be closer to the file (random-weight models amplify its errors through every layer), so
// the tied table also keeps an int8 residual: weight = scale * (q + residual / 254), within 1/64516 of the block's
// largest weight, finer than f16's own rounding. Together they take the same memory as the f16 tensor; generation
// reads the residual of one row per token only.
#pragma once
#include <cstddef>
#include <cstdint>

constexpr int kQ8BlockElems = 128;

struct Q8Matrix {
  int8_t* q = nullptr;         // [ne1][ne0]
  float* scales = nullptr;     // [ne1][ne0 / 128]: weight ~ q * scale
  int8_t* residual = nullptr;  // [ne1][ne0] or null: weight ~ scale * (q + residual / 254)
  // Set instead of q for a 4-bit head (q4.h): [ne1][ne0 / 2] packed codes, and scales are then per 32 elements.
  uint8_t* q4 = nullptr;
  // Or for a 6-bit head (q6.h): [ne1][q6_row_bytes(ne0)] packed codes, and scales are then per 64 elements.
  uint8_t* q6 = nullptr;
  int ne0 = 0, ne1 = 0;
};

inline uint64_t q8_bytes(uint64_t ne0, uint64_t ne1) { return ne0 * ne1 + ne1 * (ne0 / kQ8BlockElems) * 4; }

// One row of ne0 f16 values (ne0 % 128 == 0) into q, scales and (if not null) residual. A block holding an infinity
// or NaN becomes zeros (a corrupt file must not trap the engine).
void q8_quantize_f16_row(const uint16_t* row, int ne0, int8_t* q, float* scales, int8_t* residual);
// One row of ggml Q8_0 blocks (32 int8 with an f16 scale, 34 bytes; some Falcon files' output.weight) into q and
// scales: each 128 values as dequantized, quantized again with one scale, as an F16 row would be.
void q8_quantize_q8_0_row(const uint8_t* row, int ne0, int8_t* q, float* scales);
// Bytes of one row of ne0 values in the file: F16 or Q8_0.
inline size_t q8_source_row_bytes(uint32_t source_type, int ne0) {
  return source_type == 8 ? (size_t)ne0 / 32 * 34 : (size_t)ne0 * 2;
}
// With the residual when the matrix has one.
void q8_dequantize_row(const Q8Matrix& w, int row, float* out);

// The input vector as i16 with one scale (x ~ xq * scale); returns the scale.
float q8_quantize_input(const float* x, int n, int16_t* xq);

// y[m] = dot(row m, x) for rows [row_begin, row_end). The SIMD and scalar kernels give the same floats bit for bit:
// exact integer sums per block in four lanes, then the same float operations in the same order.
void q8_matvec_simd(const Q8Matrix& w, int row_begin, int row_end, const int16_t* xq, float x_scale, float* y);
void q8_matvec_scalar(const Q8Matrix& w, int row_begin, int row_end, const int16_t* xq, float x_scale, float* y);

// Converts F16 (or Q8_0) rows as their bytes arrive in file order, so the file's tensor is never held in memory.
struct Q8RowStream {
  Q8Matrix* target = nullptr;
  uint32_t source_type = 1;     // GGML_F16 or GGML_Q8_0 (8)
  uint16_t* staging = nullptr;  // one row (ne0 * 2 bytes, enough for either type)
  size_t staged_bytes = 0;
  int next_row = 0;
};
void q8_stream_write(Q8RowStream* s, const uint8_t* data, size_t len);
