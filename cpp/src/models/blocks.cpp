// The blocks every architecture's forward pass is made of (see blocks.h). Every ternary matmul quantizes its input
// to int8 first (quantize_rows), as ggml's mul_mat does for an I2_S weight.
#include "blocks.h"
#include "../ops.h"

namespace {

// relu(gate)^2 * up, in place in gate (2B-4T's feed-forward).
void relu_squared_mul(float* gate, const float* up, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const float g = gate[i] > 0 ? gate[i] : 0;
    gate[i] = (g * g) * up[i];
  }
}

}  // namespace

// The attention block for the batch's tokens: Q/K/V, RoPE and the cache writes for all of them; attention and the
// output projection (added to x) only for rows [r0, n_tokens), the ones the caller still needs.
void attention_block(Model* m, const Layer& L, RopePairing pairing, bool sub_norm, int n_tokens, int r0) {
  const HParams& hp = m->hp;
  const int D = hp.n_embd, kv_dim = hp.n_head_kv * hp.head_dim, n_past = m->n_past, rows = n_tokens - r0;
  for (int t = 0; t < n_tokens; t++) rms_norm(m->x + (size_t)t * D, L.attn_norm, D, hp.rms_eps, m->h + (size_t)t * D);
  quantize_rows(m, m->h, n_tokens, D);
  matmul(m, n_tokens, {{&L.wq, m->q}, {&L.wk, m->k}, {&L.wv, m->v}});
  for (int t = 0; t < n_tokens; t++) {
    const int pos = n_past + t;
    float *q = m->q + (size_t)t * D, *k = m->k + (size_t)t * kv_dim;
    rope(q, hp.n_head, hp.head_dim, pos, hp.rope_freq_base, pairing);
    rope(k, hp.n_head_kv, hp.head_dim, pos, hp.rope_freq_base, pairing);
    kv_store(m, L, t, pos);
  }
  if (rows == 0) return;
  attention(m, &L, r0, n_tokens, n_past);
  if (sub_norm) {
    for (int t = 0; t < rows; t++)
      rms_norm(m->att + (size_t)(r0 + t) * D, L.attn_sub_norm, D, hp.rms_eps, m->h + (size_t)t * D);
    quantize_rows(m, m->h, rows, D);
  } else {
    quantize_rows(m, m->att + (size_t)r0 * D, rows, D);
  }
  matmul(m, rows, {{&L.wo, m->proj}});
  float* xr = m->x + (size_t)r0 * D;
  for (size_t i = 0; i < (size_t)rows * D; i++) xr[i] += m->proj[i];
}

// The feed-forward block for rows [r0, r0 + rows) of x, added to x.
void feed_forward_block(Model* m, const Layer& L, Activation activation, bool sub_norm, int r0, int rows) {
  const HParams& hp = m->hp;
  const int D = hp.n_embd, F = hp.n_ff;
  float* xr = m->x + (size_t)r0 * D;
  for (int t = 0; t < rows; t++) rms_norm(xr + (size_t)t * D, L.ffn_norm, D, hp.rms_eps, m->h + (size_t)t * D);
  quantize_rows(m, m->h, rows, D);
  matmul(m, rows, {{&L.ffn_gate, m->gate}, {&L.ffn_up, m->up}});
  if (activation == Activation::ReluSquared) relu_squared_mul(m->gate, m->up, (size_t)rows * F);
  else silu_mul(m->gate, m->up, (size_t)rows * F);
  if (sub_norm) {
    for (int t = 0; t < rows; t++)
      rms_norm(m->gate + (size_t)t * F, L.ffn_sub_norm, F, hp.rms_eps, m->up + (size_t)t * F);
    quantize_rows(m, m->up, rows, F);
  } else {
    quantize_rows(m, m->gate, rows, F);
  }
  matmul(m, rows, {{&L.ffn_down, m->proj}});
  for (size_t i = 0; i < (size_t)rows * D; i++) xr[i] += m->proj[i];
}

int first_row_needed(const Model* m, int layer, int first_logit) {
  return layer == m->hp.n_layer - 1 ? first_logit : 0;
}

void output_logits(Model* m, int n_tokens, int first_logit, float* out) {
  const HParams& hp = m->hp;
  const int D = hp.n_embd;
  for (int t = first_logit; t < n_tokens; t++) {
    rms_norm(m->x + (size_t)t * D, m->output_norm, D, hp.rms_eps, m->h);
    lm_head(m, m->h, out + (size_t)(t - first_logit) * hp.n_vocab);
  }
  m->n_past += n_tokens;
}
