// The building blocks a forward pass (models/*.cpp) is written in: per-token math (ops.cpp) and the steps that run
// on the thread pool (parallel.cpp). A new architecture composes these in its own file.
#pragma once
#include "model.h"
#include <initializer_list>
#include <utility>

// ggml's rms_norm: squares in f32 summed in double, mean as f32, then (x * scale) * weight.
void rms_norm(const float* x, const float* weight, int n, float eps, float* out);
// Which elements of a head RoPE turns together: NEOX (i, i + head_dim/2), or NORMAL (2i, 2i + 1), the layout of
// `llama` files, whose converter permuted Q and K into it.
enum class RopePairing { Neox, Normal };
// RoPE as ggml computes it, on n_heads heads of head_dim at position pos.
void rope(float* vec, int n_heads, int head_dim, int pos, float base, RopePairing pairing);
// ggml's SiLU in f32: x / (1 + e^-x).
void silu_mul(float* gate, const float* up, size_t n);
// One KV head's row of n values as int8 codes with scale absmax / 127 (round half to even).
void kv_quantize_row(const float* x, int n, int8_t* q, float* scale);
// The batch's token t's key and value rows (Model::k, v) into layer L's cache at position pos, as f16 or int8.
void kv_store(Model* m, const Layer& L, int t, int pos);
// n_tokens rows of n activations -> the int8 rows, scales, sums and tables the I2_S kernels read (Model::act_*).
void quantize_rows(Model* m, const float* x, int n_tokens, int n);

// y = W x for up to three matrices sharing the input quantize_rows prepared, on the pool. Workers take chunks of
// tiles: for prompts 16 (the kernel's cache block), for one token 8 (128 rows), enough chunks to balance. The thread
// probe (thread_probe.cpp) times one-token products in the same chunks.
constexpr int kMatmulChunkTilesPrompt = 16;
constexpr int kMatmulChunkTilesToken = 8;
void matmul(Model* m, int n_tokens, std::initializer_list<std::pair<const I2sMatrix*, float*>> outputs);
// Attention output (Model::att) for the batch's tokens [first, n_tokens), their keys and values already cached.
void attention(Model* m, const Layer* layer, int first, int n_tokens, int n_past);
// One row of logits from a normalized final hidden state, through the Q8 lm_head on the pool.
void lm_head(Model* m, const float* normed, float* logits);
