// Attention over the KV cache (f16, or int8 with a scale per row and KV head), in chunks of cached positions. Each chunk gives, per query head, its largest
// score, its sum of exp(score - max) and its unnormalized weighted sum of values; merge_chunks combines them in
// chunk order. Why chunks: a generated token's (KV head, chunk) pairs spread over the thread pool (5 KV heads alone
// do not divide over 2 threads, and at long contexts attention costs more than all the matrices), while a prompt
// token does all its chunks on one thread with the same arithmetic.
#pragma once
#include <cstddef>
#include <cstdint>

constexpr int kAttentionChunk = 256;

inline int attention_chunks(int n_ctx) { return (n_ctx + kAttentionChunk - 1) / kAttentionChunk; }
// Floats per (chunk, query head) partial result: the weighted values (head_dim), then the max score, then the sum.
inline size_t attention_partial_floats(int head_dim) { return (size_t)head_dim + 2; }
// Scratch attend_chunk needs: one chunk's scores per query head, a key row and a value row.
inline size_t attention_work_floats(int group, int head_dim) {
  return (size_t)kAttentionChunk * group + 2 * (size_t)head_dim;
}

// One KV head's column of a layer's keys or values: position j's row of head_dim at rows + j * stride, either f16
// or int8 codes whose value is code * scales[j * scale_stride].
struct KvColumn {
  const uint16_t* f16 = nullptr;
  const int8_t* q8 = nullptr;
  const float* scales = nullptr;  // with q8
  int stride = 0, scale_stride = 0;
};

// Cached positions [first, last) (last - first <= kAttentionChunk) of one KV head against its `group` query heads
// (queries: group rows of head_dim). partial: group results of attention_partial_floats(head_dim).
void attend_chunk(const float* queries, int group, int head_dim, const KvColumn& keys, const KvColumn& values,
                  int first, int last, float* partial, float* work);
// out: group rows of head_dim, softmax-weighted values over all n_chunks chunks (chunk c's partials at
// c * group * attention_partial_floats).
void merge_chunks(const float* partials, int n_chunks, int group, int head_dim, float* out);
// Positions [0, n_keys) in chunks of `chunk` (<= kAttentionChunk), each through attend_chunk, then merged into out:
// one worker's whole job for a prompt token's KV head. partials: one chunk's results per chunk.
void attend_positions(const float* queries, int group, int head_dim, const KvColumn& keys, const KvColumn& values,
                      int n_keys, int chunk, float* partials, float* work, float* out);
