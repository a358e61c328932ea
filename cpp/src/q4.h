// Q4 rows: an optional 4-bit lm_head (kLoadHeadInt4). Signed codes -7..7 with one f32 scale per 32 elements, two
// codes a byte: 5 bits an element against int8's 8.25, so 2B-4T's head is 205 MB instead of 338 MB, and generation
// reads that much less per token. Lossy (cpp/README.md has the measured logit error): never the default; the worker
// uses it only where the tab's measured memory needs it. Only for a matrix that is not also the input embedding.
// Layout per block of 32: byte i holds element i in its low nibble and element i + 16 in its high one, each as
// code + 8, so one 16-byte load gives the whole block.
#pragma once
#include <cstddef>
#include <cstdint>

constexpr int kQ4BlockElems = 32;

inline uint64_t q4_bytes(uint64_t ne0, uint64_t ne1) { return ne0 * ne1 / 2 + ne1 * (ne0 / kQ4BlockElems) * 4; }

// One row of ne0 floats (ne0 % 32 == 0) into packed codes (ne0 / 2 bytes) and scales. A block with an infinity or
// NaN becomes zeros.
void q4_quantize_row(const float* values, int ne0, uint8_t* packed, float* scales);
// One packed row back to floats.
void q4_dequantize_row(const uint8_t* packed, const float* scales, int ne0, float* out);

// y[m] = dot(row m, x) for rows [row_begin, row_end), x as i16 with x_scale (q8_quantize_input). The SIMD and scalar
// kernels give the same floats bit for bit: exact integer sums per block in four lanes (element k in lane (k % 8) / 2,
// as i32x4.dot_i16x8_s adds pairs), then the same float operations in the same order.
void q4_matvec_simd(const uint8_t* packed, const float* scales, int ne0, int row_begin, int row_end, const int16_t* xq,
                    float x_scale, float* y);
void q4_matvec_scalar(const uint8_t* packed, const float* scales, int ne0, int row_begin, int row_end,
                      const int16_t* xq, float x_scale, float* y);
