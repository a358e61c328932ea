// F16 matrix kernels for the tied embedding / lm_head (the largest tensor of a BitNet model: 657 MB on 2B-4T).
#pragma once
#include <cstdint>

float f16_to_f32(uint16_t h);
void f16_row_to_f32(const uint16_t* row, int n, float* out);
// Prepares x for f16_matvec_simd (x times 2^112, each group of 8 stored as its even then its odd elements; see
// f16.cpp); false if x is out of range for it or n % 8 != 0, in which case use f16_matvec_scalar.
bool f16_scale_input(const float* x, int n, float* x_scaled);
// y[m] = dot(W row m, x) for rows [row_begin, row_end); W has ne0 columns; x_scaled from f16_scale_input. SIMD128.
void f16_matvec_simd(const uint16_t* w, int ne0, int row_begin, int row_end, const float* x_scaled, float* y);
void f16_matvec_scalar(const uint16_t* w, int ne0, int row_begin, int row_end, const float* x, float* y);
