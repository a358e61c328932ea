// The forward pass of each architecture, one file each over the shared blocks of blocks.h; the rest of the engine
// picks it by name.
#pragma once
#include "../model.h"
#include <string>

// "bitnet-b1.58" and "bitnet-25" (BitNet-b1.58-2B-4T): sub-norms, relu(gate)^2, NEOX RoPE, tied head.
void bitnet_forward_batch(Model* m, const int32_t* tokens, int n_tokens, int first_logit, float* out);
// "bitnet" (1bitLLM bitnet_b1_58-large): sub-norms, SiLU(gate), NEOX RoPE, tied head.
void bitnet_1bitllm_forward_batch(Model* m, const int32_t* tokens, int n_tokens, int first_logit, float* out);
// "llama" with I2_S matrices (Falcon3, Falcon-E, Llama3-8B-1.58): no sub-norms, SiLU(gate), NORMAL RoPE,
// output.weight (token_embd when a file has none, as the reference loader allows).
void llama_forward_batch(Model* m, const int32_t* tokens, int n_tokens, int first_logit, float* out);

// What planning needs to know of an architecture besides its forward pass.
struct Architecture {
  ForwardBatch forward = nullptr;  // nullptr: Trit cannot run it
  bool sub_norms = false;          // attn_sub_norm and ffn_sub_norm in every layer
};

inline Architecture architecture_for(const std::string& arch) {
  if (arch == "bitnet-b1.58" || arch == "bitnet-25") return {bitnet_forward_batch, true};
  if (arch == "bitnet") return {bitnet_1bitllm_forward_batch, true};
  if (arch == "llama") return {llama_forward_batch, false};
  return {};
}
