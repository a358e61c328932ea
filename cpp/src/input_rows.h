// The input embedding of a batch: one row per token into Model::x. From the resident Q8 table (with its residual), or
// with kLoadInputRowsFromFile as the file's exact F16 row, read on demand through the host: the JS side installs
// Module.tritReadFile(offset, bytes, dest) -> 0 or -1 (WasmEngine.loadModel, from the stream's readRange).
#pragma once
#include "model.h"

// Fails (truncated) when the host cannot read a row.
int embed_tokens(Model* m, const int32_t* tokens, int n_tokens, float* x);
