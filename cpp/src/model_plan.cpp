// Planning and allocation: hyperparameters and tensor checks from the header, the memory plan (known before any
// weight arrives), and one allocation per tensor, KV cache and scratch block.
#include "model.h"
#include "common.h"
#include "attention.h"
#include "i2s.h"
#include "q4.h"
#include "q6.h"
#include "models/models.h"
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

Model::~Model() {
  for (void* p : allocations) free(p);
  free(logits);
}

// ---- hyperparameters and tensor checks --------------------------------------------------------------------------------

namespace {

// Reads "{arch}.{suffix}" as a positive int; `required` decides between an error and keeping the default.
bool read_hparam(const GgufHeader& h, const std::string& arch, const char* suffix, bool required, bool uniform, int* out,
                 bool* ok) {
  std::string key = arch + "." + suffix;
  uint64_t v = 0;
  bool found = uniform ? h.get_uniform_uint(key.c_str(), &v, ok) : h.get_uint(key.c_str(), &v, ok);
  if (!*ok) return false;
  if (!found) {
    if (required) {
      *ok = false;
      trit_fail(TRIT_ERR_UNSUPPORTED_MODEL, "the model file lacks the metadata key '%s'", key.c_str());
    }
    return false;
  }
  if (v == 0 || v > (1u << 24)) {
    *ok = false;
    trit_fail(TRIT_ERR_UNSUPPORTED_MODEL, "metadata '%s' = %llu is out of range", key.c_str(), (unsigned long long)v);
    return false;
  }
  *out = (int)v;
  return true;
}

int check_tensor(const GgufHeader& h, const std::string& name, uint32_t type, uint64_t ne0, uint64_t ne1,
                 const GgufTensorInfo** out) {
  const GgufTensorInfo* t = h.tensor(name);
  if (!t) return trit_fail(TRIT_ERR_MISSING_TENSOR, "the model file has no tensor '%s'", name.c_str());
  if (t->type != type)
    return trit_fail(TRIT_ERR_UNSUPPORTED_TENSOR_TYPE, "tensor '%s' is %s; Trit needs %s here", name.c_str(),
                     ggml_type_name(t->type), ggml_type_name(type));
  const uint64_t want_dims = ne1 == 1 ? 1 : 2;
  bool shape_ok = t->ne[0] == ne0 && t->ne[1] == ne1 && t->ne[2] == 1 && t->ne[3] == 1 && t->n_dims >= want_dims;
  if (!shape_ok)
    return trit_fail(TRIT_ERR_BAD_TENSOR_SHAPE, "tensor '%s' has shape {%llu, %llu, %llu, %llu}; expected {%llu, %llu}",
                     name.c_str(), (unsigned long long)t->ne[0], (unsigned long long)t->ne[1],
                     (unsigned long long)t->ne[2], (unsigned long long)t->ne[3], (unsigned long long)ne0,
                     (unsigned long long)ne1);
  *out = t;
  return TRIT_OK;
}

// Reads "{arch}.{suffix}" as a number in [lo, hi] (as f32 too), keeping the default when absent.
bool read_float_hparam(const GgufHeader& h, const std::string& arch, const char* suffix, double lo, double hi,
                       float* out) {
  const std::string key = arch + "." + suffix;
  double v;
  bool ok = true;
  if (!h.get_float(key.c_str(), &v, &ok)) return true;
  if (!ok) return false;
  if (!(v >= lo && v <= hi) || !std::isfinite((float)v)) {
    trit_fail(TRIT_ERR_UNSUPPORTED_MODEL, "metadata '%s' = %g is not a finite number in [%g, %g]", key.c_str(), v, lo,
              hi);
    return false;
  }
  *out = (float)v;
  return true;
}

// Every token id the tokenizer can produce must have an embedding row: the vocabulary's length and each special
// token id (tokenizer.ggml.*_token_id). Found here, a bad file fails at load instead of at the first message.
int check_tokenizer_ids(const GgufHeader& h, int n_vocab) {
  for (const GgufKeyValue& kv : h.kvs) {
    if (kv.key.compare(0, 14, "tokenizer.ggml") != 0) continue;
    if (kv.key == "tokenizer.ggml.tokens" && kv.type == GGUF_ARRAY && kv.array_count > (uint64_t)n_vocab)
      return trit_fail(TRIT_ERR_BAD_HEADER,
                       "the tokenizer has %llu tokens but the embedding only %d rows: the file is inconsistent",
                       (unsigned long long)kv.array_count, n_vocab);
    const size_t n = kv.key.size();
    if (n > 9 && kv.key.compare(n - 9, 9, "_token_id") == 0 && gguf_scalar_size(kv.type) && kv.type != GGUF_BOOL) {
      const double id = gguf_numeric_at(h.bytes + kv.value_pos, kv.type);
      if (!(id >= 0 && id < n_vocab))
        return trit_fail(TRIT_ERR_BAD_HEADER, "metadata '%s' = %.0f is not a token id of the %d-row embedding",
                         kv.key.c_str(), id, n_vocab);
    }
  }
  return TRIT_OK;
}

// Weights no build of Trit can compute, each with what to do instead. An I2_S row that is not whole 128-element blocks
// (bitnet_b1_58-3B's 8640-wide feed-forward): bitnet.cpp's quantizer packs the flattened tensor, its kernel then
// reads each row from the wrong place, so even the reference engine computes such a file wrongly.
int check_runnable_types(const GgufHeader& h) {
  for (const GgufTensorInfo& t : h.tensors)
    if (t.type == GGML_I2_S && t.ne[0] % kI2sBlockElems)
      return trit_fail(TRIT_ERR_UNSUPPORTED_MODEL,
                       "unsupported I2_S shape: tensor '%s' has rows of %llu values, not a multiple of 128; even "
                       "bitnet.cpp computes such a file wrongly (bitnet_b1_58-3B is one), so there is no correct I2_S "
                       "file of this model",
                       t.name.c_str(), (unsigned long long)t.ne[0]);
  return TRIT_OK;
}

struct TensorSpec {
  std::string name;
  uint32_t type;
  uint64_t ne0, ne1;
};

// Every tensor the forward pass reads, in a fixed order: token_embd, output_norm, [output], then per layer (the
// sub-norms only where the architecture has them).
// output.weight may be F16 or Q8_0 (some Falcon files): output_type says which.
std::vector<TensorSpec> tensor_specs(const HParams& hp, bool has_output, bool sub_norms, uint32_t output_type = GGML_F16) {
  const uint64_t D = hp.n_embd, KV = (uint64_t)hp.n_head_kv * hp.head_dim, F = hp.n_ff, V = hp.n_vocab;
  std::vector<TensorSpec> specs = {{"token_embd.weight", GGML_F16, D, V}, {"output_norm.weight", GGML_F32, D, 1}};
  if (has_output) specs.push_back({"output.weight", output_type == GGML_Q8_0 ? GGML_Q8_0 : GGML_F16, D, V});
  for (int l = 0; l < hp.n_layer; l++) {
    const std::string p = "blk." + std::to_string(l) + ".";
    specs.push_back({p + "attn_norm.weight", GGML_F32, D, 1});
    specs.push_back({p + "attn_q.weight", GGML_I2_S, D, D});
    specs.push_back({p + "attn_k.weight", GGML_I2_S, D, KV});
    specs.push_back({p + "attn_v.weight", GGML_I2_S, D, KV});
    if (sub_norms) specs.push_back({p + "attn_sub_norm.weight", GGML_F32, D, 1});
    specs.push_back({p + "attn_output.weight", GGML_I2_S, D, D});
    specs.push_back({p + "ffn_norm.weight", GGML_F32, D, 1});
    specs.push_back({p + "ffn_gate.weight", GGML_I2_S, D, F});
    specs.push_back({p + "ffn_up.weight", GGML_I2_S, D, F});
    if (sub_norms) specs.push_back({p + "ffn_sub_norm.weight", GGML_F32, F, 1});
    specs.push_back({p + "ffn_down.weight", GGML_I2_S, F, D});
  }
  return specs;
}

struct ScratchLayout {
  uint64_t x, h, q, k, v, att, proj, gate, up, act_q8, act_table, act_scale, act_sum, attention_work, attention_partials, lm_input, input_row, logits;
  uint64_t total() const {
    return x + h + q + k + v + att + proj + gate + up + act_q8 + act_table + act_scale + act_sum + attention_work + attention_partials + lm_input + input_row + logits;
  }
};

ScratchLayout scratch_layout(const HParams& hp, int n_ctx, int n_workers, int load_flags) {
  const uint64_t B = kMaxBatch, D = hp.n_embd, KV = (uint64_t)hp.n_head_kv * hp.head_dim, F = hp.n_ff;
  const uint64_t widest = D > F ? D : F;
  ScratchLayout s;
  s.x = s.h = s.q = s.att = s.proj = B * D * 4;
  s.k = s.v = B * KV * 4;
  s.gate = s.up = B * F * 4;
  s.act_q8 = B * widest;
  s.act_table = B * i2s_activation_table_bytes((int)widest);
  s.act_scale = s.act_sum = B * 4;
  // Attention: per worker one chunk's scores and a key and value row; partial results per chunk, for each worker's
  // prompt items or for every KV head of a generated token, whichever is more.
  const uint64_t group = hp.n_head / hp.n_head_kv;
  s.attention_work = (uint64_t)n_workers * attention_work_floats((int)group, hp.head_dim) * 4;
  s.attention_partials = (uint64_t)std::max(n_workers, hp.n_head_kv) * attention_chunks(n_ctx) * group *
                         attention_partial_floats(hp.head_dim) * 4;
  s.lm_input = D * 2;
  s.input_row = load_flags & kLoadInputRowsFromFile ? D * 2 : 0;
  s.logits = (uint64_t)hp.n_vocab * 4;  // one row; all-position logits grow it on demand
  return s;
}

// Bytes of an lm_head converted from F16 or Q8_0: int8 rows, or 6- or 4-bit ones (head_bits).
uint64_t head_bytes(uint64_t ne0, uint64_t ne1, int load_flags) {
  const int bits = head_bits(load_flags);
  return bits == 4 ? q4_bytes(ne0, ne1) : bits == 6 ? q6_bytes(ne0, ne1) : q8_bytes(ne0, ne1);
}

// Bytes of the token embedding table kept in memory: Q8 rows with the int8 residual for the input lookup, without it
// when the input rows are read from the file, nothing when they are and a separate output.weight is the lm_head.
uint64_t embedding_bytes(uint64_t ne0, uint64_t ne1, bool has_output, int load_flags) {
  if (!(load_flags & kLoadInputRowsFromFile)) return q8_bytes(ne0, ne1) + ne0 * ne1;
  return has_output ? 0 : head_bytes(ne0, ne1, load_flags);
}

// The KV cache: f16, or int8 with an f32 scale per position and KV head.
uint64_t kv_cache_bytes(const HParams& hp, int n_ctx, int load_flags) {
  const uint64_t rows = 2ull * hp.n_layer * n_ctx;
  if (load_flags & kLoadKvInt8) return rows * hp.n_head_kv * (hp.head_dim + 4ull);
  return rows * hp.n_head_kv * hp.head_dim * 2;
}

}  // namespace

