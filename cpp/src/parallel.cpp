// The forward pass's steps that run on the thread pool: each publishes a job whose workers take items (chunks of
// tiles, attention items, chunks of vocabulary rows) from an atomic counter, so a slower thread takes fewer.
#include "ops.h"
#include "attention.h"
#include "i2s.h"
#include "q8.h"
#include "threadpool.h"
#include <algorithm>
#include <atomic>
#include <cmath>

namespace {

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

}  // namespace

void matmul(Model* m, int n_tokens, std::initializer_list<std::pair<const I2sMatrix*, float*>> outputs) {
  MatmulJob job;
  job.model = m;
  job.n_tokens = n_tokens;
  job.count = 0;
  job.chunk_tiles = n_tokens > 1 ? kMatmulChunkTilesPrompt : kMatmulChunkTilesToken;
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

namespace {

struct AttentionJob {
  Model* model;
  const Layer* layer;
  int first, n_tokens;  // the batch's tokens [first, n_tokens) attend
  int n_past;
  std::atomic<int> next_item{0};
};

size_t work_floats_per_worker(const HParams& hp) { return attention_work_floats(hp.n_head / hp.n_head_kv, hp.head_dim); }

// A KV head's column in the layer's cache: position j's row starts at + j * n_head_kv * head_dim.
KvColumn kv_column(const uint16_t* f16, const int8_t* q8, const float* scales, const HParams& hp, int kv_head) {
  KvColumn c;
  const size_t at = (size_t)kv_head * hp.head_dim;
  if (q8) {
    c.q8 = q8 + at;
    c.scales = scales + kv_head;
  } else {
    c.f16 = f16 + at;
  }
  c.stride = hp.n_head_kv * hp.head_dim;
  c.scale_stride = hp.n_head_kv;
  return c;
}
KvColumn head_keys(const Layer* layer, const HParams& hp, int kv_head) {
  return kv_column(layer->k_cache, layer->k_q8, layer->k_scales, hp, kv_head);
}
KvColumn head_values(const Layer* layer, const HParams& hp, int kv_head) {
  return kv_column(layer->v_cache, layer->v_q8, layer->v_scales, hp, kv_head);
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
                     job->n_past + t + 1, kAttentionChunk, partials, work, m->att + heads);
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
                 c * kAttentionChunk,
                 std::min(n_keys, (c + 1) * kAttentionChunk),
                 m->attention_partials + ((size_t)kv_head * attention_chunks(m->n_ctx) + c) * per_chunk, work);
  }
}

}  // namespace

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

namespace {

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

}  // namespace

void lm_head(Model* m, const float* normed, float* logits) {
  const float x_scale = q8_quantize_input(normed, m->hp.n_embd, m->lm_input);
  // The quantizer zeroes an input that is not finite; here that would be silent garbage (all-zero logits), so the
  // row is NaN instead and model_eval reports it.
  if (x_scale == 0) {
    for (int i = 0; i < m->hp.n_embd; i++) {
      if (!std::isfinite(normed[i])) {
        for (int v = 0; v < m->hp.n_vocab; v++) logits[v] = NAN;
        return;
      }
    }
  }
  LmHeadJob job{m, m->lm_input, x_scale, logits};  // next_chunk = 0
  pool_run(lm_head_task, &job);
}
