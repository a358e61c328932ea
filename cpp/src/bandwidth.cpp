// The benchmark's roofline probe: plain streaming-read bandwidth of this runtime over a large buffer, on the pool.
#include "common.h"
#include "threadpool.h"
#include <cstdlib>
#include <cstring>
#include <emscripten.h>
#include <wasm_simd128.h>

namespace {

constexpr int kMaxWorkers = 64;

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
