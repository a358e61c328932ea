#include "model.h"
#include "common.h"
#include "attention.h"
#include "half.h"
#include "i2s.h"
#include "threadpool.h"
#include <algorithm>
#include <atomic>
#include <cmath>
#include <initializer_list>
#include <utility>
#include <cstdlib>
#include <cstring>

Model::~Model() {
  for (void* p : allocations) free(p);
  free(logits);
}

// ---- hyperparameters and tensor checks --------------------------------------------------------------------------------

namespace {

bool is_supported_architecture(const std::string& arch) { return arch == "bitnet-b1.58" || arch == "bitnet-25"; }

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

struct TensorSpec {
  std::string name;
  uint32_t type;
  uint64_t ne0, ne1;
};

// Every tensor the forward pass reads, in a fixed order: token_embd, output_norm, [output], then per layer.
std::vector<TensorSpec> tensor_specs(const HParams& hp, bool has_output) {
  const uint64_t D = hp.n_embd, KV = (uint64_t)hp.n_head_kv * hp.head_dim, F = hp.n_ff, V = hp.n_vocab;
  std::vector<TensorSpec> specs = {{"token_embd.weight", GGML_F16, D, V}, {"output_norm.weight", GGML_F32, D, 1}};
  if (has_output) specs.push_back({"output.weight", GGML_F16, D, V});
  for (int l = 0; l < hp.n_layer; l++) {
    const std::string p = "blk." + std::to_string(l) + ".";
    specs.push_back({p + "attn_norm.weight", GGML_F32, D, 1});
    specs.push_back({p + "attn_q.weight", GGML_I2_S, D, D});
    specs.push_back({p + "attn_k.weight", GGML_I2_S, D, KV});
    specs.push_back({p + "attn_v.weight", GGML_I2_S, D, KV});
    specs.push_back({p + "attn_sub_norm.weight", GGML_F32, D, 1});
    specs.push_back({p + "attn_output.weight", GGML_I2_S, D, D});
    specs.push_back({p + "ffn_norm.weight", GGML_F32, D, 1});
    specs.push_back({p + "ffn_gate.weight", GGML_I2_S, D, F});
    specs.push_back({p + "ffn_up.weight", GGML_I2_S, D, F});
    specs.push_back({p + "ffn_sub_norm.weight", GGML_F32, F, 1});
    specs.push_back({p + "ffn_down.weight", GGML_I2_S, F, D});
  }
  return specs;
}

struct ScratchLayout {
  uint64_t x, h, q, k, v, att, proj, gate, up, act_q8, act_table, act_scale, act_sum, attention_work, attention_partials, lm_input, logits;
  uint64_t total() const {
    return x + h + q + k + v + att + proj + gate + up + act_q8 + act_table + act_scale + act_sum + attention_work + attention_partials + lm_input + logits;
  }
};

ScratchLayout scratch_layout(const HParams& hp, int n_ctx, int n_workers) {
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
  s.logits = (uint64_t)hp.n_vocab * 4;  // one row; all-position logits grow it on demand
  return s;
}

}  // namespace

