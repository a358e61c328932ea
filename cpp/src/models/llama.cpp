// A Llama whose seven projection matrices are I2_S (architecture "llama": Falcon3-*-1.58bit, Falcon-E, Llama3-8B-1.58),
// bitnet.cpp's build_llama, top to bottom. Per layer: RMSNorm, ternary Q/K/V, NORMAL RoPE (adjacent pairs: the
// converter permuted Q and K), f16 KV cache, GQA attention, ternary output projection; then RMSNorm, ternary gate and
// up, SiLU(gate) * up, ternary down. No sub-norms; the logits come from the separate output.weight. Every ternary
// matmul quantizes its input to int8 first (quantize_rows), as ggml's mul_mat does for an I2_S weight.
#include "models.h"
#include "../ops.h"

void llama_forward_batch(Model* m, const int32_t* tokens, int n_tokens, int first_logit, float* out) {
  const HParams& hp = m->hp;
  const int D = hp.n_embd, F = hp.n_ff, kv_dim = hp.n_head_kv * hp.head_dim;
  const int n_past = m->n_past;
  float* x = m->x;  // the batch's input rows, which model_eval put there (input_rows.h)

  for (int l = 0; l < hp.n_layer; l++) {
    const Layer& L = m->layers[l];
    // Attention block.
    for (int t = 0; t < n_tokens; t++) rms_norm(x + (size_t)t * D, L.attn_norm, D, hp.rms_eps, m->h + (size_t)t * D);
    quantize_rows(m, m->h, n_tokens, D);
    matmul(m, n_tokens, {{&L.wq, m->q}, {&L.wk, m->k}, {&L.wv, m->v}});
    for (int t = 0; t < n_tokens; t++) {
      const int pos = n_past + t;
      rope_normal(m->q + (size_t)t * D, hp.n_head, hp.head_dim, pos, hp.rope_freq_base);
      rope_normal(m->k + (size_t)t * kv_dim, hp.n_head_kv, hp.head_dim, pos, hp.rope_freq_base);
      kv_store(m, L, t, pos);
    }
    // Past the cache writes, the last layer only matters for the tokens whose logits are wanted.
    const int r0 = l == hp.n_layer - 1 ? first_logit : 0, rows = n_tokens - r0;
    if (rows == 0) continue;
    float* xr = x + (size_t)r0 * D;
    attention(m, &L, r0, n_tokens, n_past);
    quantize_rows(m, m->att + (size_t)r0 * D, rows, D);
    matmul(m, rows, {{&L.wo, m->proj}});
    for (size_t i = 0; i < (size_t)rows * D; i++) xr[i] += m->proj[i];

    // Feed-forward block: SiLU(gate) * up, then down.
    for (int t = 0; t < rows; t++) rms_norm(xr + (size_t)t * D, L.ffn_norm, D, hp.rms_eps, m->h + (size_t)t * D);
    quantize_rows(m, m->h, rows, D);
    matmul(m, rows, {{&L.ffn_gate, m->gate}, {&L.ffn_up, m->up}});
    silu_mul(m->gate, m->up, (size_t)rows * F);
    quantize_rows(m, m->gate, rows, F);
    matmul(m, rows, {{&L.ffn_down, m->proj}});
    for (size_t i = 0; i < (size_t)rows * D; i++) xr[i] += m->proj[i];
  }

  for (int t = first_logit; t < n_tokens; t++) {
    rms_norm(x + (size_t)t * D, m->output_norm, D, hp.rms_eps, m->h);
    lm_head(m, m->h, out + (size_t)(t - first_logit) * hp.n_vocab);
  }
  m->n_past = n_past + n_tokens;
}
