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
// Sign-extending an f16 to i32 and shifting left by 13 puts its sign in bit 31 and its exponent+mantissa in bits
// 27..13; masking the rest gives a float equal to the f16 value times 2^-112, exact for normals and subnormals
// (infinities and NaN, absent from weights, become large finite numbers). The 2^112 goes into x instead, so the
// product per element is the same float as with an exact conversion.
inline v128_t f16_lo_scaled(v128_t h) {
  return wasm_v128_and(wasm_i32x4_shl(wasm_i32x4_extend_low_i16x8(h), 13), wasm_i32x4_splat((int32_t)0x8FFFE000u));
}
inline v128_t f16_hi_scaled(v128_t h) {
  return wasm_v128_and(wasm_i32x4_shl(wasm_i32x4_extend_high_i16x8(h), 13), wasm_i32x4_splat((int32_t)0x8FFFE000u));
}
constexpr float kTwoPow112 = 5.192296858534828e33f;
}  // namespace

bool f16_scale_input(const float* x, int n, float* x_scaled) {
  // x * 2^112 overflows for |x| >= 2^16, and the SIMD loop needs whole groups of 8.
  float amax = 0;
  for (int k = 0; k < n; k++) amax = fmaxf(amax, fabsf(x[k]));
  if (n % 8 || !(amax < 32768.0f)) return false;
  for (int k = 0; k < n; k++) x_scaled[k] = x[k] * kTwoPow112;
  return true;
}

void f16_matvec_simd(const uint16_t* w, int ne0, int row_begin, int row_end, const float* xs, float* y) {
  int m = row_begin;
  for (; m + 2 <= row_end; m += 2) {
    const uint16_t* r0 = w + (size_t)m * ne0;
    const uint16_t* r1 = r0 + ne0;
    v128_t a0 = wasm_f32x4_splat(0), a1 = a0, b0 = a0, b1 = a0;
    for (int k = 0; k < ne0; k += 8) {
      const v128_t xl = wasm_v128_load(xs + k), xh = wasm_v128_load(xs + k + 4);
      const v128_t h0 = wasm_v128_load(r0 + k), h1 = wasm_v128_load(r1 + k);
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(f16_lo_scaled(h0), xl));
      a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(f16_hi_scaled(h0), xh));
      b0 = wasm_f32x4_add(b0, wasm_f32x4_mul(f16_lo_scaled(h1), xl));
      b1 = wasm_f32x4_add(b1, wasm_f32x4_mul(f16_hi_scaled(h1), xh));
    }
    const v128_t a = wasm_f32x4_add(a0, a1), b = wasm_f32x4_add(b0, b1);
    y[m] = (wasm_f32x4_extract_lane(a, 0) + wasm_f32x4_extract_lane(a, 1)) +
           (wasm_f32x4_extract_lane(a, 2) + wasm_f32x4_extract_lane(a, 3));
    y[m + 1] = (wasm_f32x4_extract_lane(b, 0) + wasm_f32x4_extract_lane(b, 1)) +
               (wasm_f32x4_extract_lane(b, 2) + wasm_f32x4_extract_lane(b, 3));
  }
  for (; m < row_end; m++) {
    const uint16_t* r0 = w + (size_t)m * ne0;
    v128_t a0 = wasm_f32x4_splat(0), a1 = a0;
    for (int k = 0; k < ne0; k += 8) {
      const v128_t h0 = wasm_v128_load(r0 + k);
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(f16_lo_scaled(h0), wasm_v128_load(xs + k)));
      a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(f16_hi_scaled(h0), wasm_v128_load(xs + k + 4)));
    }
    const v128_t a = wasm_f32x4_add(a0, a1);
    y[m] = (wasm_f32x4_extract_lane(a, 0) + wasm_f32x4_extract_lane(a, 1)) +
           (wasm_f32x4_extract_lane(a, 2) + wasm_f32x4_extract_lane(a, 3));
  }
}