int model_plan(const GgufHeader& header, int n_ctx_requested, int n_workers, int load_flags, Model* m) {
  HParams& hp = m->hp;
  m->load_flags = load_flags;
  if (!header.get_string("general.architecture", &hp.architecture))
    return trit_fail(TRIT_ERR_UNSUPPORTED_MODEL, "the model file has no general.architecture string");
  const Architecture arch = architecture_for(hp.architecture);
  m->forward = arch.forward;
  m->sub_norms = arch.sub_norms;
  if (!m->forward)
    return trit_fail(TRIT_ERR_UNSUPPORTED_ARCHITECTURE,
                     "architecture '%s' is not supported; Trit runs the BitNet b1.58 family: bitnet-b1.58 (2B-4T), "
                     "bitnet (1bitLLM) and llama with I2_S weights (Falcon3, Falcon-E, Llama3-8B-1.58)",
                     hp.architecture.c_str());
  if (int rc = check_runnable_types(header)) return rc;
  const std::string& a = hp.architecture;
  bool ok = true;
  read_hparam(header, a, "embedding_length", true, false, &hp.n_embd, &ok);
  if (ok) read_hparam(header, a, "block_count", true, false, &hp.n_layer, &ok);
  if (ok) read_hparam(header, a, "feed_forward_length", true, true, &hp.n_ff, &ok);
  if (ok) read_hparam(header, a, "attention.head_count", true, true, &hp.n_head, &ok);
  hp.n_head_kv = hp.n_head;
  if (ok) read_hparam(header, a, "attention.head_count_kv", false, true, &hp.n_head_kv, &ok);
  hp.n_ctx_train = 4096;
  if (ok) read_hparam(header, a, "context_length", false, false, &hp.n_ctx_train, &ok);
  if (!ok) return trit_error_code();
  if (hp.n_layer > 1024) return trit_fail(TRIT_ERR_UNSUPPORTED_MODEL, "block_count %d is absurd", hp.n_layer);
  if (hp.n_embd % hp.n_head || hp.n_head % hp.n_head_kv)
    return trit_fail(TRIT_ERR_UNSUPPORTED_MODEL, "%d heads with %d KV heads over embedding length %d are not supported",
                     hp.n_head, hp.n_head_kv, hp.n_embd);
  hp.head_dim = hp.n_embd / hp.n_head;
  int rope_dims = hp.head_dim;
  if (!read_hparam(header, a, "rope.dimension_count", false, false, &rope_dims, &ok) && !ok) return trit_error_code();
  if (rope_dims != hp.head_dim || hp.head_dim % 2 || hp.head_dim > 1024)
    return trit_fail(TRIT_ERR_UNSUPPORTED_MODEL, "RoPE over %d of %d head dimensions is not supported", rope_dims,
                     hp.head_dim);
  // Finite and in a range real models use, checked as read (1e300 as f32 would become inf).
  if (!read_float_hparam(header, a, "rope.freq_base", 1e-3, 1e12, &hp.rope_freq_base) ||
      !read_float_hparam(header, a, "attention.layer_norm_rms_epsilon", 0, 1, &hp.rms_eps))
    return trit_error_code();
  if (hp.n_embd % kI2sBlockElems || hp.n_ff % kI2sBlockElems)
    return trit_fail(TRIT_ERR_UNSUPPORTED_MODEL, "embedding (%d) and feed-forward (%d) lengths must be multiples of 128",
                     hp.n_embd, hp.n_ff);

  const GgufTensorInfo* embd = header.tensor("token_embd.weight");
  if (!embd) return trit_fail(TRIT_ERR_MISSING_TENSOR, "the model file has no tensor 'token_embd.weight'");
  if (embd->ne[1] > (1u << 24)) return trit_fail(TRIT_ERR_BAD_TENSOR_SHAPE, "token_embd.weight has an absurd vocabulary");
  hp.n_vocab = (int)embd->ne[1];
  int vocab_meta = hp.n_vocab;
  if (read_hparam(header, a, "vocab_size", false, false, &vocab_meta, &ok) && vocab_meta != hp.n_vocab)
    return trit_fail(TRIT_ERR_BAD_TENSOR_SHAPE, "vocab_size %d differs from token_embd.weight's %d rows", vocab_meta,
                     hp.n_vocab);
  if (!ok) return trit_error_code();

  if (int rc = check_tokenizer_ids(header, hp.n_vocab)) return rc;

  const bool default_context = n_ctx_requested <= 0;
  if (default_context) n_ctx_requested = std::min(hp.n_ctx_train, kDefaultContextCap);
  if (n_ctx_requested > hp.n_ctx_train)
    return trit_fail(TRIT_ERR_BAD_ARGUMENT, "a context of %d tokens exceeds the model's %d", n_ctx_requested,
                     hp.n_ctx_train);
  m->n_ctx = n_ctx_requested;
  m->n_workers = n_workers < 1 ? 1 : n_workers;

  MemoryPlan plan;
  const GgufTensorInfo* output = header.tensor("output.weight");
  const bool has_output = output != nullptr;
  // A 6- or 4-bit head only where the head is not also the input table (that one must stay close to the file), and
  // only one of them: 4 bits if both were asked.
  if (!has_output && !(load_flags & kLoadInputRowsFromFile)) load_flags &= ~kLoadHeadLowBit;
  if (load_flags & kLoadHeadInt4) load_flags &= ~kLoadHeadInt6;
  if (hp.n_embd % kQ6BlockElems) load_flags &= ~kLoadHeadInt6;
  m->load_flags = load_flags;
  for (const TensorSpec& spec : tensor_specs(hp, has_output, m->sub_norms, output ? output->type : GGML_F16)) {
    const GgufTensorInfo* t;
    int rc = check_tensor(header, spec.name, spec.type, spec.ne0, spec.ne1, &t);
    if (rc) return rc;
    // F16 matrices are kept as Q8 rows, the embedding as embedding_bytes says (q8.h); the lm_head reads q and scales.
    const bool embedding = spec.name == "token_embd.weight";
    const uint64_t q8 = head_bytes(spec.ne0, spec.ne1, load_flags);
    const bool to_q8 = spec.type == GGML_F16 || spec.type == GGML_Q8_0;
    plan.weights += embedding ? embedding_bytes(spec.ne0, spec.ne1, has_output, load_flags) : to_q8 ? q8 : t->n_bytes;
    plan.parameters += t->n_elements;
    if (!embedding || !has_output) plan.weight_bytes_per_token += to_q8 ? q8 : t->n_bytes;
  }
  // Generation also reads one embedding row: from the file as F16, or from memory with its residual.
  plan.weight_bytes_per_token +=
      load_flags & kLoadInputRowsFromFile ? hp.n_embd * 2ull : q8_bytes(hp.n_embd, 1) + (uint64_t)hp.n_embd;
  // Refused here, before anything is allocated: a failed allocation would leave the heap grown for good. A default
  // context shrinks (in steps of 256) to what fits.
  for (;;) {
    plan.kv_cache = kv_cache_bytes(hp, m->n_ctx, load_flags);
    plan.scratch = scratch_layout(hp, m->n_ctx, m->n_workers, load_flags).total();
    if (plan.total() <= kMemoryBudget) break;
    if (!default_context || m->n_ctx <= 256)
      return trit_fail(TRIT_ERR_OUT_OF_MEMORY,
                       "the model needs %llu MiB at a context of %d tokens, more than the %llu MiB WebAssembly can hold",
                       (unsigned long long)(plan.total() >> 20), m->n_ctx, (unsigned long long)(kMemoryBudget >> 20));
    m->n_ctx = std::max(256, (m->n_ctx - 1) / 256 * 256);
  }
  m->plan = plan;
  return TRIT_OK;
}