int model_plan(const GgufHeader& header, int n_ctx_requested, int n_workers, Model* m) {
  HParams& hp = m->hp;
  if (!header.get_string("general.architecture", &hp.architecture))
    return trit_fail(TRIT_ERR_UNSUPPORTED_MODEL, "the model file has no general.architecture string");
  if (!is_supported_architecture(hp.architecture))
    return trit_fail(TRIT_ERR_UNSUPPORTED_ARCHITECTURE,
                     "architecture '%s' is not supported; Trit runs bitnet-b1.58 (BitNet-b1.58-2B-4T)",
                     hp.architecture.c_str());
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
  double value;
  if (header.get_float((a + ".rope.freq_base").c_str(), &value, &ok)) hp.rope_freq_base = (float)value;
  if (ok && header.get_float((a + ".attention.layer_norm_rms_epsilon").c_str(), &value, &ok)) hp.rms_eps = (float)value;
  if (!ok) return trit_error_code();
  if (!(hp.rope_freq_base > 0) || !(hp.rms_eps >= 0))
    return trit_fail(TRIT_ERR_UNSUPPORTED_MODEL, "rope.freq_base or layer_norm_rms_epsilon is out of range");
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

  if (n_ctx_requested <= 0) n_ctx_requested = hp.n_ctx_train;
  if (n_ctx_requested > hp.n_ctx_train)
    return trit_fail(TRIT_ERR_BAD_ARGUMENT, "a context of %d tokens exceeds the model's %d", n_ctx_requested,
                     hp.n_ctx_train);
  m->n_ctx = n_ctx_requested;
  m->n_workers = n_workers < 1 ? 1 : n_workers;

  MemoryPlan plan;
  const bool has_output = header.tensor("output.weight") != nullptr;
  for (const TensorSpec& spec : tensor_specs(hp, has_output)) {
    const GgufTensorInfo* t;
    int rc = check_tensor(header, spec.name, spec.type, spec.ne0, spec.ne1, &t);
    if (rc) return rc;
    // F16 matrices are kept as Q8 rows, the embedding with its residual (q8.h); the lm_head reads q and scales.
    const bool embedding = spec.name == "token_embd.weight";
    const uint64_t q8 = q8_bytes(spec.ne0, spec.ne1), residual = embedding ? spec.ne0 * spec.ne1 : 0;
    plan.weights += spec.type == GGML_F16 ? q8 + residual : t->n_bytes;
    plan.parameters += t->n_elements;
    if (!embedding || !has_output) plan.weight_bytes_per_token += spec.type == GGML_F16 ? q8 : t->n_bytes;
  }
  // Generation also reads one embedding row with its residual.
  plan.weight_bytes_per_token += q8_bytes(hp.n_embd, 1) + (uint64_t)hp.n_embd;
  plan.kv_cache = 2ull * hp.n_layer * m->n_ctx * hp.n_head_kv * hp.head_dim * 2;
  plan.scratch = scratch_layout(hp, m->n_ctx, m->n_workers).total();
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
  const bool has_output = header.tensor("output.weight") != nullptr;
  std::vector<TensorSpec> specs = tensor_specs(hp, has_output);
  m->allocations.reserve(specs.size() + 2 * hp.n_layer + 32);
  m->layers.assign(hp.n_layer, Layer{});
  std::vector<uint8_t*> buffers(specs.size());
  m->row_streams.reserve(2);  // pointers into it are kept: no reallocation
  for (size_t i = 0; i < specs.size(); i++) {
    const GgufTensorInfo* t = header.tensor(specs[i].name);
    const uint64_t file_begin = header.header_bytes + t->offset;
    if (specs[i].type == GGML_F16) {
      Q8Matrix& w = specs[i].name == "output.weight" ? m->output : m->token_embd;
      w.ne0 = (int)specs[i].ne0;
      w.ne1 = (int)specs[i].ne1;
      const char* what = specs[i].name.c_str();
      Q8RowStream stream;
      stream.target = &w;
      if (!(w.q = (int8_t*)model_alloc(m, (uint64_t)w.ne0 * w.ne1, what)) ||
          !(w.scales = (float*)model_alloc(m, (uint64_t)w.ne1 * (w.ne0 / kQ8BlockElems) * 4, what)) ||
          (&w == &m->token_embd && !(w.residual = (int8_t*)model_alloc(m, (uint64_t)w.ne0 * w.ne1, what))) ||
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
    L.attn_sub_norm = (float*)buffers[i++];
    L.wo = matrix(specs[i], buffers[i]); i++;
    L.ffn_norm = (float*)buffers[i++];
    L.ffn_gate = matrix(specs[i], buffers[i]); i++;
    L.ffn_up = matrix(specs[i], buffers[i]); i++;
    L.ffn_sub_norm = (float*)buffers[i++];
    L.ffn_down = matrix(specs[i], buffers[i]); i++;
  }
  // Stream order: by file offset. Tensors may not overlap (each byte has one destination).
  std::sort(m->destinations.begin(), m->destinations.end(),
            [](const TensorDestination& a, const TensorDestination& b) { return a.file_begin < b.file_begin; });
  for (size_t d = 1; d < m->destinations.size(); d++)
    if (m->destinations[d].file_begin < m->destinations[d - 1].file_begin + m->destinations[d - 1].bytes)
      return trit_fail(TRIT_ERR_BAD_HEADER, "two tensors of the model overlap in the file");

  const uint64_t kv_layer_bytes = (uint64_t)m->n_ctx * hp.n_head_kv * hp.head_dim * 2;
  for (int l = 0; l < hp.n_layer; l++) {
    m->layers[l].k_cache = (uint16_t*)model_alloc(m, kv_layer_bytes, "the KV cache");
    m->layers[l].v_cache = (uint16_t*)model_alloc(m, kv_layer_bytes, "the KV cache");
    if (!m->layers[l].k_cache || !m->layers[l].v_cache) return trit_error_code();
  }
  const ScratchLayout s = scratch_layout(hp, m->n_ctx, m->n_workers);
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
            (m->lm_input = (int16_t*)model_alloc(m, s.lm_input, "scratch"));
  if (!ok) return trit_error_code();
  m->logits = (float*)malloc(s.logits);  // owned separately: it is reallocated for all-position logits
  if (!m->logits) return trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory allocating the logits");
  m->logits_capacity = hp.n_vocab;
  return TRIT_OK;
}

namespace {

struct PrepareJob {
  std::vector<I2sMatrix*> matrices;
  size_t scratch_bytes = 0;  // the largest matrix's
  bool failed[64];
};

// Every matrix's full tiles, split across workers; each worker converts its share of every matrix.
void prepare_task(void* ctx, int worker, int n_workers) {
  PrepareJob* job = (PrepareJob*)ctx;
  uint8_t* scratch = nullptr;
  for (I2sMatrix* w : job->matrices) {
    int begin, end;
    split_range(w->ne1 / kI2sTileRows, worker, n_workers, &begin, &end);
    if (begin == end) continue;
    if (!scratch) scratch = (uint8_t*)malloc(job->scratch_bytes);
    if (!scratch) {
      job->failed[worker] = true;
      return;
    }
    i2s_prepare_rows(w->data, w->ne0, begin, end, scratch);
  }
  free(scratch);
}

}  // namespace

int model_finish_load(Model* m) {
  for (const Q8RowStream& s : m->row_streams)
    if (s.next_row != s.target->ne1) return trit_fail(TRIT_ERR_TRUNCATED, "the model's embedding ended early");
  PrepareJob job;
  memset(job.failed, 0, sizeof job.failed);
  for (Layer& L : m->layers) {
    for (I2sMatrix* w : {&L.wq, &L.wk, &L.wv, &L.wo, &L.ffn_gate, &L.ffn_up, &L.ffn_down}) {
      memcpy(&w->scale, w->data + (size_t)w->ne0 * w->ne1 / 4, 4);
      if (!std::isfinite(w->scale))
        return trit_fail(TRIT_ERR_BAD_HEADER, "an I2_S tensor's scale is not a finite number: the file is corrupt");
      job.matrices.push_back(w);
      job.scratch_bytes = std::max(job.scratch_bytes, i2s_prepare_scratch_bytes(w->ne0));
    }
  }
  // Each SIMD kernel reads the codes in its own layout (see i2s.h); converting in place keeps one copy of the weights.
  pool_run(prepare_task, &job);
  for (bool failed : job.failed)
    if (failed) return trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory preparing the weights");
  m->n_past = 0;
  return TRIT_OK;
}

// ---- forward pass ---------------------------------------------------------------------------------------------------

namespace {

// ggml's rms_norm: squares in f32 summed in double, mean as f32, then (x * scale) * weight.
void rms_norm(const float* x, const float* weight, int n, float eps, float* out) {
  double sum = 0;
  for (int i = 0; i < n; i++) sum += (double)(x[i] * x[i]);
  const float mean = (float)(sum / n);
  const float scale = 1.0f / sqrtf(mean + eps);
  for (int i = 0; i < n; i++) out[i] = (x[i] * scale) * weight[i];
}

void quantize_rows(Model* m, const float* x, int n_tokens, int n) {
  for (int t = 0; t < n_tokens; t++) {
    int8_t* q = m->act_q8 + (size_t)t * n;
    m->act_scale[t] = i2s_quantize_row(x + (size_t)t * n, n, q, &m->act_sum[t]);
    i2s_build_activation_table(q, n, m->act_table + (size_t)t * i2s_activation_table_bytes(n));
  }
}

// Up to three matrices with the same input (q/k/v, gate/up). Workers take chunks of tiles from a shared counter
// rather than fixed halves: on a phone's big and little cores, or a VM whose other vCPU is busy, a fixed split would
// make every step wait for the slowest thread.
struct MatmulJob {
  Model* model;
  int n_tokens;
  int count;
  const I2sMatrix* w[3];
  float* y[3];
  int chunk_tiles;
  int first_chunk[4];  // matrix i owns chunks [first_chunk[i], first_chunk[i + 1])
  std::atomic<int> next_chunk{0};
};

void matmul_task(void* ctx, int worker, int n_workers) {
  MatmulJob* job = (MatmulJob*)ctx;
  Model* m = job->model;
  for (;;) {
    const int chunk = job->next_chunk.fetch_add(1, std::memory_order_relaxed);
    if (chunk >= job->first_chunk[job->count]) return;
    int i = 0;
    while (chunk >= job->first_chunk[i + 1]) i++;
    const I2sMatrix& w = *job->w[i];
    const int begin = (chunk - job->first_chunk[i]) * job->chunk_tiles;
    const int end = std::min(begin + job->chunk_tiles, i2s_tile_count(w.ne1));
    i2s_matmul_simd(w.data, w.scale, w.ne0, w.ne1, begin, end, m->act_table, m->act_q8, m->act_scale, m->act_sum,
                     job->n_tokens, job->y[i], w.ne1);
  }
}

void matmul(Model* m, int n_tokens, std::initializer_list<std::pair<const I2sMatrix*, float*>> outputs) {
  MatmulJob job;
  job.model = m;
  job.n_tokens = n_tokens;
  job.count = 0;
  // Prompts: 16 tiles per chunk, the kernel's cache block; one token: 8 tiles (128 rows), enough chunks to balance.
  job.chunk_tiles = n_tokens > 1 ? 16 : 8;
  job.first_chunk[0] = 0;
  for (auto& o : outputs) {
    job.w[job.count] = o.first;
    job.y[job.count] = o.second;
    const int chunks = (i2s_tile_count(o.first->ne1) + job.chunk_tiles - 1) / job.chunk_tiles;
    job.first_chunk[job.count + 1] = job.first_chunk[job.count] + chunks;
    job.count++;
  }
  pool_run(matmul_task, &job);
}

// NEOX RoPE as ggml computes it: theta = pos * base^(-2i/d) built by repeated multiplication in f32,
// rotating element i with element i + d/2 of each head.
void rope(float* vec, int n_heads, int head_dim, int pos, float base) {
  const int half = head_dim / 2;
  const float theta_scale = powf(base, -2.0f / head_dim);
  float cos_table[512], sin_table[512];
  float theta = (float)pos;
  for (int i = 0; i < half; i++) {
    cos_table[i] = cosf(theta);
    sin_table[i] = sinf(theta);
    theta *= theta_scale;
  }
  for (int hd = 0; hd < n_heads; hd++) {
    float* v = vec + (size_t)hd * head_dim;
    for (int i = 0; i < half; i++) {
      const float x0 = v[i], x1 = v[i + half];
      v[i] = x0 * cos_table[i] - x1 * sin_table[i];
      v[i + half] = x0 * sin_table[i] + x1 * cos_table[i];
    }
  }
}



struct AttentionJob {
  Model* model;
  const Layer* layer;
  int first, n_tokens;  // the batch's tokens [first, n_tokens) attend
  int n_past;
  std::atomic<int> next_item{0};
};

size_t work_floats_per_worker(const HParams& hp) { return attention_work_floats(hp.n_head / hp.n_head_kv, hp.head_dim); }

// A KV head's column in the layer's cache: position j's row starts at + j * n_head_kv * head_dim.
const uint16_t* head_keys(const Layer* layer, const HParams& hp, int kv_head) {
  return layer->k_cache + (size_t)kv_head * hp.head_dim;
}
const uint16_t* head_values(const Layer* layer, const HParams& hp, int kv_head) {
  return layer->v_cache + (size_t)kv_head * hp.head_dim;
}

// Prompts: one (token, KV head) pair per item, all its chunks on this worker, merged here.
void attention_prompt_task(void* ctx, int worker, int n_workers) {
  AttentionJob* job = (AttentionJob*)ctx;
  Model* m = job->model;
  const HParams& hp = m->hp;
  const int hd = hp.head_dim, group = hp.n_head / hp.n_head_kv;
  const size_t per_chunk = (size_t)group * attention_partial_floats(hd);
  float* work = m->attention_work + (size_t)worker * work_floats_per_worker(hp);
  float* partials = m->attention_partials + (size_t)worker * attention_chunks(m->n_ctx) * per_chunk;
  for (;;) {
    const int item = job->next_item.fetch_add(1, std::memory_order_relaxed);
    if (item >= (job->n_tokens - job->first) * hp.n_head_kv) return;
    const int t = job->first + item / hp.n_head_kv, kv_head = item % hp.n_head_kv;
    const size_t heads = (size_t)t * hp.n_embd + (size_t)kv_head * group * hd;
    attend_positions(m->q + heads, group, hd, head_keys(job->layer, hp, kv_head), head_values(job->layer, hp, kv_head),
                     hp.n_head_kv * hd, job->n_past + t + 1, kAttentionChunk, partials, work, m->att + heads);
  }
}

// One generated token: (KV head, chunk) items over the pool; the caller merges.
void attention_token_task(void* ctx, int worker, int n_workers) {
  AttentionJob* job = (AttentionJob*)ctx;
  Model* m = job->model;
  const HParams& hp = m->hp;
  const int hd = hp.head_dim, group = hp.n_head / hp.n_head_kv;
  const size_t per_chunk = (size_t)group * attention_partial_floats(hd);
  const int n_keys = job->n_past + job->first + 1, n_chunks = (n_keys + kAttentionChunk - 1) / kAttentionChunk;
  float* work = m->attention_work + (size_t)worker * work_floats_per_worker(hp);
  for (;;) {
    const int item = job->next_item.fetch_add(1, std::memory_order_relaxed);
    if (item >= hp.n_head_kv * n_chunks) return;
    const int kv_head = item / n_chunks, c = item % n_chunks;
    const float* queries = m->q + (size_t)job->first * hp.n_embd + (size_t)kv_head * group * hd;
    attend_chunk(queries, group, hd, head_keys(job->layer, hp, kv_head), head_values(job->layer, hp, kv_head),
                 hp.n_head_kv * hd, c * kAttentionChunk,
                 std::min(n_keys, (c + 1) * kAttentionChunk),
                 m->attention_partials + ((size_t)kv_head * attention_chunks(m->n_ctx) + c) * per_chunk, work);
  }
}

// Attention output for the batch's tokens [first, n_tokens) (their keys and values already cached).
void attention(Model* m, const Layer* layer, int first, int n_tokens, int n_past) {
  AttentionJob job;
  job.model = m;
  job.layer = layer;
  job.first = first;
  job.n_tokens = n_tokens;
  job.n_past = n_past;
  if (n_tokens - first > 1) {
    pool_run(attention_prompt_task, &job);
    return;
  }
  // One token: its chunks spread over the pool, merged here (the same arithmetic as attend_positions).
  pool_run(attention_token_task, &job);
  const HParams& hp = m->hp;
  const int group = hp.n_head / hp.n_head_kv;
  const size_t per_chunk = (size_t)group * attention_partial_floats(hp.head_dim);
  const int n_chunks = (n_past + first + 1 + kAttentionChunk - 1) / kAttentionChunk;
  for (int kv_head = 0; kv_head < hp.n_head_kv; kv_head++)
    merge_chunks(m->attention_partials + (size_t)kv_head * attention_chunks(m->n_ctx) * per_chunk, n_chunks, group,
                 hp.head_dim, m->att + (size_t)first * hp.n_embd + (size_t)kv_head * group * hp.head_dim);
}

constexpr int kLmHeadChunkRows = 2048;

struct LmHeadJob {
  Model* model;
  const int16_t* xq;  // normalized hidden state, q8_quantize_input
  float x_scale;
  float* logits;
  std::atomic<int> next_chunk{0};  // chunks of kLmHeadChunkRows, taken as in matmul_task
};

void lm_head_task(void* ctx, int worker, int n_workers) {
  LmHeadJob* job = (LmHeadJob*)ctx;
  const int n_vocab = job->model->hp.n_vocab;
  for (;;) {
    const int begin = job->next_chunk.fetch_add(1, std::memory_order_relaxed) * kLmHeadChunkRows;
    if (begin >= n_vocab) return;
    q8_matvec_simd(*job->model->lm_head, begin, std::min(begin + kLmHeadChunkRows, n_vocab), job->xq, job->x_scale,
                   job->logits);
  }
}

// One batch of at most kMaxBatch tokens at positions n_past..; writes logits for tokens [first_logit, n_tokens)
// to out (one row of n_vocab each).
void forward_batch(Model* m, const int32_t* tokens, int n_tokens, int first_logit, float* out) {
  const HParams& hp = m->hp;
  const int D = hp.n_embd, F = hp.n_ff, kv_dim = hp.n_head_kv * hp.head_dim;
  const int n_past = m->n_past;
  float* x = m->x;
  for (int t = 0; t < n_tokens; t++) q8_dequantize_row(m->token_embd, tokens[t], x + (size_t)t * D);

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
      for (int i = 0; i < kv_dim; i++) {
        L.k_cache[(size_t)pos * kv_dim + i] = f32_to_f16(m->k[(size_t)t * kv_dim + i]);
        L.v_cache[(size_t)pos * kv_dim + i] = f32_to_f16(m->v[(size_t)t * kv_dim + i]);
      }
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
    const float x_scale = q8_quantize_input(m->h, D, m->lm_input);
    LmHeadJob job{m, m->lm_input, x_scale, out + (size_t)(t - first_logit) * hp.n_vocab};  // next_chunk = 0
    pool_run(lm_head_task, &job);
  }
  m->n_past = n_past + n_tokens;
}

}  // namespace

int model_eval(Model* m, const int32_t* tokens, int n_tokens, bool all_logits) {
  if (n_tokens <= 0) return trit_fail(TRIT_ERR_BAD_ARGUMENT, "eval needs at least one token");
  for (int i = 0; i < n_tokens; i++)
    if (tokens[i] < 0 || tokens[i] >= m->hp.n_vocab)
      return trit_fail(TRIT_ERR_BAD_ARGUMENT, "token id %d is outside the vocabulary (0..%d)", tokens[i],
                       m->hp.n_vocab - 1);
  if ((int64_t)m->n_past + n_tokens > m->n_ctx)
    return trit_fail(TRIT_ERR_CONTEXT_OVERFLOW, "%d tokens after %d would exceed the context of %d tokens", n_tokens,
                     m->n_past, m->n_ctx);
  const uint64_t rows = all_logits ? (uint64_t)n_tokens : 1;
  const uint64_t floats = rows * m->hp.n_vocab;
  if (floats > m->logits_capacity) {
    if (floats * 4 >= (1ull << 31)) return trit_fail(TRIT_ERR_OUT_OF_MEMORY, "logits for %d positions do not fit in memory", n_tokens);
    float* bigger = (float*)malloc((size_t)floats * 4);
    if (!bigger)
      return trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory for the logits of %d positions; ask for the last only",
                       n_tokens);
    free(m->logits);
    m->logits = bigger;
    m->logits_capacity = floats;
  }
  for (int start = 0; start < n_tokens; start += kMaxBatch) {
    const int n = n_tokens - start < kMaxBatch ? n_tokens - start : kMaxBatch;
    const bool last = start + n == n_tokens;
    // All positions: every token's row; otherwise only the final token of the final batch.
    const int first_logit = all_logits ? 0 : (last ? n - 1 : n);
    forward_batch(m, tokens + start, n, first_logit, m->logits + (all_logits ? (size_t)start * m->hp.n_vocab : 0));
  }
  m->logits_rows = (int)rows;
  return TRIT_OK;
}
