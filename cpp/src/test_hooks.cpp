// Kernels exposed one by one for the unit tests (test/engine/kernels.test.ts): I2_S, Q8 and attention against their
// scalar references, activation quantization and f16 rounding. Linked into the Node builds only (the ones the tests
// run; scripts/build-wasm.sh); the browser builds ship without them.
#include "common.h"
#include "attention.h"
#include "gguf.h"
#include "half.h"
#include "i2s.h"
#include "ops.h"
#include "q8.h"
#include "q4.h"
#include "q6.h"
#include "threadpool.h"
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <emscripten.h>

namespace {

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

int run_attention(const float* q, int group, int head_dim, const KvColumn& keys, const KvColumn& values, int n_keys,
                  int chunk, float* out) {
  trit_clear_error();
  if (group < 1 || head_dim < 1 || n_keys < 1 || chunk < 1 || chunk > kAttentionChunk)
    return trit_fail(TRIT_ERR_BAD_ARGUMENT, "bad kernel arguments");
  const int n_chunks = (n_keys + chunk - 1) / chunk;
  const size_t per_chunk = (size_t)group * attention_partial_floats(head_dim);
  float* work = (float*)malloc(attention_work_floats(group, head_dim) * 4);
  float* partials = (float*)malloc(n_chunks * per_chunk * 4);
  if (work && partials) attend_positions(q, group, head_dim, keys, values, n_keys, chunk, partials, work, out);
  const bool ok = work && partials;
  free(work);
  free(partials);
  return ok ? TRIT_OK : trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory");
}

}  // namespace

