#include "q8.h"
#include "q4.h"
#include "q6.h"
#include "gguf.h"
#include "half.h"
#include "simd_lanes.h"
#include "threadpool.h"
#include <cmath>
#include <algorithm>
#include <cstring>
#include <wasm_simd128.h>

namespace {
// Round half to even and clamp to +-limit; NaN becomes 0 (a float-to-int conversion of NaN would trap).
inline int round_clamped(float v, float limit) {
  float r = nearbyintf(v);
  if (r > limit) r = limit;
  if (r < -limit) r = -limit;
  return r == r ? (int)r : 0;
}
}  // namespace

namespace {
// Eight f16 values to floats; *non_finite gets lanes whose exponent is all ones (infinity or NaN).
inline void f16x8_to_f32(v128_t h, float* out, v128_t* non_finite) {
  const v128_t exponent = wasm_v128_and(h, wasm_i16x8_splat(0x7c00));
  *non_finite = wasm_v128_or(*non_finite, wasm_i16x8_eq(exponent, wasm_i16x8_splat(0x7c00)));
  v128_t low, high;
  f16x8_to_f32x4x2(h, &low, &high);
  wasm_v128_store(out, low);
  wasm_v128_store(out + 4, high);
}

// `n` values (a multiple of 32) of an F16 or Q8_0 (ggml type 8) row, from element `first` on, as floats;
// *non_finite gets lanes of any value (or Q8_0 scale) that is infinity or NaN.
void source_values_to_f32(uint32_t source_type, const uint8_t* row, int first, int n, float* out, v128_t* non_finite) {
  if (source_type != 8) {
    const uint16_t* halves = (const uint16_t*)row + first;
    for (int i = 0; i < n; i += 8) f16x8_to_f32(wasm_v128_load(halves + i), out + i, non_finite);
    return;
  }
  for (int sub = 0; sub < n / 32; sub++) {
    const uint8_t* block = row + (size_t)(first / 32 + sub) * 34;
    alignas(16) uint16_t d16[8] = {0};
    alignas(16) float d[8];
    memcpy(&d16[0], block, 2);
    f16x8_to_f32(wasm_v128_load(d16), d, non_finite);
    // Lanes 1..7 are zero halves: only lane 0's exponent can be all ones.
    for (int i = 0; i < 32; i++) out[sub * 32 + i] = d[0] * (float)(int8_t)block[2 + i];
  }
}

// Four floats rounded half to even into int8 (|v| <= 127.5 by construction; the narrowing saturates anyway).
inline uint32_t round_to_i8x4(v128_t v) {
  const v128_t i32 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(v));
  const v128_t i16 = wasm_i16x8_narrow_i32x4(i32, i32);
  return (uint32_t)wasm_i32x4_extract_lane(wasm_i8x16_narrow_i16x8(i16, i16), 0);
}

// One block of 128 floats (non_finite: lanes of any that were infinity or NaN) into q, its scale and the residual.
void quantize_block(const float* values, v128_t non_finite, int8_t* qb, float* scale, int8_t* rb) {
  v128_t amax = wasm_f32x4_splat(0);
  for (int i = 0; i < kQ8BlockElems; i += 4) amax = wasm_f32x4_max(amax, wasm_f32x4_abs(wasm_v128_load(values + i)));
  const float block_max = std::max(std::max(wasm_f32x4_extract_lane(amax, 0), wasm_f32x4_extract_lane(amax, 1)),
                                   std::max(wasm_f32x4_extract_lane(amax, 2), wasm_f32x4_extract_lane(amax, 3)));
  const bool usable = block_max > 0 && !wasm_v128_any_true(non_finite);
  const v128_t inv = wasm_f32x4_splat(usable ? 127.0f / block_max : 0.0f);
  *scale = usable ? block_max / 127.0f : 0.0f;
  for (int i = 0; i < kQ8BlockElems; i += 4) {
    const v128_t v = wasm_f32x4_mul(wasm_v128_load(values + i), inv);
    const uint32_t packed = round_to_i8x4(v);
    memcpy(qb + i, &packed, 4);
    if (rb) {
      const v128_t qf = wasm_f32x4_nearest(v);
      const uint32_t r = round_to_i8x4(wasm_f32x4_mul(wasm_f32x4_sub(v, qf), wasm_f32x4_splat(254.0f)));
      memcpy(rb + i, &r, 4);
    }
  }
}
}  // namespace

void q8_quantize_f16_row(const uint16_t* row, int ne0, int8_t* q, float* scales, int8_t* residual) {
  alignas(16) float values[kQ8BlockElems];
  for (int b = 0; b < ne0 / kQ8BlockElems; b++) {
    v128_t non_finite = wasm_i32x4_splat(0);
    source_values_to_f32(GGML_F16, (const uint8_t*)row, b * kQ8BlockElems, kQ8BlockElems, values, &non_finite);
    quantize_block(values, non_finite, q + b * kQ8BlockElems, scales + b, residual ? residual + b * kQ8BlockElems : nullptr);
  }
}

