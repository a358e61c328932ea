// Attention over the f16 KV cache, in chunks of cached positions. Each chunk gives, per query head, its largest
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

// Cached positions [first, last) (last - first <= kAttentionChunk) of one KV head against its `group` query heads
// (queries: group rows of head_dim). keys/values point at the head's first element in position 0; rows are kv_dim
// apart. partial: group results of attention_partial_floats(head_dim).
void attend_chunk(const float* queries, int group, int head_dim, const uint16_t* keys, const uint16_t* values,
                  int kv_dim, int first, int last, float* partial, float* work);
// out: group rows of head_dim, softmax-weighted values over all n_chunks chunks (chunk c's partials at
// c * group * attention_partial_floats).
void merge_chunks(const float* partials, int n_chunks, int group, int head_dim, float* out);
// Positions [0, n_keys) in chunks of `chunk` (<= kAttentionChunk), each through attend_chunk, then merged into out:
// one worker's whole job for a prompt token's KV head. partials: one chunk's results per chunk.
void attend_positions(const float* queries, int group, int head_dim, const uint16_t* keys, const uint16_t* values,
                      int kv_dim, int n_keys, int chunk, float* partials, float* work, float* out);
