// Load-time weight preparation: once every byte has arrived, each I2_S matrix's scale is read and its codes are
// rearranged in place, on the thread pool, into the layout this build's kernel reads (i2s.h).
#include "model.h"
#include "common.h"
#include "i2s.h"
#include "threadpool.h"
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

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
