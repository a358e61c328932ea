// One forward pass per architecture, each in its own file here; the rest of the engine picks it by name.
#pragma once
#include "../model.h"
#include <string>

// bitnet.cpp: "bitnet-b1.58" and "bitnet-25".
void bitnet_forward_batch(Model* m, const int32_t* tokens, int n_tokens, int first_logit, float* out);

// The forward pass for general.architecture, or nullptr when Trit cannot run it.
inline ForwardBatch forward_for_architecture(const std::string& arch) {
  if (arch == "bitnet-b1.58" || arch == "bitnet-25") return bitnet_forward_batch;
  return nullptr;
}
