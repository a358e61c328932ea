// A loaded model: hyperparameters, tensors in their own allocations, KV cache and scratch. Planned and allocated by
// model_plan.cpp, its weights prepared by weights.cpp, evaluated by eval.cpp through the architecture's forward pass
// (models/), which is written in the steps of ops.h.
#pragma once
#include "gguf.h"
#include "q8.h"
#include <cstdint>
#include <string>
#include <vector>

struct I2sMatrix {
  uint8_t* data = nullptr;  // packed codes (tiled after loading, see i2s.h), then the f32 scale
  float scale = 0;
  int ne0 = 0;  // inputs
  int ne1 = 0;  // outputs
};

struct Layer {
  float* attn_norm = nullptr;
  float* attn_sub_norm = nullptr;
  float* ffn_norm = nullptr;
  float* ffn_sub_norm = nullptr;
  I2sMatrix wq, wk, wv, wo, ffn_gate, ffn_up, ffn_down;
  // KV cache, [n_ctx][n_kv_dim]: f16 (half the memory of f32; bitnet.cpp's choice too), or with kLoadKvInt8 int8
  // codes and one f32 scale per position and KV head ([n_ctx][n_head_kv]; kv_store in ops.cpp).
  uint16_t* k_cache = nullptr;
  uint16_t* v_cache = nullptr;
  int8_t *k_q8 = nullptr, *v_q8 = nullptr;
  float *k_scales = nullptr, *v_scales = nullptr;
};

// How a model is loaded (trit_load_begin's and trit_inspect's options), as bits.
// kLoadInputRowsFromFile: the input embedding stays in the file; model_eval reads each token's F16 row through the
// host (input_rows.h). Exact, and the tied table needs no int8 residual (n_vocab * n_embd bytes less); an untied
// token_embd (llama files) is not kept at all. The host must be able to read the file at any offset.
// kLoadKvInt8: the KV cache as int8 with a scale per position and KV head, half the bytes of f16 (changes numbers a
// little; cpp/README.md has the measured error).
constexpr int kLoadInputRowsFromFile = 1;
constexpr int kLoadKvInt8 = 2;
// kLoadHeadInt6 / kLoadHeadInt4: the lm_head as 6-bit (q6.h) or 4-bit codes (q4.h); 4 wins if both are set. Ignored
// where the head is also the in-memory input table, or its rows are not whole blocks.
constexpr int kLoadHeadInt4 = 4;
constexpr int kLoadHeadInt6 = 8;
constexpr int kLoadHeadLowBit = kLoadHeadInt4 | kLoadHeadInt6;
// The lm_head's bits per code under these flags (8: the int8 rows of q8.h).
inline int head_bits(int load_flags) { return load_flags & kLoadHeadInt4 ? 4 : load_flags & kLoadHeadInt6 ? 6 : 8; }

struct HParams {
  std::string architecture;
  int n_vocab = 0, n_embd = 0, n_layer = 0, n_head = 0, n_head_kv = 0, head_dim = 0, n_ff = 0;
  int n_ctx_train = 0;
  float rope_freq_base = 10000.0f;
  float rms_eps = 1e-5f;
};

// Bytes the model needs, known from the header alone.
struct MemoryPlan {
  uint64_t weights = 0, kv_cache = 0, scratch = 0;
  uint64_t total() const { return weights + kv_cache + scratch; }
  uint64_t weight_bytes_per_token = 0;  // weights read to generate one token
  uint64_t parameters = 0;
};

// Where streamed file bytes go: [file_begin, file_begin + bytes) of the file -> dest.
struct TensorDestination {
  uint64_t file_begin;
  uint64_t bytes;
  uint8_t* dest;                   // copied here as they are, or
  Q8RowStream* convert = nullptr;  // converted row by row (the F16 embedding / lm_head)
};

