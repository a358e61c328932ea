// 1bitLLM's bitnet_b1_58-large ("bitnet"), as bitnet.cpp's build_bitnet for that architecture: the same sub-norms
// as 2B-4T but SiLU(gate) * up; NEOX RoPE; the head tied to token_embd.
#include "blocks.h"
#include "models.h"

void bitnet_1bitllm_forward_batch(Model* m, const int32_t*, int n_tokens, int first_logit, float* out) {
  for (int l = 0; l < m->hp.n_layer; l++) {
    const Layer& layer = m->layers[l];
    const int r0 = first_row_needed(m, l, first_logit);
    attention_block(m, layer, RopePairing::Neox, /*sub_norm=*/true, n_tokens, r0);
    if (n_tokens > r0) feed_forward_block(m, layer, Activation::Silu, /*sub_norm=*/true, r0, n_tokens - r0);
  }
  output_logits(m, n_tokens, first_logit, out);
}
