// Evaluation: checks the tokens and the context, runs the architecture's forward pass in batches of kMaxBatch, and
// refuses to hand out logits that are not finite numbers.
#include "model.h"
#include "common.h"
#include "input_rows.h"
#include <cmath>
#include <cstdlib>

int model_eval(Model* m, const int32_t* tokens, int n_tokens, bool all_logits) {
  if (n_tokens <= 0) return trit_fail(TRIT_ERR_BAD_ARGUMENT, "eval needs at least one token");
  for (int i = 0; i < n_tokens; i++)
    if (tokens[i] < 0 || tokens[i] >= m->hp.n_vocab)
      return trit_fail(TRIT_ERR_BAD_ARGUMENT, "token id %d is outside the vocabulary (0..%d)", tokens[i],
                       m->hp.n_vocab - 1);
  if ((int64_t)m->n_past + n_tokens > m->n_ctx)
    return trit_fail(TRIT_ERR_CONTEXT_OVERFLOW, "%d tokens after %d would exceed the context of %d tokens", n_tokens,
                     m->n_past, m->n_ctx);
  const int n_past_before = m->n_past;
  const uint64_t rows = all_logits ? (uint64_t)n_tokens : 1;
  const uint64_t floats = rows * m->hp.n_vocab;
  if (floats > m->logits_capacity) {
    if (floats * 4 >= (1ull << 31)) return trit_fail(TRIT_ERR_OUT_OF_MEMORY, "logits for %d positions do not fit in memory", n_tokens);
    float* bigger = (float*)malloc((size_t)floats * 4);
    if (!bigger)
      return trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory for the logits of %d positions; ask for the last only",
                       n_tokens);
    free(m->logits);
    m->logits = bigger;
    m->logits_capacity = floats;
  }
  for (int start = 0; start < n_tokens; start += kMaxBatch) {
    const int n = n_tokens - start < kMaxBatch ? n_tokens - start : kMaxBatch;
    const bool last = start + n == n_tokens;
    // All positions: every token's row; otherwise only the final token of the final batch.
    const int first_logit = all_logits ? 0 : (last ? n - 1 : n);
    if (int rc = embed_tokens(m, tokens + start, n, m->x)) {
      m->n_past = n_past_before;  // earlier batches' cache rows are left as garbage past n_past
      m->logits_rows = 0;
      return rc;
    }
    m->forward(m, tokens + start, n, first_logit, m->logits + (all_logits ? (size_t)start * m->hp.n_vocab : 0));
  }
  m->logits_rows = (int)rows;
  // Weights that overflow (a damaged file) give inf or nan logits; the chat would sample garbage from them.
  const float* logits = m->logits;
  for (uint64_t i = 0; i < floats; i++) {
    if (!std::isfinite(logits[i])) {
      m->n_past = n_past_before;
      m->logits_rows = 0;
      return trit_fail(TRIT_ERR_NON_FINITE,
                       "the model computed a logit that is not a finite number (%g at position %llu): its weights are "
                       "probably damaged", (double)logits[i], (unsigned long long)(i / m->hp.n_vocab));
    }
  }
  return TRIT_OK;
}
