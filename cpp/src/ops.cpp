#include "ops.h"
#include "half.h"
#include "i2s.h"
#include <cmath>

// ggml's rms_norm: squares in f32 summed in double, mean as f32, then (x * scale) * weight.
void rms_norm(const float* x, const float* weight, int n, float eps, float* out) {
  double sum = 0;
  for (int i = 0; i < n; i++) sum += (double)(x[i] * x[i]);
  const float mean = (float)(sum / n);
  const float scale = 1.0f / sqrtf(mean + eps);
  for (int i = 0; i < n; i++) out[i] = (x[i] * scale) * weight[i];
}

void quantize_rows(Model* m, const float* x, int n_tokens, int n) {
  for (int t = 0; t < n_tokens; t++) {
    int8_t* q = m->act_q8 + (size_t)t * n;
    m->act_scale[t] = i2s_quantize_row(x + (size_t)t * n, n, q, &m->act_sum[t]);
    i2s_build_activation_table(q, n, m->act_table + (size_t)t * i2s_activation_table_bytes(n));
  }
}


namespace {

constexpr int kMaxRopeHalf = 512;  // model_plan refuses head_dim > 2 * kMaxRopeHalf

// theta_i = pos * base^(-2i/d), built by repeated multiplication in f32 as ggml does.
void rope_tables(int head_dim, int pos, float base, float* cos_table, float* sin_table) {
  const int half = head_dim / 2;
  const float theta_scale = powf(base, -2.0f / head_dim);
  float theta = (float)pos;
  for (int i = 0; i < half; i++) {
    cos_table[i] = cosf(theta);
    sin_table[i] = sinf(theta);
    theta *= theta_scale;
  }
}

}  // namespace

// RoPE as ggml computes it: each head's element a(i) turns with element b(i) by angle i, where the NEOX pairing is
// (i, i + d/2) and the NORMAL one (2i, 2i + 1).
void rope(float* vec, int n_heads, int head_dim, int pos, float base, RopePairing pairing) {
  const int half = head_dim / 2;
  const int step = pairing == RopePairing::Neox ? 1 : 2, partner = pairing == RopePairing::Neox ? half : 1;
  float cos_table[kMaxRopeHalf], sin_table[kMaxRopeHalf];
  rope_tables(head_dim, pos, base, cos_table, sin_table);
  for (int hd = 0; hd < n_heads; hd++) {
    float* v = vec + (size_t)hd * head_dim;
    for (int i = 0; i < half; i++) {
      float* a = v + i * step;
      const float x0 = a[0], x1 = a[partner];
      a[0] = x0 * cos_table[i] - x1 * sin_table[i];
      a[partner] = x0 * sin_table[i] + x1 * cos_table[i];
    }
  }
}

void silu_mul(float* gate, const float* up, size_t n) {
  for (size_t i = 0; i < n; i++) gate[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

// A row that is not finite keeps its scale (inf or NaN), so attention's result is not finite either and model_eval
// reports it.
void kv_quantize_row(const float* x, int n, int8_t* q, float* scale) {
  float amax = 0;
  for (int i = 0; i < n; i++) amax = fabsf(x[i]) > amax ? fabsf(x[i]) : amax;
  for (int i = 0; i < n; i++) amax = x[i] != x[i] ? x[i] : amax;
  *scale = amax / 127.0f;
  const float inv = amax > 0 && std::isfinite(amax) ? 127.0f / amax : 0.0f;
  for (int i = 0; i < n; i++) {
    float r = nearbyintf(x[i] * inv);
    r = r > 127 ? 127 : (r < -127 ? -127 : r);
    q[i] = (int8_t)(r == r ? r : 0);
  }
}

void kv_store(Model* m, const Layer& L, int t, int pos) {
  const HParams& hp = m->hp;
  const int kv_dim = hp.n_head_kv * hp.head_dim;
  const float* k = m->k + (size_t)t * kv_dim;
  const float* v = m->v + (size_t)t * kv_dim;
  const size_t row = (size_t)pos * kv_dim;
  if (!L.k_q8) {
    for (int i = 0; i < kv_dim; i++) {
      L.k_cache[row + i] = f32_to_f16(k[i]);
      L.v_cache[row + i] = f32_to_f16(v[i]);
    }
    return;
  }
  for (int h = 0; h < hp.n_head_kv; h++) {
    const size_t at = (size_t)h * hp.head_dim, scale_at = (size_t)pos * hp.n_head_kv + h;
    kv_quantize_row(k + at, hp.head_dim, L.k_q8 + row + at, L.k_scales + scale_at);
    kv_quantize_row(v + at, hp.head_dim, L.v_q8 + row + at, L.v_scales + scale_at);
  }
}
