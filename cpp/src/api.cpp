// The engine's exported C interface for src/lib/engine/wasm-engine.ts: thin wrappers over the loader, the model and
// the header reader. Functions return 0 on success or a negative TritStatus (status.h); trit_last_error_code/message
// describe the failure and trit_status_name names a code. JSON results (shapes in results.h) stay valid until the
// next call that returns the same kind. The self-test (selftest.cpp), the bandwidth probe (bandwidth.cpp) and, in
// the Node builds, the test kernels (test_hooks.cpp) export their own functions.
#include "common.h"
#include "gguf.h"
#include "i2s.h"
#include "json.h"
#include "loader.h"
#include "model.h"
#include "threadpool.h"
#include <cstring>
#include <malloc.h>
#include <emscripten.h>
#include <emscripten/heap.h>
#include <string>

namespace {

Model* g_model = nullptr;
std::string g_inspect_json;
std::string g_model_info_json;  // written once per load

// inspect's whole text may not pass this: metadata for the app is a few MiB (the tokenizer's tables).
constexpr size_t kInspectJsonBudget = 64u << 20;

MemoryPlanResult plan_result(const Model& m) {
  MemoryPlanResult r;
  r.weights = m.plan.weights;
  r.kv_cache = m.plan.kv_cache;
  r.scratch = m.plan.scratch;
  r.total = m.plan.total();
  r.n_ctx = m.n_ctx;
  r.input_rows_from_file = (m.load_flags & kLoadInputRowsFromFile) != 0;
  r.kv_int8 = (m.load_flags & kLoadKvInt8) != 0;
  r.head_bits = head_bits(m.load_flags);
  r.weight_bytes_per_token = m.plan.weight_bytes_per_token;
  r.parameters = m.plan.parameters;
  return r;
}

ModelInfoResult model_info(const Model& m) {
  const HParams& hp = m.hp;
  ModelInfoResult r;
  r.architecture = hp.architecture;
  r.n_vocab = hp.n_vocab;
  r.n_ctx = m.n_ctx;
  r.n_ctx_train = hp.n_ctx_train;
  r.n_embd = hp.n_embd;
  r.n_layer = hp.n_layer;
  r.n_head = hp.n_head;
  r.n_head_kv = hp.n_head_kv;
  r.head_dim = hp.head_dim;
  r.n_ff = hp.n_ff;
  r.rope_freq_base = hp.rope_freq_base;
  r.rms_eps = hp.rms_eps;
  r.max_batch = kMaxBatch;
  r.parameters = m.plan.parameters;
  r.plan = plan_result(m);
  return r;
}

ErrorReport last_error() {
  ErrorReport r;
  r.status = trit_status_name_of(trit_error_code());
  r.message = trit_error_message();
  return r;
}

}  // namespace

