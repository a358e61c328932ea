// The engine's exported C interface (called from src/lib/engine/wasm-engine.ts). Functions return 0 on success or a
// negative TritStatus; trit_last_error_code/message describe the failure. JSON results live in one buffer that
// stays valid until the next call that returns JSON.
#include "common.h"
#include "attention.h"
#include <algorithm>
#include "half.h"
#include "q8.h"
#include "gguf.h"
#include "i2s.h"
#include "model.h"
#include "threadpool.h"
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <emscripten.h>
#include <emscripten/heap.h>
#include <pthread.h>
#include <string>
#include <wasm_simd128.h>

namespace {

std::string g_json;
Model* g_model = nullptr;

struct Loader {
  bool active = false;
  uint64_t total = 0;
  uint64_t received = 0;
  int n_ctx = 0;
  uint8_t* header = nullptr;  // file bytes [0, header_len) until the header parses
  size_t header_len = 0, header_capacity = 0;
  uint64_t header_need = 0;
  Model* model = nullptr;     // set once the header parsed and the tensors are allocated
  size_t next_destination = 0;
};
Loader g_loader;

void loader_reset() {
  free(g_loader.header);
  delete g_loader.model;
  g_loader = Loader{};
}

int loader_abort(int code) {
  loader_reset();
  return code;
}

// Copies file bytes [offset, offset + len) to the tensors they belong to; bytes between tensors are skipped.
void route_bytes(Model* m, const uint8_t* data, size_t len, uint64_t offset) {
  std::vector<TensorDestination>& dests = m->destinations;
  size_t& d = g_loader.next_destination;
  const uint64_t end = offset + len;
  while (d < dests.size()) {
    const TensorDestination& dest = dests[d];
    const uint64_t begin = dest.file_begin > offset ? dest.file_begin : offset;
    const uint64_t stop = dest.file_begin + dest.bytes < end ? dest.file_begin + dest.bytes : end;
    if (begin >= end) break;
    if (stop > begin) {
      if (dest.convert) q8_stream_write(dest.convert, data + (begin - offset), (size_t)(stop - begin));
      else memcpy(dest.dest + (begin - dest.file_begin), data + (begin - offset), (size_t)(stop - begin));
    }
    if (dest.file_begin + dest.bytes <= end) d++;
    else break;
  }
}

void append_plan_json(const Model& m, std::string* out) {
  char buf[512];
  snprintf(buf, sizeof buf,
           "{\"weights\":%llu,\"kv_cache\":%llu,\"scratch\":%llu,\"total\":%llu,\"n_ctx\":%d,"
           "\"weight_bytes_per_token\":%llu,\"parameters\":%llu}",
           (unsigned long long)m.plan.weights, (unsigned long long)m.plan.kv_cache, (unsigned long long)m.plan.scratch,
           (unsigned long long)m.plan.total(), m.n_ctx, (unsigned long long)m.plan.weight_bytes_per_token,
           (unsigned long long)m.plan.parameters);
  out->append(buf);
}

void append_error_json(std::string* out) {
  char buf[64];
  snprintf(buf, sizeof buf, "{\"code\":%d,\"message\":", trit_error_code());
  out->append(buf);
  json_append_string(out, trit_error_message(), strlen(trit_error_message()));
  out->push_back('}');
}

// ---- self-test ------------------------------------------------------------------------------------------------------

constexpr int kSelfTestRowElems = 4096;  // 1 KiB of packed weights per row
constexpr int kSelfTestPieces = 16;
constexpr int kMaxWorkers = 64;

struct SelfTest {
  uint8_t* weights = nullptr;
  int8_t* activations = nullptr;
  uint8_t* prepared = nullptr;          // the weights converted for the SIMD kernel
  uint8_t* table = nullptr;             // what the SIMD kernel needs per token besides the activations
  int32_t activation_sum = 0;
  int32_t* simd_acc = nullptr;
  int32_t* scalar_acc = nullptr;
  int rows = 0;
  bool ok = true;
  double simd_ms = 0, scalar_ms = 0;
  pthread_t seen_threads[kMaxWorkers];
  int n_seen = 0;
  // Per job:
  int row_begin = 0, row_end = 0;
  pthread_t job_threads[kMaxWorkers];
  bool job_did_work[kMaxWorkers];
};
SelfTest g_selftest;

void selftest_free() {
  free(g_selftest.weights);
  free(g_selftest.activations);
  free(g_selftest.prepared);
  free(g_selftest.table);
  free(g_selftest.simd_acc);
  free(g_selftest.scalar_acc);
  g_selftest = SelfTest{};
}

void selftest_simd_task(void* ctx, int worker, int n_workers) {
  SelfTest& st = g_selftest;
  int begin, end;
  // Pieces are whole tiles. Weight and activation scales of 1 make the kernel's float output acc - Q, exact as
  // |acc| and |Q| stay below 2^24.
  const int tile_begin = st.row_begin / kI2sTileRows, tile_end = st.row_end / kI2sTileRows;
  split_range(tile_end - tile_begin, worker, n_workers, &begin, &end);
  float out[kI2sTileRows];
  const float one = 1.0f;
  const size_t tile_bytes = (size_t)kI2sTileRows * kSelfTestRowElems / 4;
  for (int tile = tile_begin + begin; tile < tile_begin + end; tile++) {
    i2s_matmul_simd(st.prepared + (size_t)tile * tile_bytes, 1.0f, kSelfTestRowElems, kI2sTileRows, 0, 1, st.table,
                    st.activations, &one, &st.activation_sum, 1, out, kI2sTileRows);
    for (int r = 0; r < kI2sTileRows; r++) st.simd_acc[tile * kI2sTileRows + r] = (int32_t)out[r] + st.activation_sum;
  }
  st.job_threads[worker] = pthread_self();
  st.job_did_work[worker] = end > begin;
}

void selftest_scalar_task(void* ctx, int worker, int n_workers) {
  SelfTest& st = g_selftest;
  int begin, end;
  split_range(st.row_end - st.row_begin, worker, n_workers, &begin, &end);
  const int row_bytes = kSelfTestRowElems / 4;
  for (int r = st.row_begin + begin; r < st.row_begin + end; r++)
    st.scalar_acc[r] = i2s_dot_scalar(st.weights + (size_t)r * row_bytes, st.activations, kSelfTestRowElems);
}

// ---- kernels for tests and benchmarks ---------------------------------------------------------------------------------

struct KernelJob {
  int kernel;
  const uint8_t* w;
  int ne0, ne1;
  const int8_t* q;
  const float* s;
  const int32_t* sums;
  int n_tokens;
  float* y;
  const uint8_t* prepared;  // w converted by i2s_prepare_rows
  const uint8_t* tables;    // per token, i2s_build_activation_table
};

void kernel_task(void* ctx, int worker, int n_workers) {
  KernelJob* j = (KernelJob*)ctx;
  int begin, end;
  if (j->kernel == 0) {
    split_range(j->ne1, worker, n_workers, &begin, &end);
    i2s_matmul_scalar(j->w, 1.0f, j->ne0, begin, end, j->q, j->s, j->sums, j->n_tokens, j->y, j->ne1);
    return;
  }
  split_range(i2s_tile_count(j->ne1), worker, n_workers, &begin, &end);
  if (j->kernel == 1) {
    // One token at a time, as generation runs.
    const size_t table_bytes = i2s_activation_table_bytes(j->ne0);
    for (int t = 0; t < j->n_tokens; t++)
      i2s_matmul_simd(j->prepared, 1.0f, j->ne0, j->ne1, begin, end, j->tables + t * table_bytes,
                      j->q + (size_t)t * j->ne0, j->s + t, j->sums + t, 1, j->y + (size_t)t * j->ne1, j->ne1);
  } else {
    i2s_matmul_simd(j->prepared, 1.0f, j->ne0, j->ne1, begin, end, j->tables, j->q, j->s, j->sums, j->n_tokens, j->y,
                    j->ne1);
  }
}

struct BandwidthJob {
  const uint8_t* data;
  size_t bytes;
  int32_t sums[kMaxWorkers];
};

void bandwidth_task(void* ctx, int worker, int n_workers) {
  BandwidthJob* j = (BandwidthJob*)ctx;
  const size_t vectors = j->bytes / 16;
  size_t begin = vectors * worker / n_workers, end = vectors * (worker + 1) / n_workers;
  v128_t a0 = wasm_i32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
  const uint8_t* p = j->data;
  size_t i = begin;
  for (; i + 4 <= end; i += 4) {
    a0 = wasm_i32x4_add(a0, wasm_v128_load(p + i * 16));
    a1 = wasm_i32x4_add(a1, wasm_v128_load(p + i * 16 + 16));
    a2 = wasm_i32x4_add(a2, wasm_v128_load(p + i * 16 + 32));
    a3 = wasm_i32x4_add(a3, wasm_v128_load(p + i * 16 + 48));
  }
  const v128_t a = wasm_i32x4_add(wasm_i32x4_add(a0, a1), wasm_i32x4_add(a2, a3));
  j->sums[worker] = wasm_i32x4_extract_lane(a, 0) ^ wasm_i32x4_extract_lane(a, 3);
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE int trit_init(int threads) { return pool_init(threads); }
EMSCRIPTEN_KEEPALIVE int trit_pool_size() { return pool_size(); }
EMSCRIPTEN_KEEPALIVE void trit_set_threads(int threads) { pool_set_threads(threads); }
EMSCRIPTEN_KEEPALIVE int trit_get_threads() { return pool_threads(); }
EMSCRIPTEN_KEEPALIVE int trit_last_error_code() { return trit_error_code(); }
EMSCRIPTEN_KEEPALIVE const char* trit_last_error_message() { return trit_error_message(); }
EMSCRIPTEN_KEEPALIVE double trit_heap_bytes() { return (double)emscripten_get_heap_size(); }
// Which I2_S SIMD kernel this build has: "table" (SIMD128) or "relaxed-dot" (relaxed SIMD); see i2s.h.
EMSCRIPTEN_KEEPALIVE const char* trit_i2s_kernel() { return kI2sKernelName; }

// Header bytes [0, len) of a file of file_size bytes -> JSON: {"need_bytes":N} when the header continues, else the
// header with a memory plan for n_ctx tokens ("plan") or why the engine cannot run it ("plan_error").
// Returns null on a malformed header (see trit_last_error_*).
EMSCRIPTEN_KEEPALIVE const char* trit_inspect(const uint8_t* bytes, size_t len, double file_size, int n_ctx) {
  trit_clear_error();
  GgufHeader header;
  uint64_t need = 0;
  int rc = gguf_parse(bytes, len, (uint64_t)file_size, &header, &need);
  if (rc < 0) return nullptr;
  g_json.clear();
  if (rc == TRIT_NEED_MORE) {
    g_json = "{\"need_bytes\":" + std::to_string(need) + "}";
    return g_json.c_str();
  }
  g_json.reserve(len + len / 4 + 4096);
  gguf_to_json(header, &g_json);
  g_json.pop_back();  // reopen the object to add the plan
  Model probe;
  if (model_plan(header, n_ctx, pool_size(), &probe) == TRIT_OK) {
    g_json.append(",\"architecture_supported\":true,\"plan\":");
    append_plan_json(probe, &g_json);
  } else {
    g_json.append(",\"architecture_supported\":false,\"plan_error\":");
    append_error_json(&g_json);
  }
  g_json.push_back('}');
  trit_clear_error();
  return g_json.c_str();
}

// ---- loading --------------------------------------------------------------------------------------------------------

EMSCRIPTEN_KEEPALIVE void trit_unload() {
  loader_reset();
  delete g_model;
  g_model = nullptr;
}

EMSCRIPTEN_KEEPALIVE int trit_load_begin(double total_bytes, int n_ctx) {
  trit_clear_error();
  trit_unload();
  if (!(total_bytes >= 8) || total_bytes > 9.0e15)
    return trit_fail(TRIT_ERR_TRUNCATED, "a file of %.0f bytes cannot be a GGUF model", total_bytes);
  g_loader.active = true;
  g_loader.total = (uint64_t)total_bytes;
  g_loader.n_ctx = n_ctx;
  return TRIT_OK;
}

EMSCRIPTEN_KEEPALIVE int trit_load_chunk(const uint8_t* data, size_t len) {
  trit_clear_error();
  if (!g_loader.active) return trit_fail(TRIT_ERR_BAD_STATE, "load_chunk without load_begin");
  if (g_loader.received + len > g_loader.total)
    return loader_abort(trit_fail(TRIT_ERR_BAD_ARGUMENT, "received more bytes than the %llu announced",
                                  (unsigned long long)g_loader.total));
  const uint64_t offset = g_loader.received;
  g_loader.received += len;
  if (g_loader.model) {
    route_bytes(g_loader.model, data, len, offset);
    return TRIT_OK;
  }
  // Still reading the header: keep the bytes until it parses.
  if (g_loader.header_len + len > g_loader.header_capacity) {
    size_t capacity = g_loader.header_capacity ? g_loader.header_capacity * 2 : (1u << 20);
    while (capacity < g_loader.header_len + len) capacity *= 2;
    uint8_t* bigger = (uint8_t*)realloc(g_loader.header, capacity);
    if (!bigger) return loader_abort(trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory reading the model header"));
    g_loader.header = bigger;
    g_loader.header_capacity = capacity;
  }
  memcpy(g_loader.header + g_loader.header_len, data, len);
  g_loader.header_len += len;
  if (g_loader.header_len < g_loader.header_need && g_loader.received < g_loader.total) return TRIT_OK;

  GgufHeader header;
  uint64_t need = 0;
  int rc = gguf_parse(g_loader.header, g_loader.header_len, g_loader.total, &header, &need);
  if (rc == TRIT_NEED_MORE) {
    g_loader.header_need = need;
    return TRIT_OK;
  }
  if (rc < 0) return loader_abort(rc);
  Model* model = new Model();
  g_loader.model = model;
  rc = model_plan(header, g_loader.n_ctx, pool_size(), model);
  if (rc == TRIT_OK) rc = model_allocate(header, model);
  if (rc != TRIT_OK) return loader_abort(rc);
  route_bytes(model, g_loader.header, g_loader.header_len, 0);
  free(g_loader.header);
  g_loader.header = nullptr;
  g_loader.header_len = g_loader.header_capacity = 0;
  return TRIT_OK;
}

// The memory plan as JSON once the header has been read during loading, else null.
EMSCRIPTEN_KEEPALIVE const char* trit_load_plan() {
  if (!g_loader.model) return nullptr;
  g_json.clear();
  append_plan_json(*g_loader.model, &g_json);
  return g_json.c_str();
}

EMSCRIPTEN_KEEPALIVE int trit_load_end() {
  trit_clear_error();
  if (!g_loader.active) return trit_fail(TRIT_ERR_BAD_STATE, "load_end without load_begin");
  if (g_loader.received < g_loader.total || !g_loader.model)
    return loader_abort(trit_fail(TRIT_ERR_TRUNCATED, "the model ended after %llu of %llu bytes",
                                  (unsigned long long)g_loader.received, (unsigned long long)g_loader.total));
  int rc = model_finish_load(g_loader.model);
  if (rc != TRIT_OK) return loader_abort(rc);
  g_model = g_loader.model;
  g_loader.model = nullptr;
  loader_reset();
  return TRIT_OK;
}

EMSCRIPTEN_KEEPALIVE const char* trit_model_info() {
  if (!g_model) return nullptr;
  const HParams& hp = g_model->hp;
  char buf[768];
  snprintf(buf, sizeof buf,
           "{\"architecture\":\"%s\",\"n_vocab\":%d,\"n_ctx\":%d,\"n_ctx_train\":%d,\"n_embd\":%d,\"n_layer\":%d,"
           "\"n_head\":%d,\"n_head_kv\":%d,\"head_dim\":%d,\"n_ff\":%d,\"rope_freq_base\":%.9g,\"rms_eps\":%.9g,"
           "\"max_batch\":%d,\"plan\":",
           hp.architecture.c_str(), hp.n_vocab, g_model->n_ctx, hp.n_ctx_train, hp.n_embd, hp.n_layer, hp.n_head,
           hp.n_head_kv, hp.head_dim, hp.n_ff, hp.rope_freq_base, hp.rms_eps, kMaxBatch);
  g_json = buf;
  append_plan_json(*g_model, &g_json);
  g_json.push_back('}');
  return g_json.c_str();
}

// ---- inference ------------------------------------------------------------------------------------------------------

EMSCRIPTEN_KEEPALIVE int trit_eval(const int32_t* tokens, int n_tokens, int all_logits) {
  trit_clear_error();
  if (!g_model) return trit_fail(TRIT_ERR_NO_MODEL, "no model is loaded");
  return model_eval(g_model, tokens, n_tokens, all_logits != 0);
}

EMSCRIPTEN_KEEPALIVE const float* trit_logits() { return g_model ? g_model->logits : nullptr; }
EMSCRIPTEN_KEEPALIVE int trit_logits_rows() { return g_model ? g_model->logits_rows : 0; }
EMSCRIPTEN_KEEPALIVE int trit_n_past() { return g_model ? g_model->n_past : 0; }

// Forgets every cached position from n on (keeps the first n tokens' keys and values).
EMSCRIPTEN_KEEPALIVE int trit_truncate(int n) {
  trit_clear_error();
  if (!g_model) return trit_fail(TRIT_ERR_NO_MODEL, "no model is loaded");
  if (n < 0 || n > g_model->n_past)
    return trit_fail(TRIT_ERR_BAD_ARGUMENT, "cannot truncate to %d tokens: %d are cached", n, g_model->n_past);
  g_model->n_past = n;
  return TRIT_OK;
}

EMSCRIPTEN_KEEPALIVE int trit_clear() { return trit_truncate(0); }

// ---- self-test: SIMD vs scalar I2_S dot products over a large buffer, run in pieces -----------------------------------

// Returns the number of pieces to run with trit_selftest_step, or a negative error.
EMSCRIPTEN_KEEPALIVE int trit_selftest_begin(double bytes, uint32_t seed) {
  trit_clear_error();
  selftest_free();
  const int row_bytes = kSelfTestRowElems / 4;
  if (!(bytes >= row_bytes * kSelfTestPieces) || bytes > 1.5e9)
    return trit_fail(TRIT_ERR_BAD_ARGUMENT, "self-test size %.0f bytes is out of range", bytes);
  SelfTest& st = g_selftest;
  st.rows = (int)(bytes / row_bytes) / kI2sTileRows * kI2sTileRows;
  st.weights = (uint8_t*)aligned_alloc(16, (size_t)st.rows * row_bytes);
  st.activations = (int8_t*)aligned_alloc(16, kSelfTestRowElems);
  st.prepared = (uint8_t*)aligned_alloc(16, (size_t)st.rows * row_bytes);
  st.table = (uint8_t*)aligned_alloc(16, i2s_activation_table_bytes(kSelfTestRowElems) + 16);
  st.simd_acc = (int32_t*)malloc((size_t)st.rows * 4);
  st.scalar_acc = (int32_t*)malloc((size_t)st.rows * 4);
  if (!st.weights || !st.activations || !st.prepared || !st.table || !st.simd_acc || !st.scalar_acc) {
    selftest_free();
    return trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory for the %.0f-byte self-test", bytes);
  }
  // xorshift32 random codes (including the unused code 3, the kernels must agree on it too) and activations,
  // with the extreme activations -128 and 127 among them.
  uint32_t x = seed ? seed : 0x9e3779b9u;
  uint32_t* words = (uint32_t*)st.weights;
  for (size_t i = 0; i < (size_t)st.rows * row_bytes / 4; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    words[i] = x;
  }
  for (int i = 0; i < kSelfTestRowElems; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    st.activations[i] = (int8_t)(x >> 24);
  }
  st.activations[0] = -128;
  st.activations[1] = 127;
  memcpy(st.prepared, st.weights, (size_t)st.rows * row_bytes);
  uint8_t* scratch = (uint8_t*)malloc(i2s_prepare_scratch_bytes(kSelfTestRowElems) + 16);
  if (!scratch) {
    selftest_free();
    return trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory for the %.0f-byte self-test", bytes);
  }
  i2s_prepare_rows(st.prepared, kSelfTestRowElems, 0, st.rows / kI2sTileRows, scratch);
  free(scratch);
  i2s_build_activation_table(st.activations, kSelfTestRowElems, st.table);
  for (int i = 0; i < kSelfTestRowElems; i++) st.activation_sum += st.activations[i];
  return kSelfTestPieces;
}

// Runs piece `piece` (0-based) on `threads` threads; returns 1 if SIMD and scalar agreed on it so far, 0 if not.
EMSCRIPTEN_KEEPALIVE int trit_selftest_step(int piece, int threads) {
  trit_clear_error();
  SelfTest& st = g_selftest;
  if (!st.weights) return trit_fail(TRIT_ERR_BAD_STATE, "self-test step without begin");
  if (piece < 0 || piece >= kSelfTestPieces) return trit_fail(TRIT_ERR_BAD_ARGUMENT, "no self-test piece %d", piece);
  if (threads < 1) threads = 1;
  if (threads > pool_size()) threads = pool_size();
  int tile_begin, tile_end;
  split_range(st.rows / kI2sTileRows, piece, kSelfTestPieces, &tile_begin, &tile_end);
  st.row_begin = tile_begin * kI2sTileRows;
  st.row_end = tile_end * kI2sTileRows;
  memset(st.job_did_work, 0, sizeof st.job_did_work);
  double t0 = trit_now_ms();
  pool_run(selftest_simd_task, nullptr, threads);
  double t1 = trit_now_ms();
  pool_run(selftest_scalar_task, nullptr, threads);
  st.simd_ms += t1 - t0;
  st.scalar_ms += trit_now_ms() - t1;
  for (int w = 0; w < threads; w++) {
    if (!st.job_did_work[w]) continue;
    bool known = false;
    for (int i = 0; i < st.n_seen; i++) known |= pthread_equal(st.seen_threads[i], st.job_threads[w]) != 0;
    if (!known && st.n_seen < kMaxWorkers) st.seen_threads[st.n_seen++] = st.job_threads[w];
  }
  for (int r = st.row_begin; r < st.row_end; r++)
    if (st.simd_acc[r] != st.scalar_acc[r]) st.ok = false;
  return st.ok ? 1 : 0;
}

// {"ok", "threads_used" (distinct threads that did SIMD work), "simd_ms", "scalar_ms", "bytes"}; frees the buffers.
EMSCRIPTEN_KEEPALIVE const char* trit_selftest_end() {
  SelfTest& st = g_selftest;
  char buf[256];
  snprintf(buf, sizeof buf, "{\"ok\":%s,\"threads_used\":%d,\"simd_ms\":%.3f,\"scalar_ms\":%.3f,\"bytes\":%llu}",
           st.ok && st.weights ? "true" : "false", st.n_seen, st.simd_ms, st.scalar_ms,
           (unsigned long long)st.rows * (kSelfTestRowElems / 4));
  g_json = buf;
  selftest_free();
  return g_json.c_str();
}

// ---- kernels exposed for tests --------------------------------------------------------------------------------------

// Attention of `group` query heads (q: group rows of head_dim) over n_keys cached rows (k, v: f16, n_keys rows of
// head_dim), in chunks of `chunk` positions (1..kAttentionChunk), merged as the forward pass merges them.
EMSCRIPTEN_KEEPALIVE int trit_kernel_attention(const float* q, int group, int head_dim, const uint16_t* k,
                                               const uint16_t* v, int n_keys, int chunk, float* out) {
  trit_clear_error();
  if (group < 1 || head_dim < 1 || n_keys < 1 || chunk < 1 || chunk > kAttentionChunk)
    return trit_fail(TRIT_ERR_BAD_ARGUMENT, "bad kernel arguments");
  const int n_chunks = (n_keys + chunk - 1) / chunk;
  const size_t per_chunk = (size_t)group * attention_partial_floats(head_dim);
  float* work = (float*)malloc(attention_work_floats(group, head_dim) * 4);
  float* partials = (float*)malloc(n_chunks * per_chunk * 4);
  if (work && partials) attend_positions(q, group, head_dim, k, v, head_dim, n_keys, chunk, partials, work, out);
  const bool ok = work && partials;
  free(work);
  free(partials);
  return ok ? TRIT_OK : trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory");
}

EMSCRIPTEN_KEEPALIVE void trit_round_f16(const float* x, int n, uint16_t* out) {
  for (int i = 0; i < n; i++) out[i] = f32_to_f16(x[i]);
}

EMSCRIPTEN_KEEPALIVE float trit_quantize_row(const float* x, int n, int8_t* q, int32_t* sum) {
  return i2s_quantize_row(x, n, q, sum);
}

// kernel 0: scalar reference, 1: this build's SIMD kernel one token at a time (generation), 2: the same for all tokens
// at once (prompts). w is in the file's layout; the SIMD kernels get a prepared copy. Weight scale 1.
// y: n_tokens rows of ne1 outputs.
EMSCRIPTEN_KEEPALIVE int trit_kernel_i2s(int kernel, const uint8_t* w, int ne0, int ne1, const int8_t* q,
                                         const float* act_scale, const int32_t* act_sum, int n_tokens, float* y,
                                         int threads) {
  trit_clear_error();
  if (ne0 <= 0 || ne0 % kI2sBlockElems || ne1 <= 0 || n_tokens <= 0 || kernel < 0 || kernel > 2)
    return trit_fail(TRIT_ERR_BAD_ARGUMENT, "bad kernel arguments");
  KernelJob job{kernel, w, ne0, ne1, q, act_scale, act_sum, n_tokens, y, nullptr, nullptr};
  uint8_t *prepared = nullptr, *tables = nullptr, *scratch = nullptr;
  if (kernel != 0) {
    const size_t w_bytes = (size_t)ne0 * ne1 / 4, table_bytes = i2s_activation_table_bytes(ne0);
    prepared = (uint8_t*)aligned_alloc(16, (w_bytes + 15) / 16 * 16);
    tables = (uint8_t*)aligned_alloc(16, table_bytes * n_tokens + 16);
    scratch = (uint8_t*)malloc(i2s_prepare_scratch_bytes(ne0) + 16);
    if (!prepared || !tables || !scratch) {
      free(prepared);
      free(tables);
      free(scratch);
      return trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory");
    }
    memcpy(prepared, w, w_bytes);
    i2s_prepare_rows(prepared, ne0, 0, ne1 / kI2sTileRows, scratch);
    for (int t = 0; t < n_tokens; t++) i2s_build_activation_table(q + (size_t)t * ne0, ne0, tables + t * table_bytes);
    job.prepared = prepared;
    job.tables = tables;
  }
  pool_run(kernel_task, &job, threads);
  free(prepared);
  free(tables);
  free(scratch);
  return TRIT_OK;
}

// Q8 rows from F16 (as the embedding is loaded), then y = W x through the i16 input: kernel 0 scalar, 1 SIMD.
EMSCRIPTEN_KEEPALIVE int trit_kernel_q8(int kernel, const uint16_t* w, int ne0, int ne1, const float* x, float* y) {
  trit_clear_error();
  if (ne0 <= 0 || ne0 % kQ8BlockElems || ne1 <= 0) return trit_fail(TRIT_ERR_BAD_ARGUMENT, "bad kernel arguments");
  Q8Matrix m;
  m.ne0 = ne0;
  m.ne1 = ne1;
  m.q = (int8_t*)malloc((size_t)ne0 * ne1);
  m.scales = (float*)malloc((size_t)ne1 * (ne0 / kQ8BlockElems) * 4);
  int16_t* xq = (int16_t*)aligned_alloc(16, (size_t)ne0 * 2);
  if (m.q && m.scales && xq) {
    for (int r = 0; r < ne1; r++) q8_quantize_f16_row(w + (size_t)r * ne0, ne0, m.q + (size_t)r * ne0, m.scales + (size_t)r * (ne0 / kQ8BlockElems), nullptr);
    const float x_scale = q8_quantize_input(x, ne0, xq);
    if (kernel == 1) q8_matvec_simd(m, 0, ne1, xq, x_scale, y);
    else q8_matvec_scalar(m, 0, ne1, xq, x_scale, y);
  }
  const bool ok = m.q && m.scales && xq;
  free(m.q);
  free(m.scales);
  free(xq);
  return ok ? TRIT_OK : trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory");
}

// ---- benchmark support ----------------------------------------------------------------------------------------------

// Streaming-read bandwidth in GB/s over a `bytes` buffer, best of `repeats`, on `threads` threads.
EMSCRIPTEN_KEEPALIVE double trit_bandwidth(double bytes, int repeats, int threads) {
  trit_clear_error();
  const size_t n = (size_t)bytes / 64 * 64;
  uint8_t* data = n ? (uint8_t*)aligned_alloc(16, n) : nullptr;
  if (!data) return trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory for the bandwidth buffer");
  memset(data, 1, n);
  BandwidthJob job{data, n, {}};
  double best = 1e30;
  for (int r = 0; r < (repeats < 1 ? 1 : repeats); r++) {
    double t0 = trit_now_ms();
    pool_run(bandwidth_task, &job, threads);
    double ms = trit_now_ms() - t0;
    if (ms < best) best = ms;
  }
  free(data);
  volatile int32_t sink = job.sums[0];
  (void)sink;
  return (double)n / (best * 1e6);
}

}  // extern "C"