void q8_quantize_q8_0_row(const uint8_t* row, int ne0, int8_t* q, float* scales) {
  alignas(16) float values[kQ8BlockElems];
  for (int b = 0; b < ne0 / kQ8BlockElems; b++) {
    v128_t non_finite = wasm_i32x4_splat(0);
    source_values_to_f32(GGML_Q8_0, row, b * kQ8BlockElems, kQ8BlockElems, values, &non_finite);
    quantize_block(values, non_finite, q + b * kQ8BlockElems, scales + b, nullptr);
  }
}

void q8_dequantize_row(const Q8Matrix& w, int row, float* out) {
  if (w.q4) return q4_dequantize_row(w.q4 + (size_t)row * (w.ne0 / 2), w.scales + (size_t)row * (w.ne0 / kQ4BlockElems), w.ne0, out);
  if (w.q6) return q6_dequantize_row(w.q6 + (size_t)row * q6_row_bytes(w.ne0), w.scales + (size_t)row * (w.ne0 / kQ6BlockElems), w.ne0, out);
  const int8_t* q = w.q + (size_t)row * w.ne0;
  const float* scales = w.scales + (size_t)row * (w.ne0 / kQ8BlockElems);
  if (!w.residual) {
    for (int k = 0; k < w.ne0; k++) out[k] = scales[k / kQ8BlockElems] * (float)q[k];
    return;
  }
  const int8_t* residual = w.residual + (size_t)row * w.ne0;
  for (int k = 0; k < w.ne0; k++) out[k] = scales[k / kQ8BlockElems] * ((float)q[k] + (float)residual[k] / 254.0f);
}

float q8_quantize_input(const float* x, int n, int16_t* xq) {
  float amax = 0;
  for (int i = 0; i < n; i++) {
    const float a = fabsf(x[i]);
    if (a > amax) amax = a;
  }
  if (!(amax > 0) || !std::isfinite(amax)) {
    memset(xq, 0, (size_t)n * 2);
    return 0;
  }
  const float inv = 32767.0f / amax;
  for (int i = 0; i < n; i++) xq[i] = (int16_t)round_clamped(x[i] * inv, 32767);
  return amax / 32767.0f;
}

void q8_matvec_scalar(const Q8Matrix& w, int row_begin, int row_end, const int16_t* xq, float x_scale, float* y) {
  if (w.q4) return q4_matvec_scalar(w.q4, w.scales, w.ne0, row_begin, row_end, xq, x_scale, y);
  if (w.q6) return q6_matvec_scalar(w.q6, w.scales, w.ne0, row_begin, row_end, xq, x_scale, y);
  const int n_blocks = w.ne0 / kQ8BlockElems;
  for (int m = row_begin; m < row_end; m++) {
    const int8_t* q = w.q + (size_t)m * w.ne0;
    const float* scales = w.scales + (size_t)m * n_blocks;
    float lane_sum[4] = {0, 0, 0, 0};
    for (int b = 0; b < n_blocks; b++) {
      int32_t lane_int[4] = {0, 0, 0, 0};
      // Element k lands in SIMD lane (k % 8) / 2 (i32x4.dot_i16x8_s adds neighbours pairwise).
      for (int k = b * kQ8BlockElems; k < (b + 1) * kQ8BlockElems; k++) lane_int[(k % 8) / 2] += q[k] * xq[k];
      for (int l = 0; l < 4; l++) lane_sum[l] = lane_sum[l] + (float)lane_int[l] * scales[b];
    }
    y[m] = ((lane_sum[0] + lane_sum[1]) + (lane_sum[2] + lane_sum[3])) * x_scale;
  }
}

namespace {

// One row at a time, so the matrix is read as one sequential stream. Four rows per pass shared each activation load
// but read four streams 2.5 KB apart, and out of cache that ran at half the speed: 8.8 against 18 GB/s in Node on a
// 105 MB matrix, and generation at 1 thread in Chromium went from 11.5 to 15 tokens/s with this. Per block, i32
// lanes add at most 32 products of |127 * 32767|: far from overflow.
float q8_row(const Q8Matrix& w, int m, const int16_t* xq) {
  const int n_blocks = w.ne0 / kQ8BlockElems;
  const int8_t* q = w.q + (size_t)m * w.ne0;
  const float* scales = w.scales + (size_t)m * n_blocks;
  v128_t sum = wasm_f32x4_splat(0);
  for (int b = 0; b < n_blocks; b++) {
    v128_t acc = wasm_i32x4_splat(0);
    for (int k = b * kQ8BlockElems; k < (b + 1) * kQ8BlockElems; k += 16) {
      acc = dot16_i8_i16(wasm_v128_load(q + k), xq + k, acc);
    }
    sum = wasm_f32x4_add(sum, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), wasm_f32x4_splat(scales[b])));
  }
  return lanes_total(sum);
}

}  // namespace

