#include "attention.h"
#include "half.h"
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
  float sum = (wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1)) +
              (wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3));
  for (; i < n; i++) sum += a[i] * b[i];
  return sum;
}

// Halves to floats, 8 at a time (a tail of up to 7 goes one by one).
void f16_row_to_f32(const uint16_t* in, int n, float* out) {
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    v128_t low, high;
    f16x8_to_f32x4x2(wasm_v128_load(in + i), &low, &high);
    wasm_v128_store(out + i, low);
    wasm_v128_store(out + i + 4, high);
  }
  for (; i < n; i++) {
    v128_t low, high;
    f16x8_to_f32x4x2(wasm_i16x8_splat((int16_t)in[i]), &low, &high);
    out[i] = wasm_f32x4_extract_lane(low, 0);
  }
}

}  // namespace

void attend_chunk(const float* queries, int group, int hd, const uint16_t* keys, const uint16_t* values, int kv_dim,
                  int first, int last, float* partial, float* work) {
  const size_t stride = attention_partial_floats(hd);
  const float scale = 1.0f / sqrtf((float)hd);
  float* scores = work;  // [group][kAttentionChunk]
  float* key = work + (size_t)kAttentionChunk * group;
  float* value = key + hd;
  const int n = last - first;
  for (int j = 0; j < n; j++) {
    f16_row_to_f32(keys + (size_t)(first + j) * kv_dim, hd, key);
    for (int g = 0; g < group; g++) scores[g * kAttentionChunk + j] = dot_f32(queries + (size_t)g * hd, key, hd) * scale;
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
  }
  for (int j = 0; j < n; j++) {
    f16_row_to_f32(values + (size_t)(first + j) * kv_dim, hd, value);
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
