#include "input_rows.h"
#include "common.h"
#include "half.h"
#include <emscripten.h>

// Runs on the thread that called trit_eval (the JS thread that owns the module), never on a pool thread.
EM_JS(int, trit_host_read_file, (double offset, int bytes, void* dest), {
  const read = Module["tritReadFile"];
  return typeof read === "function" ? read(offset, bytes, dest) : -1;
});

int embed_tokens(Model* m, const int32_t* tokens, int n_tokens, float* x) {
  const int D = m->hp.n_embd;
  if (!(m->load_flags & kLoadInputRowsFromFile)) {
    for (int t = 0; t < n_tokens; t++) q8_dequantize_row(m->token_embd, tokens[t], x + (size_t)t * D);
    return TRIT_OK;
  }
  const uint64_t row_bytes = (uint64_t)D * 2;
  for (int t = 0; t < n_tokens; t++) {
    const uint64_t offset = m->embd_file_begin + (uint64_t)tokens[t] * row_bytes;
    if (trit_host_read_file((double)offset, (int)row_bytes, m->input_row) != 0)
      return trit_fail(TRIT_ERR_TRUNCATED, "could not read the input row of token %d (file offset %llu) from the model file",
                       tokens[t], (unsigned long long)offset);
    float* out = x + (size_t)t * D;
    for (int i = 0; i < D; i += 8) {  // D is a multiple of 128
      v128_t low, high;
      f16x8_to_f32x4x2(wasm_v128_load(m->input_row + i), &low, &high);
      wasm_v128_store(out + i, low);
      wasm_v128_store(out + i + 4, high);
    }
  }
  return TRIT_OK;
}
