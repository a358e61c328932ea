// Q6 rows: an optional 6-bit lm_head (kLoadHeadInt6). Signed codes -31..31 with one f32 scale per 64 elements:
// 6.5 bits an element against int8's 8.25, so 2B-4T's head is 267 MB instead of 338 MB. Unlike the 4-bit head it
// stays within the reference tolerance (cpp/README.md has the measured error), so it is the first lossy step for the
// head when the tab's memory is short. Only for a matrix that is not also the input embedding.
// Layout per block of 64, 48 bytes, each code stored as code + 32 (1..63):
// - bytes 0..15: element i's low 4 bits in the low nibble of byte i, element i + 16's in its high nibble;
// - bytes 16..31: the same for elements 32 + i and 48 + i;
// - bytes 32..47: the top 2 bits, byte i holding elements i, 16 + i, 32 + i, 48 + i in bits 0-1, 2-3, 4-5, 6-7.
// So three 16-byte loads give a whole block, and each group of 16 codes is a mask (or shift) of one of them.
#pragma once
#include <cstddef>
#include <cstdint>

constexpr int kQ6BlockElems = 64;
constexpr int kQ6BlockBytes = 48;

inline uint64_t q6_row_bytes(uint64_t ne0) { return ne0 / kQ6BlockElems * kQ6BlockBytes; }
inline uint64_t q6_bytes(uint64_t ne0, uint64_t ne1) { return ne1 * q6_row_bytes(ne0) + ne1 * (ne0 / kQ6BlockElems) * 4; }

// One row of ne0 floats (ne0 % 64 == 0) into packed codes and scales. A block with an infinity or NaN becomes zeros.
void q6_quantize_row(const float* values, int ne0, uint8_t* packed, float* scales);
// One packed row back to floats.
void q6_dequantize_row(const uint8_t* packed, const float* scales, int ne0, float* out);

// y[m] = dot(row m, x) for rows [row_begin, row_end), x as i16 with x_scale (q8_quantize_input). The SIMD and scalar
// kernels give the same floats bit for bit: exact integer sums per block in four lanes (element k in lane (k % 8) / 2,
// as i32x4.dot_i16x8_s adds pairs), then the same float operations in the same order.
void q6_matvec_simd(const uint8_t* packed, const float* scales, int ne0, int row_begin, int row_end, const int16_t* xq,
                    float x_scale, float* y);
void q6_matvec_scalar(const uint8_t* packed, const float* scales, int ne0, int row_begin, int row_end,
                      const int16_t* xq, float x_scale, float* y);
