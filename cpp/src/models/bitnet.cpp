// BitNet-b1.58-2B-4T ("bitnet-b1.58" / "bitnet-25"), as bitnet.cpp's build_bitnet: sub-norms after attention and
// after the feed-forward's activation, relu(gate)^2 * up, NEOX RoPE, the head tied to token_embd.
#include "blocks.h"
#include "models.h"

void bitnet_forward_batch(Model* m, const int32_t*, int n_tokens, int first_logit, float* out) {
  for (int l = 0; l < m->hp.n_layer; l++) {
    const Layer& layer = m->layers[l];
    const int r0 = first_row_needed(m, l, first_logit);
    attention_block(m, layer, RopePairing::Neox, /*sub_norm=*/true, n_tokens, r0);
    if (n_tokens > r0) feed_forward_block(m, layer, Activation::ReluSquared, /*sub_norm=*/true, r0, n_tokens - r0);
  }
  output_logits(m, n_tokens, first_logit, out);
}
