// The blocks the forward passes in this folder are built from, as llama.cpp's models share build_norm / build_attn /
// build_ffn. Each works on one batch whose input rows are already in m->x (model_eval) and adds its output to x.
#pragma once
#include "../model.h"
#include "../ops.h"  // RopePairing

enum class Activation { ReluSquared, Silu };  // applied to gate, then multiplied by up

// RMSNorm, ternary Q/K/V, RoPE and the KV cache writes for all n_tokens; attention, [the sub-norm,] and the ternary
// output projection only for rows [r0, n_tokens), the ones later layers still need.
void attention_block(Model* m, const Layer& L, RopePairing pairing, bool sub_norm, int n_tokens, int r0);

// RMSNorm, ternary gate and up, activation(gate) * up, [the sub-norm,] ternary down, for rows [r0, r0 + rows).
void feed_forward_block(Model* m, const Layer& L, Activation activation, bool sub_norm, int r0, int rows);

// The first row a layer must carry past its cache writes: every row, except in the last layer, where only the
// tokens whose logits are wanted matter (llama.cpp skips the others too).
int first_row_needed(const Model* m, int layer, int first_logit);

// The final RMSNorm and the head for tokens [first_logit, n_tokens) into out (n_vocab floats each); the batch's
// tokens then count as past.
void output_logits(Model* m, int n_tokens, int first_logit, float* out);
