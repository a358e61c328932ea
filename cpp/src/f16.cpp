#include "f16.h"
#include <cmath>
#include <cstring>
#include <wasm_simd128.h>

float f16_to_f32(uint16_t h) {
  const uint32_t sign = (uint32_t)(h & 0x8000) << 16;
  const uint32_t exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  float magnitude;
  if (exponent == 0) magnitude = ldexpf((float)mantissa, -24);
  else if (exponent == 31) magnitude = mantissa ? NAN : INFINITY;
  else magnitude = ldexpf((float)(mantissa | 0x400), (int)exponent - 25);
  uint32_t bits;
  memcpy(&bits, &magnitude, 4);
  bits |= sign;
  float out;
  memcpy(&out, &bits, 4);
  return out;
}

void f16_row_to_f32(const uint16_t* row, int n, float* out) {
  for (int i = 0; i < n; i++) out[i] = f16_to_f32(row[i]);
}

void f16_matvec_scalar(const uint16_t* w, int ne0, int row_begin, int row_end, const float* x, float* y) {
  for (int m = row_begin; m < row_end; m++) {
    const uint16_t* row = w + (size_t)m * ne0;
    float sum = 0;
    for (int k = 0; k < ne0; k++) sum += f16_to_f32(row[k]) * x[k];
    y[m] = sum;
  }
}

namespace {
// A 16-byte load at element k holds halves k..k+7, two per 32-bit lane: an odd element in bits 31..16. Shifting a
// lane right by 3 (arithmetic) and masking moves that half's sign to bit 31 and its exponent+mantissa to bits
// 27..13, a float equal to the f16 value times 2^-112, exact for normals and subnormals (infinities and NaN, absent
// from weights, become large finite numbers). The even elements get the same treatment from a second load one
// element earlier (its low halves, the odd elements before, are masked away; it reads 2 bytes before a row, which
// is always inside wasm memory). The 2^112 goes into x instead, so each product is the same float as with an exact
// conversion. x is stored per group of 8 as its 4 even elements then its 4 odd ones (f16_scale_input).
inline v128_t f16_high_scaled(v128_t h, v128_t mask) { return wasm_v128_and(wasm_i32x4_shr(h, 3), mask); }
constexpr float kTwoPow112 = 5.192296858534828e33f;

inline float lane_sum(v128_t a) {
  return (wasm_f32x4_extract_lane(a, 0) + wasm_f32x4_extract_lane(a, 1)) +
         (wasm_f32x4_extract_lane(a, 2) + wasm_f32x4_extract_lane(a, 3));
}

// 8 elements of one row: (even halves * even x) + (odd halves * odd x), added to acc.
inline v128_t f16_group(v128_t acc, const uint16_t* w, v128_t x_even, v128_t x_odd, v128_t mask) {
  const v128_t even = f16_high_scaled(wasm_v128_load(w - 1), mask), odd = f16_high_scaled(wasm_v128_load(w), mask);
  return wasm_f32x4_add(acc, wasm_f32x4_add(wasm_f32x4_mul(even, x_even), wasm_f32x4_mul(odd, x_odd)));
}
}  // namespace

bool f16_scale_input(const float* x, int n, float* x_scaled) {
  // x * 2^112 overflows for |x| >= 2^16, and the SIMD loop needs whole groups of 8.
  float amax = 0;
  for (int k = 0; k < n; k++) amax = fmaxf(amax, fabsf(x[k]));
  if (n % 8 || !(amax < 32768.0f)) return false;
  for (int g = 0; g < n; g += 8)
    for (int j = 0; j < 4; j++) {
      x_scaled[g + j] = x[g + 2 * j] * kTwoPow112;
      x_scaled[g + 4 + j] = x[g + 2 * j + 1] * kTwoPow112;
    }
  return true;
}

void f16_matvec_simd(const uint16_t* w, int ne0, int row_begin, int row_end, const float* xs, float* y) {
  const v128_t mask = wasm_i32x4_splat((int32_t)0x8FFFE000u);
  int m = row_begin;
  // Four rows per pass share the x loads and keep four independent add chains in flight.
  for (; m + 4 <= row_end; m += 4) {
    const uint16_t* r0 = w + (size_t)m * ne0;
    const uint16_t* r1 = r0 + ne0;
    const uint16_t* r2 = r1 + ne0;
    const uint16_t* r3 = r2 + ne0;
    v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (int k = 0; k < ne0; k += 8) {
      const v128_t x_even = wasm_v128_load(xs + k), x_odd = wasm_v128_load(xs + k + 4);
      a0 = f16_group(a0, r0 + k, x_even, x_odd, mask);
      a1 = f16_group(a1, r1 + k, x_even, x_odd, mask);
      a2 = f16_group(a2, r2 + k, x_even, x_odd, mask);
      a3 = f16_group(a3, r3 + k, x_even, x_odd, mask);
    }
    y[m] = lane_sum(a0);
    y[m + 1] = lane_sum(a1);
    y[m + 2] = lane_sum(a2);
    y[m + 3] = lane_sum(a3);
  }
  for (; m < row_end; m++) {
    const uint16_t* r0 = w + (size_t)m * ne0;
    v128_t a0 = wasm_f32x4_splat(0);
    for (int k = 0; k < ne0; k += 8) a0 = f16_group(a0, r0 + k, wasm_v128_load(xs + k), wasm_v128_load(xs + k + 4), mask);
    y[m] = lane_sum(a0);
  }
}
