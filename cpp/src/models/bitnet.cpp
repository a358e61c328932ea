// BitNet b1.58 (architectures "bitnet-b1.58" and "bitnet-25"): the forward pass, top to bottom. Per layer: RMSNorm,
// ternary Q/K/V, NEOX RoPE, f16 KV cache, attention, a sub-norm before the output projection; then RMSNorm, ternary
// gate and up, relu(gate)^2 * up, a sub-norm, ternary down. Every ternary matmul quantizes its input to int8 first
// (quantize_rows). The tensors it reads are checked and allocated by model_plan.cpp; the steps are in ops.h.
#include "models.h"
#include "../ops.h"

// One batch of at most kMaxBatch tokens at positions n_past..; writes logits for tokens [first_logit, n_tokens)
// to out (one row of n_vocab each).
void bitnet_forward_batch(Model* m, const int32_t* tokens, int n_tokens, int first_logit, float* out) {
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
      rope(m->q + (size_t)t * D, hp.n_head, hp.head_dim, pos, hp.rope_freq_base);
      rope(m->k + (size_t)t * kv_dim, hp.n_head_kv, hp.head_dim, pos, hp.rope_freq_base);
      kv_store(m, L, t, pos);
    }
    // Past the cache writes, the last layer only matters for the tokens whose logits are wanted (as llama.cpp
    // skips them too): a prompt's other tokens leave its attention output, projections and feed-forward out.
    const int r0 = l == hp.n_layer - 1 ? first_logit : 0, rows = n_tokens - r0;
    if (rows == 0) continue;
    float* xr = x + (size_t)r0 * D;
    attention(m, &L, r0, n_tokens, n_past);
    for (int t = 0; t < rows; t++)
      rms_norm(m->att + (size_t)(r0 + t) * D, L.attn_sub_norm, D, hp.rms_eps, m->h + (size_t)t * D);
    quantize_rows(m, m->h, rows, D);
    matmul(m, rows, {{&L.wo, m->proj}});
    for (size_t i = 0; i < (size_t)rows * D; i++) xr[i] += m->proj[i];

    // Feed-forward block: relu(gate)^2 * up, normalized, then down.
    for (int t = 0; t < rows; t++) rms_norm(xr + (size_t)t * D, L.ffn_norm, D, hp.rms_eps, m->h + (size_t)t * D);
    quantize_rows(m, m->h, rows, D);
    matmul(m, rows, {{&L.ffn_gate, m->gate}, {&L.ffn_up, m->up}});
    for (size_t i = 0; i < (size_t)rows * F; i++) {
      const float g = m->gate[i] > 0 ? m->gate[i] : 0;
      m->gate[i] = (g * g) * m->up[i];
    }
    for (int t = 0; t < rows; t++)
      rms_norm(m->gate + (size_t)t * F, L.ffn_sub_norm, F, hp.rms_eps, m->up + (size_t)t * F);
    quantize_rows(m, m->up, rows, F);
    matmul(m, rows, {{&L.ffn_down, m->proj}});
    for (size_t i = 0; i < (size_t)rows * D; i++) xr[i] += m->proj[i];
  }

  for (int t = first_logit; t < n_tokens; t++) {
    rms_norm(x + (size_t)t * D, m->output_norm, D, hp.rms_eps, m->h);
    lm_head(m, m->h, out + (size_t)(t - first_logit) * hp.n_vocab);
  }
  m->n_past = n_past + n_tokens;
}
