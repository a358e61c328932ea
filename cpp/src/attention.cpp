#include "attention.h"
#include "half.h"
#include "simd_lanes.h"
#include <algorithm>
#include <cmath>
#include <wasm_simd128.h>

namespace {

inline float dot_f32(const float* a, const float* b, int n) {
  v128_t acc0 = wasm_f32x4_splat(0), acc1 = acc0;
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4)));
  }
  const v128_t acc = wasm_f32x4_add(acc0, acc1);
  float sum = lanes_total(acc);
  for (; i < n; i++) sum += a[i] * b[i];
  return sum;
}

// Eight cached elements as two f32x4: f16 halves, or int8 codes (their row's scale is applied apart: to the score
// of a key, to the weight of a value).
inline void load8(const uint16_t* p, v128_t* low, v128_t* high) { f16x8_to_f32x4x2(wasm_v128_load(p), low, high); }
inline void load8(const int8_t* p, v128_t* low, v128_t* high) {
  const v128_t wide = wasm_i16x8_extend_low_i8x16(wasm_v128_load64_zero(p));
  *low = wasm_f32x4_convert_i32x4(wasm_i32x4_extend_low_i16x8(wide));
  *high = wasm_f32x4_convert_i32x4(wasm_i32x4_extend_high_i16x8(wide));
}
inline float load1(const uint16_t* p) {
  v128_t low, high;
  f16x8_to_f32x4x2(wasm_i16x8_splat((int16_t)*p), &low, &high);
  return wasm_f32x4_extract_lane(low, 0);
}
inline float load1(const int8_t* p) { return (float)*p; }

// A cached row to floats, 8 at a time (a tail of up to 7 goes one by one).
template <typename T>
void row_to_f32(const T* in, int n, float* out) {
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    v128_t low, high;
    load8(in + i, &low, &high);
    wasm_v128_store(out + i, low);
    wasm_v128_store(out + i + 4, high);
  }
  for (; i < n; i++) out[i] = load1(in + i);
}

template <typename T> const T* rows_of(const KvColumn& c);
template <> const uint16_t* rows_of<uint16_t>(const KvColumn& c) { return c.f16; }
template <> const int8_t* rows_of<int8_t>(const KvColumn& c) { return c.q8; }

// Up to 4 query heads against each key of the chunk, head_dim % 8 == 0: each key's halves are converted once and
// meet every head's query in registers.
template <int G, typename T>
void scores_of_heads(const float* queries, int hd, const T* keys, int kv_dim, int first, int n, float scale,
                     float* scores) {
  for (int j = 0; j < n; j++) {
    const T* key = keys + (size_t)(first + j) * kv_dim;
    v128_t acc[G];
    for (int g = 0; g < G; g++) acc[g] = wasm_f32x4_splat(0);
    for (int d = 0; d < hd; d += 8) {
      v128_t k0, k1;
      load8(key + d, &k0, &k1);
#pragma clang loop unroll(full)
      for (int g = 0; g < G; g++) {
        const float* q = queries + (size_t)g * hd + d;
        acc[g] = wasm_f32x4_add(acc[g], wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(q), k0),
                                                       wasm_f32x4_mul(wasm_v128_load(q + 4), k1)));
      }
    }
    for (int g = 0; g < G; g++)
      scores[g * kAttentionChunk + j] = lanes_total(acc[g]) * scale;
  }
}

// The weighted sum of values for up to 4 heads, head_dim % 8 == 0: 8 dimensions at a time over all keys of the
// chunk, the sums staying in registers.
template <int G, typename T>
void values_of_heads(const float* weights, int hd, const T* values, int kv_dim, int first, int n, float* out,
                     size_t out_stride) {
  for (int d = 0; d < hd; d += 8) {
    v128_t low[G], high[G];
    for (int g = 0; g < G; g++) low[g] = high[g] = wasm_f32x4_splat(0);
    for (int j = 0; j < n; j++) {
      v128_t v0, v1;
      load8(values + (size_t)(first + j) * kv_dim + d, &v0, &v1);
#pragma clang loop unroll(full)
      for (int g = 0; g < G; g++) {
        const v128_t p = wasm_v128_load32_splat(weights + g * kAttentionChunk + j);
        low[g] = wasm_f32x4_add(low[g], wasm_f32x4_mul(p, v0));
        high[g] = wasm_f32x4_add(high[g], wasm_f32x4_mul(p, v1));
      }
    }
    for (int g = 0; g < G; g++) {
      wasm_v128_store(out + g * out_stride + d, low[g]);
      wasm_v128_store(out + g * out_stride + d + 4, high[g]);
    }
  }
}

template <int G, typename T>
void heads_block(const float* queries, int hd, const T* keys, const T* values, int kv_dim, int first,
                 int n, float scale, float* scores, float* partial, size_t stride, bool values_pass) {
  if (!values_pass) scores_of_heads<G>(queries, hd, keys, kv_dim, first, n, scale, scores);
  else values_of_heads<G>(scores, hd, values, kv_dim, first, n, partial, stride);
}