extern "C" {

// Attention of `group` query heads (q: group rows of head_dim) over n_keys cached rows (k, v: f16, n_keys rows of
// head_dim), in chunks of `chunk` positions (1..kAttentionChunk), merged as the forward pass merges them.
EMSCRIPTEN_KEEPALIVE int trit_kernel_attention(const float* q, int group, int head_dim, const uint16_t* k,
                                               const uint16_t* v, int n_keys, int chunk, float* out) {
  KvColumn keys, values;
  keys.f16 = k;
  values.f16 = v;
  keys.stride = values.stride = head_dim;
  return run_attention(q, group, head_dim, keys, values, n_keys, chunk, out);
}

// The same over int8 rows (k, v: n_keys rows of head_dim codes; k_scales, v_scales: one per row), as the int8 KV
// cache holds them.
EMSCRIPTEN_KEEPALIVE int trit_kernel_attention_q8(const float* q, int group, int head_dim, const int8_t* k,
                                                  const float* k_scales, const int8_t* v, const float* v_scales,
                                                  int n_keys, int chunk, float* out) {
  KvColumn keys, values;
  keys.q8 = k;
  keys.scales = k_scales;
  values.q8 = v;
  values.scales = v_scales;
  keys.stride = values.stride = head_dim;
  keys.scale_stride = values.scale_stride = 1;
  return run_attention(q, group, head_dim, keys, values, n_keys, chunk, out);
}

// One KV head's row as the int8 cache stores it; returns the scale.
EMSCRIPTEN_KEEPALIVE float trit_kv_quantize_row(const float* x, int n, int8_t* q) {
  float scale = 0;
  kv_quantize_row(x, n, q, &scale);
  return scale;
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

// An int8 matrix of ne1 rows of ne0 and an i16 input vector, as the Q8 hooks below use them; freed with the object.
struct Q8HookBuffers {
  Q8Matrix m;
  int16_t* xq;
  Q8HookBuffers(int ne0, int ne1) {
    m.ne0 = ne0;
    m.ne1 = ne1;
    m.q = (int8_t*)malloc((size_t)ne0 * ne1);
    m.scales = (float*)malloc((size_t)ne1 * (ne0 / kQ8BlockElems) * 4);
    xq = (int16_t*)aligned_alloc(16, (size_t)ne0 * 2);
  }
  ~Q8HookBuffers() {
    free(m.q);
    free(m.scales);
    free(xq);
  }
  bool ok() const { return m.q && m.scales && xq; }
};

// Q8 rows from F16 (as the embedding is loaded), then y = W x through the i16 input: kernel 0 scalar, 1 SIMD.
EMSCRIPTEN_KEEPALIVE int trit_kernel_q8(int kernel, const uint16_t* w, int ne0, int ne1, const float* x, float* y) {
  trit_clear_error();
  if (ne0 <= 0 || ne0 % kQ8BlockElems || ne1 <= 0) return trit_fail(TRIT_ERR_BAD_ARGUMENT, "bad kernel arguments");
  Q8HookBuffers b(ne0, ne1);
  if (!b.ok()) return trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory");
  Q8Matrix& m = b.m;
  for (int r = 0; r < ne1; r++) q8_quantize_f16_row(w + (size_t)r * ne0, ne0, m.q + (size_t)r * ne0, m.scales + (size_t)r * (ne0 / kQ8BlockElems), nullptr);
  const float x_scale = q8_quantize_input(x, ne0, b.xq);
  if (kernel == 1) q8_matvec_simd(m, 0, ne1, b.xq, x_scale, y);
  else q8_matvec_scalar(m, 0, ne1, b.xq, x_scale, y);
  return TRIT_OK;
}

// A Q8_0 matrix (ne1 rows of ne0 / 32 blocks of 34 bytes) converted as the loader converts output.weight, fed in
// pieces of `piece` bytes as a file streams in, then its SIMD product with x.
EMSCRIPTEN_KEEPALIVE int trit_kernel_q8_0(const uint8_t* w, int ne0, int ne1, int piece, const float* x, float* y) {
  trit_clear_error();
  if (ne0 <= 0 || ne0 % kQ8BlockElems || ne1 <= 0 || piece <= 0) return trit_fail(TRIT_ERR_BAD_ARGUMENT, "bad kernel arguments");
  Q8HookBuffers b(ne0, ne1);
  Q8RowStream stream;
  stream.target = &b.m;
  stream.source_type = GGML_Q8_0;
  stream.staging = (uint16_t*)aligned_alloc(16, (size_t)ne0 * 2);
  const bool ok = b.ok() && stream.staging;
  if (ok) {
    const size_t total = q8_source_row_bytes(GGML_Q8_0, ne0) * ne1;
    for (size_t at = 0; at < total; at += piece) q8_stream_write(&stream, w + at, std::min(total - at, (size_t)piece));
    q8_matvec_simd(b.m, 0, ne1, b.xq, q8_quantize_input(x, ne0, b.xq), y);
  }
  free(stream.staging);
  return ok ? TRIT_OK : trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory");
}

// A 4- or 6-bit matrix (q4.h, q6.h; bits 4 or 6) converted from F16 (source_type 1) or Q8_0 (8) rows as the loader
// converts the lm_head, fed in pieces of `piece` bytes; then y = W x through the i16 input (kernel 0 scalar, 1 SIMD)
// and, if dequantized is not null, the low-bit weights as floats ([ne1][ne0]).
EMSCRIPTEN_KEEPALIVE int trit_kernel_low_bit(int bits, int kernel, int source_type, const uint8_t* w, int ne0, int ne1,
                                             int piece, const float* x, float* y, float* dequantized) {
  trit_clear_error();
  const int block = bits == 4 ? kQ4BlockElems : kQ6BlockElems;
  if ((bits != 4 && bits != 6) || ne0 <= 0 || ne0 % block || ne1 <= 0 || piece <= 0 ||
      (source_type != 1 && source_type != 8))
    return trit_fail(TRIT_ERR_BAD_ARGUMENT, "bad kernel arguments");
  Q8Matrix m;
  m.ne0 = ne0;
  m.ne1 = ne1;
  uint8_t* packed = (uint8_t*)malloc(bits == 4 ? (size_t)ne0 * ne1 / 2 : (size_t)(ne1 * q6_row_bytes(ne0)));
  (bits == 4 ? m.q4 : m.q6) = packed;
  m.scales = (float*)malloc((size_t)ne1 * (ne0 / block) * 4);
  int16_t* xq = (int16_t*)aligned_alloc(16, (size_t)ne0 * 2);
  Q8RowStream stream;
  stream.target = &m;
  stream.source_type = (uint32_t)source_type;
  stream.staging = (uint16_t*)aligned_alloc(16, (size_t)ne0 * 2);
  const bool ok = packed && m.scales && xq && stream.staging;
  if (ok) {
    const size_t total = q8_source_row_bytes((uint32_t)source_type, ne0) * ne1;
    for (size_t at = 0; at < total; at += piece) q8_stream_write(&stream, w + at, std::min(total - at, (size_t)piece));
    const float x_scale = q8_quantize_input(x, ne0, xq);
    if (kernel == 1) q8_matvec_simd(m, 0, ne1, xq, x_scale, y);
    else q8_matvec_scalar(m, 0, ne1, xq, x_scale, y);
    if (dequantized)
      for (int r = 0; r < ne1; r++) q8_dequantize_row(m, r, dequantized + (size_t)r * ne0);
  }
  free(packed);
  free(m.scales);
  free(xq);
  free(stream.staging);
  return ok ? TRIT_OK : trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory");
}

}  // extern "C"
