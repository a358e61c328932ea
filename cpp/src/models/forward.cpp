// The forward pass of every architecture Trit runs, top to bottom, as bitnet.cpp builds it (build_bitnet for
// "bitnet-b1.58"/"bitnet-25" and "bitnet", build_llama for "llama"). They share one graph and differ in three
// places, which Graph names: the RoPE pairing, whether the layers have sub-norms, and the feed-forward activation.
// Per layer: RMSNorm, ternary Q/K/V, RoPE, the KV cache, attention, [a sub-norm,] the ternary output projection;
// then RMSNorm, ternary gate and up, activation(gate) * up, [a sub-norm,] ternary down. Every ternary matmul
// quantizes its input to int8 first (quantize_rows), as ggml's mul_mat does for an I2_S weight. The tensors it reads
// are checked and allocated by model_plan.cpp; the steps are in ops.h.
#include "models.h"
#include "../ops.h"

namespace {

enum class Rope { Neox, Normal };
enum class Activation { ReluSquared, Silu };

struct Graph {
  Rope rope;
  bool sub_norms;
  Activation activation;
};

// relu(gate)^2 * up, in place in gate (2B-4T's feed-forward).
void relu_squared_mul(float* gate, const float* up, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const float g = gate[i] > 0 ? gate[i] : 0;
    gate[i] = (g * g) * up[i];
  }
}

// The attention block for the batch's tokens: Q/K/V, RoPE and the cache writes for all of them; attention and the
// output projection (added to x) only for rows [r0, n_tokens), the ones the caller still needs.
void attention_block(Model* m, const Layer& L, const Graph& g, int n_tokens, int r0) {
  const HParams& hp = m->hp;
  const int D = hp.n_embd, kv_dim = hp.n_head_kv * hp.head_dim, n_past = m->n_past, rows = n_tokens - r0;
  for (int t = 0; t < n_tokens; t++) rms_norm(m->x + (size_t)t * D, L.attn_norm, D, hp.rms_eps, m->h + (size_t)t * D);
  quantize_rows(m, m->h, n_tokens, D);
  matmul(m, n_tokens, {{&L.wq, m->q}, {&L.wk, m->k}, {&L.wv, m->v}});
  for (int t = 0; t < n_tokens; t++) {
    const int pos = n_past + t;
    float *q = m->q + (size_t)t * D, *k = m->k + (size_t)t * kv_dim;
    if (g.rope == Rope::Neox) {
      rope(q, hp.n_head, hp.head_dim, pos, hp.rope_freq_base);
      rope(k, hp.n_head_kv, hp.head_dim, pos, hp.rope_freq_base);
    } else {
      rope_normal(q, hp.n_head, hp.head_dim, pos, hp.rope_freq_base);
      rope_normal(k, hp.n_head_kv, hp.head_dim, pos, hp.rope_freq_base);
    }
    kv_store(m, L, t, pos);
  }
  if (rows == 0) return;
  attention(m, &L, r0, n_tokens, n_past);
  if (g.sub_norms) {
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
void feed_forward_block(Model* m, const Layer& L, const Graph& g, int r0, int rows) {
  const HParams& hp = m->hp;
  const int D = hp.n_embd, F = hp.n_ff;
  float* xr = m->x + (size_t)r0 * D;
  for (int t = 0; t < rows; t++) rms_norm(xr + (size_t)t * D, L.ffn_norm, D, hp.rms_eps, m->h + (size_t)t * D);
  quantize_rows(m, m->h, rows, D);
  matmul(m, rows, {{&L.ffn_gate, m->gate}, {&L.ffn_up, m->up}});
  if (g.activation == Activation::ReluSquared) relu_squared_mul(m->gate, m->up, (size_t)rows * F);
  else silu_mul(m->gate, m->up, (size_t)rows * F);
  if (g.sub_norms) {
    for (int t = 0; t < rows; t++)
      rms_norm(m->gate + (size_t)t * F, L.ffn_sub_norm, F, hp.rms_eps, m->up + (size_t)t * F);
    quantize_rows(m, m->up, rows, F);
  } else {
    quantize_rows(m, m->gate, rows, F);
  }
  matmul(m, rows, {{&L.ffn_down, m->proj}});
  for (size_t i = 0; i < (size_t)rows * D; i++) xr[i] += m->proj[i];
}

// One batch of at most kMaxBatch tokens at positions n_past.., its input rows already in x (model_eval,
// input_rows.h); writes logits for tokens [first_logit, n_tokens) to out (one row of n_vocab each).
void forward_batch(Model* m, const Graph& g, int n_tokens, int first_logit, float* out) {
  const HParams& hp = m->hp;
  const int D = hp.n_embd;
  for (int l = 0; l < hp.n_layer; l++) {
    const Layer& L = m->layers[l];
    // Past the cache writes, the last layer only matters for the tokens whose logits are wanted (as llama.cpp
    // skips them too): a prompt's other tokens leave its attention output, projections and feed-forward out.
    const int r0 = l == hp.n_layer - 1 ? first_logit : 0;
    attention_block(m, L, g, n_tokens, r0);
    if (n_tokens > r0) feed_forward_block(m, L, g, r0, n_tokens - r0);
  }
  for (int t = first_logit; t < n_tokens; t++) {
    rms_norm(m->x + (size_t)t * D, m->output_norm, D, hp.rms_eps, m->h);
    lm_head(m, m->h, out + (size_t)(t - first_logit) * hp.n_vocab);
  }
  m->n_past += n_tokens;
}

}  // namespace

void bitnet_forward_batch(Model* m, const int32_t*, int n_tokens, int first_logit, float* out) {
  forward_batch(m, {Rope::Neox, true, Activation::ReluSquared}, n_tokens, first_logit, out);
}

void bitnet_1bitllm_forward_batch(Model* m, const int32_t*, int n_tokens, int first_logit, float* out) {
  forward_batch(m, {Rope::Neox, true, Activation::Silu}, n_tokens, first_logit, out);
}

void llama_forward_batch(Model* m, const int32_t*, int n_tokens, int first_logit, float* out) {
  forward_batch(m, {Rope::Normal, false, Activation::Silu}, n_tokens, first_logit, out);
}