extern "C" {

// Starts the pool and picks the I2_S kernel form this device runs fastest (a few ms; i2s_choice.cpp).
EMSCRIPTEN_KEEPALIVE int trit_init(int threads) {
  const int status = pool_init(threads);
  if (status >= 0) i2s_choose_kernel();
  return status;
}
EMSCRIPTEN_KEEPALIVE int trit_pool_size() { return pool_size(); }
EMSCRIPTEN_KEEPALIVE void trit_set_threads(int threads) { pool_set_threads(threads); }
EMSCRIPTEN_KEEPALIVE int trit_get_threads() { return pool_threads(); }
EMSCRIPTEN_KEEPALIVE int trit_last_error_code() { return trit_error_code(); }
EMSCRIPTEN_KEEPALIVE const char* trit_last_error_message() { return trit_error_message(); }
// "truncated", "out_of_memory", ... for a status code (as ggml_status_to_string); "internal" for an unknown one.
EMSCRIPTEN_KEEPALIVE const char* trit_status_name(int code) { return trit_status_name_of(code); }
EMSCRIPTEN_KEEPALIVE double trit_heap_bytes() { return (double)emscripten_get_heap_size(); }
// Bytes malloc has handed out and not yet freed (dlmalloc's count): what the memory plan is checked against. The
// field is an int; past 2 GiB it wraps, so it is read as the unsigned number it is (the heap stays below 4 GiB).
EMSCRIPTEN_KEEPALIVE double trit_heap_used() { return (double)(uint32_t)mallinfo().uordblks; }
// The I2_S SIMD kernel running: "table" (SIMD128), "relaxed-dot" or "relaxed-dot-add" (relaxed SIMD); see i2s.h.
EMSCRIPTEN_KEEPALIVE const char* trit_i2s_kernel() { return i2s_kernel_name(); }
// Runs form 0 or 1 of the kernel from now on (tests and the benchmark compare them): TRIT_ERR_BAD_ARGUMENT when the
// build lacks it or this runtime computed it wrongly at the last timing.
EMSCRIPTEN_KEEPALIVE int trit_i2s_use_form(int form) {
  trit_clear_error();
  if (form < 0 || form >= i2s_kernel_forms())
    return trit_fail(TRIT_ERR_BAD_ARGUMENT, "this build has no I2_S kernel form %d", form);
  if (!i2s_kernel_form_exact(form))
    return trit_fail(TRIT_ERR_BAD_ARGUMENT, "this runtime computes I2_S kernel form %d wrongly", form);
  i2s_use_kernel_form(form);
  return TRIT_OK;
}
// Times the forms again and keeps the fastest exact one; its name. trit_i2s_form_gmacs / _exact: what that timing
// found for a form.
EMSCRIPTEN_KEEPALIVE const char* trit_i2s_choose() { return i2s_choose_kernel(); }
EMSCRIPTEN_KEEPALIVE double trit_i2s_form_gmacs(int form) { return i2s_kernel_form_gmacs(form); }
EMSCRIPTEN_KEEPALIVE int trit_i2s_form_exact(int form) { return i2s_kernel_form_exact(form) ? 1 : 0; }

namespace {
// Parses header bytes for trit_inspect / trit_plan: TRIT_OK with the header, TRIT_NEED_MORE with json set to
// {"need_bytes":N}, or a failure (trit_last_error_* tell it).
int parse_for_inspection(const uint8_t* bytes, size_t len, double file_size, GgufHeader* header, std::string* json) {
  json->clear();
  json->shrink_to_fit();  // the last inspection's text may have been large
  uint64_t need = 0;
  int rc = gguf_parse(bytes, len, (uint64_t)file_size, header, &need);
  if (rc == TRIT_NEED_MORE) *json = "{\"need_bytes\":" + std::to_string(need) + "}";
  return rc;
}

// Appends "architecture_supported":…,"plan":… (or "plan_error":…, why the engine cannot run it) and the closing brace.
void append_plan(const GgufHeader& header, int n_ctx, int load_flags, std::string* json) {
  Model probe;
  if (model_plan(header, n_ctx, pool_size(), load_flags, &probe) == TRIT_OK) {
    json->append("\"architecture_supported\":true,\"plan\":");
    json_write(json, plan_result(probe));
  } else {
    json->append("\"architecture_supported\":false,\"plan_error\":");
    json_write(json, last_error());
  }
  json->push_back('}');
  trit_clear_error();
}
}  // namespace

// Header bytes [0, len) of a file of file_size bytes -> JSON: {"need_bytes":N} when the header continues, else the
// header (gguf_to_json) with a memory plan for n_ctx tokens loaded with load_flags (kLoad* bits, model.h) ("plan")
// or why the engine cannot run it ("plan_error"). Returns null on a malformed header (see trit_last_error_*).
EMSCRIPTEN_KEEPALIVE const char* trit_inspect(const uint8_t* bytes, size_t len, double file_size, int n_ctx,
                                             int load_flags) {
  trit_clear_error();
  std::string& json = g_inspect_json;
  GgufHeader header;
  const int rc = parse_for_inspection(bytes, len, file_size, &header, &json);
  if (rc < 0) return nullptr;
  if (rc == TRIT_NEED_MORE) return json.c_str();
  if (gguf_to_json(header, &json, kInspectJsonBudget) != TRIT_OK) {
    json.clear();
    json.shrink_to_fit();
    return nullptr;
  }
  json.push_back(',');
  append_plan(header, n_ctx, load_flags, &json);
  return json.c_str();
}

// trit_inspect's plan alone ({"architecture_supported":…,"plan":…} or "plan_error"), without the header's metadata,
// which for a 128k-token vocabulary is most of trit_inspect's time: what a load asks again for other contexts and
// options once it has the header.
EMSCRIPTEN_KEEPALIVE const char* trit_plan(const uint8_t* bytes, size_t len, double file_size, int n_ctx, int load_flags) {
  trit_clear_error();
  std::string& json = g_inspect_json;
  GgufHeader header;
  const int rc = parse_for_inspection(bytes, len, file_size, &header, &json);
  if (rc < 0) return nullptr;
  if (rc == TRIT_NEED_MORE) return json.c_str();
  json = "{";
  append_plan(header, n_ctx, load_flags, &json);
  return json.c_str();
}

EMSCRIPTEN_KEEPALIVE void trit_unload() {
  loader_reset();
  delete g_model;
  g_model = nullptr;
  g_model_info_json.clear();
}

EMSCRIPTEN_KEEPALIVE int trit_load_begin(double total_bytes, int n_ctx, int load_flags) {
  trit_clear_error();
  trit_unload();
  return loader_begin(total_bytes, n_ctx, load_flags);
}

EMSCRIPTEN_KEEPALIVE int trit_load_chunk(const uint8_t* data, size_t len) {
  trit_clear_error();
  return loader_chunk(data, len);
}

EMSCRIPTEN_KEEPALIVE int trit_load_end() {
  trit_clear_error();
  int rc = loader_end(&g_model);
  if (rc == TRIT_OK) json_write(&g_model_info_json, model_info(*g_model));
  return rc;
}

// The loaded model's ModelInfoResult (results.h) as JSON, or null.
EMSCRIPTEN_KEEPALIVE const char* trit_model_info() { return g_model ? g_model_info_json.c_str() : nullptr; }

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

}  // extern "C"
