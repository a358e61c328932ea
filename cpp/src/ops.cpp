#include "ops.h"
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


// NEOX RoPE as ggml computes it: theta = pos * base^(-2i/d) built by repeated multiplication in f32,
// rotating element i with element i + d/2 of each head.
void rope(float* vec, int n_heads, int head_dim, int pos, float base) {
  const int half = head_dim / 2;
  const float theta_scale = powf(base, -2.0f / head_dim);
  float cos_table[512], sin_table[512];
  float theta = (float)pos;
  for (int i = 0; i < half; i++) {
    cos_table[i] = cosf(theta);
    sin_table[i] = sinf(theta);
    theta *= theta_scale;
  }
  for (int hd = 0; hd < n_heads; hd++) {
    float* v = vec + (size_t)hd * head_dim;
    for (int i = 0; i < half; i++) {
      const float x0 = v[i], x1 = v[i + half];
      v[i] = x0 * cos_table[i] - x1 * sin_table[i];
      v[i + half] = x0 * sin_table[i] + x1 * cos_table[i];
    }
  }
}
