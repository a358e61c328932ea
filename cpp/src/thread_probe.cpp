// What the page's thread probe times (src/lib/engine/thread-probe.ts): generation's work in small. One-token
// products over ternary matrices larger than the caches, each matrix one pool run split in chunks of 8 tiles taken
// from a shared counter, as matmul() does for one token. The self-test was timed before: its 1 MiB pieces were
// mostly thread wake-ups, and on a 2-core machine it picked one thread in most first visits while two generate 1.4x
// as fast.
#include "common.h"
#include "i2s.h"
#include "ops.h"
#include "threadpool.h"
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <emscripten.h>

namespace {

constexpr int kRowElems = 2560;                                      // 2B-4T's width: 640 bytes per row
constexpr int kMatrixRows = 6912;                                    // its feed-forward's rows: 4.2 MiB per matrix
constexpr size_t kMatrixBytes = (size_t)kMatrixRows * kRowElems / 4;

struct ThreadProbe {
  uint8_t* weights = nullptr;  // `matrices` matrices back to back
  int8_t* q = nullptr;
  uint8_t* table = nullptr;
  float* y = nullptr;
  int matrices = 0;
};
ThreadProbe g_probe;

struct ProbeJob {
  const uint8_t* w;
  std::atomic<int> next_chunk{0};
};

void probe_task(void* ctx, int, int) {
  ProbeJob* job = (ProbeJob*)ctx;
  const ThreadProbe& p = g_probe;
  const int tiles = i2s_tile_count(kMatrixRows);
  const float scale = 1.0f;
  const int32_t q_sum = 0;
  for (;;) {
    const int begin = job->next_chunk.fetch_add(1, std::memory_order_relaxed) * kMatmulChunkTilesToken;
    if (begin >= tiles) return;
    const int end = std::min(begin + kMatmulChunkTilesToken, tiles);
    i2s_matmul_simd(job->w, 1.0f, kRowElems, kMatrixRows, begin, end, p.table, p.q, &scale, &q_sum, 1, p.y, kMatrixRows);
  }
}

}  // namespace

extern "C" {

// Frees what trit_thread_probe_begin took.
EMSCRIPTEN_KEEPALIVE void trit_thread_probe_end() {
  free(g_probe.weights);
  free(g_probe.q);
  free(g_probe.table);
  free(g_probe.y);
  g_probe = ThreadProbe{};
}

// Takes about `bytes` of matrices (at least one) for trit_thread_probe_run; returns how many, or a negative error.
EMSCRIPTEN_KEEPALIVE int trit_thread_probe_begin(double bytes) {
  trit_clear_error();
  trit_thread_probe_end();
  if (!(bytes >= 0) || bytes > 256.0 * (1 << 20)) return trit_fail(TRIT_ERR_BAD_ARGUMENT, "thread probe size %.0f bytes is out of range", bytes);
  ThreadProbe& p = g_probe;
  p.matrices = std::max(1, (int)(bytes / kMatrixBytes));
  p.weights = (uint8_t*)aligned_alloc(16, p.matrices * kMatrixBytes);
  p.q = (int8_t*)aligned_alloc(16, kRowElems);
  p.table = (uint8_t*)aligned_alloc(16, i2s_activation_table_bytes(kRowElems) + 16);
  p.y = (float*)aligned_alloc(16, kMatrixRows * sizeof(float));
  if (!p.weights || !p.q || !p.table || !p.y) {
    trit_thread_probe_end();
    return trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory for the %.0f-byte thread probe", bytes);
  }
  // The kernel's speed does not depend on the values: any codes (in the kernel's layout or not) and activations do.
  memset(p.weights, 0x99, p.matrices * kMatrixBytes);
  for (int i = 0; i < kRowElems; i++) p.q[i] = (int8_t)(i * 37 - 64);
  i2s_build_activation_table(p.q, kRowElems, p.table);
  return p.matrices;
}

// Milliseconds for `passes` passes over every matrix on `threads` threads (one pool run per matrix, as generation).
EMSCRIPTEN_KEEPALIVE double trit_thread_probe_run(int threads, int passes) {
  trit_clear_error();
  const ThreadProbe& p = g_probe;
  if (!p.weights) return trit_fail(TRIT_ERR_BAD_STATE, "thread probe run without begin");
  const double t0 = trit_now_ms();
  for (int pass = 0; pass < std::max(1, passes); pass++) {
    for (int m = 0; m < p.matrices; m++) {
      ProbeJob job;
      job.w = p.weights + m * kMatrixBytes;
      pool_run(probe_task, &job, threads);
    }
  }
  return trit_now_ms() - t0;
}

}  // extern "C"
