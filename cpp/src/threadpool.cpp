#include "threadpool.h"
#include <atomic>
#include <cmath>

#ifdef __EMSCRIPTEN_PTHREADS__
#include <emscripten/threading.h>
#include <pthread.h>
#endif

namespace {

constexpr int kMaxThreads = 64;
int g_pool_size = 0;
int g_threads = 1;

#ifdef __EMSCRIPTEN_PTHREADS__
// The job being run; written by the caller before it bumps g_generation, read by workers after they see the bump.
PoolTask g_task = nullptr;
void* g_task_ctx = nullptr;
int g_task_workers = 1;
// Futex words must be 32-bit ints.
std::atomic<int> g_generation{0};
std::atomic<int> g_pending{0};
constexpr int kSpinIterations = 20000;

void* worker_main(void* arg) {
  const int index = (int)(long)arg;
  int seen = 0;
  for (;;) {
    int gen;
    int spins = 0;
    while ((gen = g_generation.load(std::memory_order_acquire)) == seen) {
      if (++spins < kSpinIterations) continue;
      // Sleep until the generation changes (a stale value makes the wait return at once).
      emscripten_futex_wait((volatile void*)&g_generation, (uint32_t)seen, INFINITY);
    }
    seen = gen;
    // Every pool thread acknowledges every job (running it only if it is one of the job's workers), so no
    // thread can still be reading this job's parameters when the caller publishes the next one.
    if (index < g_task_workers) g_task(g_task_ctx, index, g_task_workers);
    if (g_pending.fetch_sub(1, std::memory_order_acq_rel) == 1)
      emscripten_futex_wake((volatile void*)&g_pending, 1);
  }
  return nullptr;
}
#endif

}  // namespace

int pool_init(int threads) {
  if (g_pool_size) return g_pool_size;
  if (threads < 1) threads = 1;
  if (threads > kMaxThreads) threads = kMaxThreads;
#ifdef __EMSCRIPTEN_PTHREADS__
  int started = 1;
  for (int i = 1; i < threads; i++) {
    pthread_t thread;
    if (pthread_create(&thread, nullptr, worker_main, (void*)(long)i) != 0) break;
    pthread_detach(thread);
    started++;
  }
  g_pool_size = started;
#else
  g_pool_size = 1;
#endif
  g_threads = g_pool_size;
  return g_pool_size;
}

int pool_size() { return g_pool_size ? g_pool_size : 1; }

void pool_set_threads(int threads) {
  if (threads < 1) threads = 1;
  if (threads > pool_size()) threads = pool_size();
  g_threads = threads;
}

int pool_threads() { return g_threads; }

void pool_run(PoolTask fn, void* ctx, int threads) {
  if (threads <= 0) threads = g_threads;
  if (threads > pool_size()) threads = pool_size();
#ifdef __EMSCRIPTEN_PTHREADS__
  if (threads > 1) {
    g_task = fn;
    g_task_ctx = ctx;
    g_task_workers = threads;
    g_pending.store(g_pool_size - 1, std::memory_order_relaxed);
    g_generation.fetch_add(1, std::memory_order_acq_rel);
    emscripten_futex_wake((volatile void*)&g_generation, kMaxThreads);
    fn(ctx, 0, threads);
    int spins = 0;
    int pending;
    while ((pending = g_pending.load(std::memory_order_acquire)) != 0) {
      if (++spins < kSpinIterations) continue;
      emscripten_futex_wait((volatile void*)&g_pending, (uint32_t)pending, INFINITY);
    }
    return;
  }
#endif
  fn(ctx, 0, 1);
}
