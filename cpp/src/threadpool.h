// One persistent pool of worker threads for every parallel loop in the engine. Created once (pool size - 1
// pthreads; the calling thread is worker 0), each job is published through an atomic generation counter; idle
// workers spin briefly and then sleep in a futex wait, so they use no CPU between tokens.
#pragma once

// fn(ctx, worker index, workers in this job). Must not call pool_run itself.
typedef void (*PoolTask)(void* ctx, int worker, int n_workers);

// Starts the pool with `threads` threads in total (clamped to 1 without pthreads). Idempotent: later calls keep
// the first size. Returns the pool size.
int pool_init(int threads);
int pool_size();
// Threads jobs use from now on (1..pool size).
void pool_set_threads(int threads);
int pool_threads();
// Runs fn on `threads` workers (0 = the current setting) and returns when all have finished.
void pool_run(PoolTask fn, void* ctx, int threads = 0);

// Splits [0, n) into `parts` contiguous ranges; range `part` is [*begin, *end).
inline void split_range(int n, int part, int parts, int* begin, int* end) {
  long long b = (long long)n * part / parts, e = (long long)n * (part + 1) / parts;
  *begin = (int)b;
  *end = (int)e;
}