// Heads in blocks of 4 (the register budget), dispatched to the fixed-size kernels.
template <typename T>
void for_head_blocks(int group, const float* queries, int hd, const T* keys, const T* values, int kv_dim,
                     int first, int n, float scale, float* scores, float* partial, size_t stride, bool values_pass) {
  for (int g0 = 0; g0 < group; g0 += 4) {
    const float* q = queries + (size_t)g0 * hd;
    float* s = scores + g0 * kAttentionChunk;
    float* out = partial + g0 * stride;
    switch (std::min(4, group - g0)) {
      case 4: heads_block<4>(q, hd, keys, values, kv_dim, first, n, scale, s, out, stride, values_pass); break;
      case 3: heads_block<3>(q, hd, keys, values, kv_dim, first, n, scale, s, out, stride, values_pass); break;
      case 2: heads_block<2>(q, hd, keys, values, kv_dim, first, n, scale, s, out, stride, values_pass); break;
      default: heads_block<1>(q, hd, keys, values, kv_dim, first, n, scale, s, out, stride, values_pass); break;
    }
  }
}

template <typename T>
void attend_chunk_of(const float* queries, int group, int hd, const KvColumn& key_column, const KvColumn& value_column,
                     int first, int last, float* partial, float* work) {
  const T* keys = rows_of<T>(key_column);
  const T* values = rows_of<T>(value_column);
  const int kv_dim = key_column.stride;
  const size_t stride = attention_partial_floats(hd);
  const float scale = 1.0f / sqrtf((float)hd);
  float* scores = work;  // [group][kAttentionChunk]
  float* key = work + (size_t)kAttentionChunk * group;
  float* value = key + hd;
  const int n = last - first;
  const bool blocked = hd % 8 == 0;
  if (blocked) {
    for_head_blocks(group, queries, hd, keys, values, kv_dim, first, n, scale, scores, partial, stride, false);
  } else {
    for (int j = 0; j < n; j++) {
      row_to_f32(keys + (size_t)(first + j) * kv_dim, hd, key);
      for (int g = 0; g < group; g++)
        scores[g * kAttentionChunk + j] = dot_f32(queries + (size_t)g * hd, key, hd) * scale;
    }
  }
  // int8 keys: the dot products above were of the codes; each row's scale makes them the scores.
  if (key_column.scales)
    for (int j = 0; j < n; j++) {
      const float row_scale = key_column.scales[(size_t)(first + j) * key_column.scale_stride];
      for (int g = 0; g < group; g++) scores[g * kAttentionChunk + j] *= row_scale;
    }
  for (int g = 0; g < group; g++) {
    float* s = scores + g * kAttentionChunk;
    float max_score = -INFINITY;
    for (int j = 0; j < n; j++) max_score = s[j] > max_score ? s[j] : max_score;
    double sum = 0;
    for (int j = 0; j < n; j++) {
      s[j] = expf(s[j] - max_score);
      sum += s[j];
    }
    float* out = partial + g * stride;
    for (int d = 0; d < hd; d++) out[d] = 0;
    out[hd] = max_score;
    out[hd + 1] = (float)sum;
    // int8 values: each weight takes its row's scale (after the sum above, which normalizes the plain weights).
    if (value_column.scales)
      for (int j = 0; j < n; j++) s[j] *= value_column.scales[(size_t)(first + j) * value_column.scale_stride];
  }
  if (blocked) {
    for_head_blocks(group, queries, hd, keys, values, kv_dim, first, n, scale, scores, partial, stride, true);
    return;
  }
  for (int j = 0; j < n; j++) {
    row_to_f32(values + (size_t)(first + j) * kv_dim, hd, value);
    for (int g = 0; g < group; g++) {
      const float p = scores[g * kAttentionChunk + j];
      const v128_t p4 = wasm_f32x4_splat(p);
      float* out = partial + g * stride;
      int d = 0;
      for (; d + 4 <= hd; d += 4)
        wasm_v128_store(out + d, wasm_f32x4_add(wasm_v128_load(out + d), wasm_f32x4_mul(p4, wasm_v128_load(value + d))));
      for (; d < hd; d++) out[d] += p * value[d];
    }
  }
}

}  // namespace

void attend_chunk(const float* queries, int group, int hd, const KvColumn& keys, const KvColumn& values, int first,
                  int last, float* partial, float* work) {
  if (keys.q8) attend_chunk_of<int8_t>(queries, group, hd, keys, values, first, last, partial, work);
  else attend_chunk_of<uint16_t>(queries, group, hd, keys, values, first, last, partial, work);
}

void merge_chunks(const float* partials, int n_chunks, int group, int hd, float* out_heads) {
  const size_t stride = attention_partial_floats(hd);
  for (int g = 0; g < group; g++) {
    float max_score = -INFINITY;
    for (int c = 0; c < n_chunks; c++) max_score = std::max(max_score, partials[(c * group + g) * stride + hd]);
    float* out = out_heads + (size_t)g * hd;
    for (int d = 0; d < hd; d++) out[d] = 0;
    double sum = 0;
    for (int c = 0; c < n_chunks; c++) {
      const float* part = partials + (c * group + g) * stride;
      const float weight = expf(part[hd] - max_score);
      sum += (double)weight * part[hd + 1];
      for (int d = 0; d < hd; d++) out[d] += weight * part[d];
    }
    const float inv_sum = (float)(1.0 / sum);
    for (int d = 0; d < hd; d++) out[d] *= inv_sum;
  }
}

void attend_positions(const float* queries, int group, int hd, const KvColumn& keys, const KvColumn& values,
                      int n_keys, int chunk, float* partials, float* work, float* out) {
  const size_t per_chunk = (size_t)group * attention_partial_floats(hd);
  const int n_chunks = (n_keys + chunk - 1) / chunk;
  for (int c = 0; c < n_chunks; c++)
    attend_chunk(queries, group, hd, keys, values, c * chunk, std::min(n_keys, (c + 1) * chunk),
                 partials + c * per_chunk, work);
  merge_chunks(partials, n_chunks, group, hd, out);
}