void q8_matvec_simd(const Q8Matrix& w, int row_begin, int row_end, const int16_t* xq, float x_scale, float* y) {
  if (w.q4) return q4_matvec_simd(w.q4, w.scales, w.ne0, row_begin, row_end, xq, x_scale, y);
  if (w.q6) return q6_matvec_simd(w.q6, w.scales, w.ne0, row_begin, row_end, xq, x_scale, y);
  for (int m = row_begin; m < row_end; m++) y[m] = q8_row(w, m, xq) * x_scale;
}

namespace {
// One F16 or Q8_0 row into 4- or 6-bit codes, a block at a time (a block with an infinity or NaN becomes zeros).
// A block is a whole number of Q8_0 blocks (32 values).
template <int kBlock>
void low_bit_quantize_source_row(uint32_t source_type, const uint8_t* row, int ne0,
                                 void (*quantize)(const float*, int, uint8_t*, float*), size_t block_bytes,
                                 uint8_t* packed, float* scales) {
  alignas(16) float values[kBlock];
  for (int b = 0; b < ne0 / kBlock; b++) {
    v128_t non_finite = wasm_i32x4_splat(0);
    source_values_to_f32(source_type, row, b * kBlock, kBlock, values, &non_finite);
    if (wasm_v128_any_true(non_finite)) values[0] = NAN;
    quantize(values, kBlock, packed + b * block_bytes, scales + b);
  }
}
}  // namespace

namespace {
// Source row `r` (F16 or Q8_0 bytes at `source`) into the target's codes and scales.
void convert_row(const Q8RowStream& s, const uint8_t* source, int r) {
  Q8Matrix& w = *s.target;
  if (w.q4) {
    low_bit_quantize_source_row<kQ4BlockElems>(s.source_type, source, w.ne0, q4_quantize_row, kQ4BlockElems / 2,
                                               w.q4 + (size_t)r * (w.ne0 / 2), w.scales + (size_t)r * (w.ne0 / kQ4BlockElems));
  } else if (w.q6) {
    low_bit_quantize_source_row<kQ6BlockElems>(s.source_type, source, w.ne0, q6_quantize_row, kQ6BlockBytes,
                                               w.q6 + (size_t)r * q6_row_bytes(w.ne0), w.scales + (size_t)r * (w.ne0 / kQ6BlockElems));
  } else {
    int8_t* q = w.q + (size_t)r * w.ne0;
    float* scales = w.scales + (size_t)r * (w.ne0 / kQ8BlockElems);
    if (s.source_type == 8) q8_quantize_q8_0_row(source, w.ne0, q, scales);
    else q8_quantize_f16_row((const uint16_t*)source, w.ne0, q, scales, w.residual ? w.residual + (size_t)r * w.ne0 : nullptr);
  }
}

struct ConvertRowsJob {
  const Q8RowStream* stream;
  const uint8_t* source;  // row first_row's bytes, then the next rows' in file order
  size_t row_bytes;
  int first_row, rows;
};

void convert_rows_task(void* ctx, int worker, int n_workers) {
  const ConvertRowsJob& job = *(const ConvertRowsJob*)ctx;
  int begin, end;
  split_range(job.rows, worker, n_workers, &begin, &end);
  for (int i = begin; i < end; i++) convert_row(*job.stream, job.source + (size_t)i * job.row_bytes, job.first_row + i);
}
}  // namespace

// The whole rows of a chunk are converted where they lie, split across the pool's threads (the load's largest cost
// after reading: 2B-4T's 128256-row table); only a row cut by the chunk's edges goes through the staging row.
void q8_stream_write(Q8RowStream* s, const uint8_t* data, size_t len) {
  const int ne1 = s->target->ne1;
  const size_t row_bytes = q8_source_row_bytes(s->source_type, s->target->ne0);
  if (s->staged_bytes > 0 && s->next_row < ne1) {
    const size_t take = std::min(row_bytes - s->staged_bytes, len);
    memcpy((uint8_t*)s->staging + s->staged_bytes, data, take);
    s->staged_bytes += take;
    data += take;
    len -= take;
    if (s->staged_bytes < row_bytes) return;
    convert_row(*s, (const uint8_t*)s->staging, s->next_row++);
    s->staged_bytes = 0;
  }
  const int rows = (int)std::min<size_t>(len / row_bytes, (size_t)(ne1 - s->next_row));
  if (rows > 0) {
    ConvertRowsJob job{s, data, row_bytes, s->next_row, rows};
    pool_run(convert_rows_task, &job);
    s->next_row += rows;
    data += (size_t)rows * row_bytes;
    len -= (size_t)rows * row_bytes;
  }
  if (len > 0 && s->next_row < ne1) {
    memcpy(s->staging, data, len);  // less than a row: the next chunk completes it
    s->staged_bytes = len;
  }
}
