// The engine self-test: this build's SIMD I2_S kernel against the scalar reference over a large random buffer, run
// in pieces on the thread pool (the app's "check this device"), reporting which threads really did work.
#include "common.h"
#include "i2s.h"
#include "json.h"
#include "threadpool.h"
#include <cstdlib>
#include <cstring>
#include <emscripten.h>
#include <pthread.h>
#include <string>

namespace {

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

}  // namespace

extern "C" {

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

// The SelfTestReport (results.h; threads_used: distinct threads that did SIMD work) as JSON; frees the buffers.
EMSCRIPTEN_KEEPALIVE const char* trit_selftest_end() {
  SelfTest& st = g_selftest;
  SelfTestReport r;
  r.ok = st.ok && st.weights;
  r.threads_used = st.n_seen;
  r.simd_ms = st.simd_ms;
  r.scalar_ms = st.scalar_ms;
  r.bytes = (uint64_t)st.rows * (kSelfTestRowElems / 4);
  static std::string json;
  json.clear();
  json_write(&json, r);
  selftest_free();
  return json.c_str();
}

}  // extern "C"