struct Model;
// One batch of at most kMaxBatch tokens at positions n_past..; writes logits for tokens [first_logit, n_tokens) to
// out (one row of n_vocab each) and advances n_past. One per architecture (models/models.h).
using ForwardBatch = void (*)(Model* m, const int32_t* tokens, int n_tokens, int first_logit, float* out);

constexpr int kMaxBatch = 64;  // tokens per forward pass; longer prompts are evaluated in batches of this size
// The context a load gets when it asks for none (the CLI without --ctx): enough for a long chat, far from what a
// file may claim (a 2^23-token KV cache would be gigabytes).
constexpr int kDefaultContextCap = 8192;
// What one model may need in all: wasm32 memory stops at 4 GiB, and the JS glue, staging buffer and the heap's own
// fragmentation need the rest.
constexpr uint64_t kMemoryBudget = (3ull << 30) + (512ull << 20);

struct Model {
  HParams hp;
  int n_ctx = 0;
  int n_past = 0;
  int load_flags = 0;         // kLoad* bits
  uint64_t embd_file_begin = 0;  // token_embd.weight's first byte in the file (for kLoadInputRowsFromFile)
  MemoryPlan plan;
  Q8Matrix token_embd;              // [n_vocab][n_embd], from F16
  Q8Matrix output;                  // output.weight when the file has one
  const Q8Matrix* lm_head = nullptr;  // &token_embd (tied) or &output
  std::vector<Q8RowStream> row_streams;
  float* output_norm = nullptr;
  std::vector<Layer> layers;
  std::vector<void*> allocations;  // everything malloc'd for this model, freed together
  std::vector<TensorDestination> destinations;  // sorted by file offset
  int n_workers = 1;
  ForwardBatch forward = nullptr;
  bool sub_norms = false;  // the architecture's layers have attn_sub_norm and ffn_sub_norm

  // Scratch for one batch (kMaxBatch tokens).
  float *x = nullptr, *h = nullptr, *q = nullptr, *k = nullptr, *v = nullptr, *att = nullptr, *proj = nullptr;
  float *gate = nullptr, *up = nullptr;
  int8_t* act_q8 = nullptr;    // per token: int8 activations (quantize_rows)
  uint8_t* act_table = nullptr;  // per token: what the I2_S kernel needs besides q (i2s_build_activation_table)
  float* act_scale = nullptr;
  int32_t* act_sum = nullptr;
  float* attention_work = nullptr;      // per worker: one chunk's scores per query head, a key row, a value row
  float* attention_partials = nullptr;  // per chunk and query head: weighted values, max score, sum (model.cpp)
  int16_t* lm_input = nullptr;  // the final hidden state as i16 for the lm_head (q8_quantize_input)
  uint16_t* input_row = nullptr;  // one F16 embedding row as read from the file (kLoadInputRowsFromFile)
  float* logits = nullptr;
  uint64_t logits_capacity = 0;  // floats
  int logits_rows = 0;

  ~Model();
};

// Reads hyperparameters and checks every tensor the forward pass needs (and that the tokenizer's ids fit the
// embedding); fills the plan. Allocates nothing. n_ctx_requested 0: the model's trained length, at most
// kDefaultContextCap and shrunk to what fits in kMemoryBudget (load_flags: kLoad* bits); an explicit context whose plan does not fit is refused
// here, before anything is allocated.
int model_plan(const GgufHeader& header, int n_ctx_requested, int n_workers, int load_flags, Model* model);
// Allocates all tensors, KV cache and scratch (after model_plan); out-of-memory is a clean error.
int model_allocate(const GgufHeader& header, Model* model);
// After all bytes arrived: reads each I2_S matrix's scale and rearranges every matrix in place, on the thread pool,
// into the layout this build's kernel reads (i2s.h); checks the embedding arrived whole.
int model_finish_load(Model* model);
// Evaluates tokens at positions n_past..; logits for the last token or for every token (logits_rows of n_vocab).
int model_eval(Model* model, const int32_t* tokens, int n_tokens, bool all_logits);
