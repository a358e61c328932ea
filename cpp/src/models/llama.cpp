// "llama" files with I2_S matrices (Falcon3 and Falcon-E 1.58-bit, Llama3-8B-1.58), as bitnet.cpp's build_llama:
// no sub-norms, SiLU(gate) * up, NORMAL RoPE (the converter permuted Q/K for it), output.weight as the head.
#include "blocks.h"
#include "models.h"

void llama_forward_batch(Model* m, const int32_t*, int n_tokens, int first_logit, float* out) {
  for (int l = 0; l < m->hp.n_layer; l++) {
    const Layer& layer = m->layers[l];
    const int r0 = first_row_needed(m, l, first_logit);
    attention_block(m, layer, RopePairing::Normal, /*sub_norm=*/false, n_tokens, r0);
    if (n_tokens > r0) feed_forward_block(m, layer, Activation::Silu, /*sub_norm=*/false, r0, n_tokens - r0);
  }
  output_logits(m, n_tokens, first_logit, out);
}