// ---- allocation -----------------------------------------------------------------------------------------------------

namespace {

// wasm32 cannot address a single block of 2 GiB or more; per-tensor allocations keep every block far below that.
constexpr uint64_t kMaxSingleAllocation = (1ull << 31) - (1ull << 20);

void* model_alloc(Model* m, uint64_t bytes, const char* what) {
  if (bytes > kMaxSingleAllocation) {
    trit_fail(TRIT_ERR_OUT_OF_MEMORY, "%s needs %llu bytes in one block, more than WebAssembly can allocate", what,
              (unsigned long long)bytes);
    return nullptr;
  }
  void* p = aligned_alloc(16, bytes ? (size_t)((bytes + 15) / 16 * 16) : 16);  // the dot kernel needs no tables
  if (!p) {
    trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory allocating %llu bytes for %s (the model needs %llu bytes in all)",
              (unsigned long long)bytes, what, (unsigned long long)m->plan.total());
    return nullptr;
  }
  m->allocations.push_back(p);
  return p;
}

}  // namespace

int model_allocate(const GgufHeader& header, Model* m) {
  const HParams& hp = m->hp;
  const GgufTensorInfo* output = header.tensor("output.weight");
  const bool has_output = output != nullptr;
  std::vector<TensorSpec> specs = tensor_specs(hp, has_output, m->sub_norms, output ? output->type : GGML_F16);
  m->allocations.reserve(specs.size() + 4 * hp.n_layer + 32);
  m->layers.assign(hp.n_layer, Layer{});
  std::vector<uint8_t*> buffers(specs.size());
  m->row_streams.reserve(2);  // pointers into it are kept: no reallocation
  for (size_t i = 0; i < specs.size(); i++) {
    const GgufTensorInfo* t = header.tensor(specs[i].name);
    const uint64_t file_begin = header.header_bytes + t->offset;
    const bool embedding = specs[i].name == "token_embd.weight";
    const bool rows_from_file = m->load_flags & kLoadInputRowsFromFile;
    if (embedding) m->embd_file_begin = file_begin;
    if (embedding && rows_from_file && has_output) continue;  // read row by row from the file; never in memory
    if (specs[i].type == GGML_F16 || specs[i].type == GGML_Q8_0) {
      Q8Matrix& w = embedding ? m->token_embd : m->output;
      w.ne0 = (int)specs[i].ne0;
      w.ne1 = (int)specs[i].ne1;
      const char* what = specs[i].name.c_str();
      const int bits = head_bits(m->load_flags);
      const int block = bits == 4 ? kQ4BlockElems : bits == 6 ? kQ6BlockElems : kQ8BlockElems;
      Q8RowStream stream;
      stream.target = &w;
      stream.source_type = specs[i].type;
      const uint64_t codes = bits == 4 ? (uint64_t)w.ne0 * w.ne1 / 2 : bits == 6 ? w.ne1 * q6_row_bytes(w.ne0)
                                                                                : (uint64_t)w.ne0 * w.ne1;
      uint8_t* packed = (uint8_t*)model_alloc(m, codes, what);
      if (bits == 4) w.q4 = packed;
      else if (bits == 6) w.q6 = packed;
      else w.q = (int8_t*)packed;
      if (!packed ||
          !(w.scales = (float*)model_alloc(m, (uint64_t)w.ne1 * (w.ne0 / block) * 4, what)) ||
          (embedding && !rows_from_file && !(w.residual = (int8_t*)model_alloc(m, (uint64_t)w.ne0 * w.ne1, what))) ||
          !(stream.staging = (uint16_t*)model_alloc(m, (uint64_t)w.ne0 * 2, what)))
        return trit_error_code();
      m->row_streams.push_back(stream);
      TensorDestination dest{file_begin, t->n_bytes, nullptr};
      dest.convert = &m->row_streams.back();
      m->destinations.push_back(dest);
      continue;
    }
    buffers[i] = (uint8_t*)model_alloc(m, t->n_bytes, specs[i].name.c_str());
    if (!buffers[i]) return trit_error_code();
    m->destinations.push_back({file_begin, t->n_bytes, buffers[i]});
  }
  size_t i = 1;  // token_embd: converted
  m->output_norm = (float*)buffers[i++];
  if (has_output) i++;  // output: converted
  m->lm_head = has_output ? &m->output : &m->token_embd;
  auto matrix = [&](const TensorSpec& spec, uint8_t* data) {
    I2sMatrix w;
    w.data = data;
    w.ne0 = (int)spec.ne0;
    w.ne1 = (int)spec.ne1;
    return w;
  };
  for (int l = 0; l < hp.n_layer; l++) {
    Layer& L = m->layers[l];
    L.attn_norm = (float*)buffers[i++];
    L.wq = matrix(specs[i], buffers[i]); i++;
    L.wk = matrix(specs[i], buffers[i]); i++;
    L.wv = matrix(specs[i], buffers[i]); i++;
    if (m->sub_norms) L.attn_sub_norm = (float*)buffers[i++];
    L.wo = matrix(specs[i], buffers[i]); i++;
    L.ffn_norm = (float*)buffers[i++];
    L.ffn_gate = matrix(specs[i], buffers[i]); i++;
    L.ffn_up = matrix(specs[i], buffers[i]); i++;
    if (m->sub_norms) L.ffn_sub_norm = (float*)buffers[i++];
    L.ffn_down = matrix(specs[i], buffers[i]); i++;
  }
  // Stream order: by file offset. Tensors may not overlap (each byte has one destination).
  std::sort(m->destinations.begin(), m->destinations.end(),
            [](const TensorDestination& a, const TensorDestination& b) { return a.file_begin < b.file_begin; });
  for (size_t d = 1; d < m->destinations.size(); d++)
    if (m->destinations[d].file_begin < m->destinations[d - 1].file_begin + m->destinations[d - 1].bytes)
      return trit_fail(TRIT_ERR_BAD_HEADER, "two tensors of the model overlap in the file");

  const uint64_t kv_elements = (uint64_t)m->n_ctx * hp.n_head_kv * hp.head_dim;
  const uint64_t kv_scales = (uint64_t)m->n_ctx * hp.n_head_kv * 4;
  for (Layer& L : m->layers) {
    const bool ok =
        m->load_flags & kLoadKvInt8
            ? (L.k_q8 = (int8_t*)model_alloc(m, kv_elements, "the KV cache")) &&
                  (L.v_q8 = (int8_t*)model_alloc(m, kv_elements, "the KV cache")) &&
                  (L.k_scales = (float*)model_alloc(m, kv_scales, "the KV cache")) &&
                  (L.v_scales = (float*)model_alloc(m, kv_scales, "the KV cache"))
            : (L.k_cache = (uint16_t*)model_alloc(m, kv_elements * 2, "the KV cache")) &&
                  (L.v_cache = (uint16_t*)model_alloc(m, kv_elements * 2, "the KV cache"));
    if (!ok) return trit_error_code();
  }
  const ScratchLayout s = scratch_layout(hp, m->n_ctx, m->n_workers, m->load_flags);
  bool ok = (m->x = (float*)model_alloc(m, s.x, "scratch")) && (m->h = (float*)model_alloc(m, s.h, "scratch")) &&
            (m->q = (float*)model_alloc(m, s.q, "scratch")) && (m->k = (float*)model_alloc(m, s.k, "scratch")) &&
            (m->v = (float*)model_alloc(m, s.v, "scratch")) && (m->att = (float*)model_alloc(m, s.att, "scratch")) &&
            (m->proj = (float*)model_alloc(m, s.proj, "scratch")) &&
            (m->gate = (float*)model_alloc(m, s.gate, "scratch")) && (m->up = (float*)model_alloc(m, s.up, "scratch")) &&
            (m->act_q8 = (int8_t*)model_alloc(m, s.act_q8, "scratch")) &&
            (m->act_table = (uint8_t*)model_alloc(m, s.act_table, "scratch")) &&
            (m->act_scale = (float*)model_alloc(m, s.act_scale, "scratch")) &&
            (m->act_sum = (int32_t*)model_alloc(m, s.act_sum, "scratch")) &&
            (m->attention_work = (float*)model_alloc(m, s.attention_work, "scratch")) &&
            (m->attention_partials = (float*)model_alloc(m, s.attention_partials, "scratch")) &&
            (m->lm_input = (int16_t*)model_alloc(m, s.lm_input, "scratch")) &&
            (!s.input_row || (m->input_row = (uint16_t*)model_alloc(m, s.input_row, "scratch")));
  if (!ok) return trit_error_code();
  m->logits = (float*)malloc(s.logits);  // owned separately: it is reallocated for all-position logits
  if (!m->logits) return trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory allocating the logits");
  m->logits_capacity = hp.n_vocab;
  return TRIT_OK;
}
