// The streaming loader: a model file arrives in chunks of any size. Bytes are kept only until the header parses;
// then the model is planned and allocated, and every later byte is copied straight into its tensor (or converted,
// for the F16 embedding) as it arrives. The file is never held whole.
#pragma once
#include "model.h"
#include <cstddef>
#include <cstdint>

// Starts a load of a file of total_bytes at context n_ctx (0: the default, see model_plan); load_flags: kLoad* bits.
int loader_begin(double total_bytes, int n_ctx, int load_flags);
int loader_chunk(const uint8_t* data, size_t len);
// After the last byte: the model, ready to evaluate (the caller owns it), or an error; either way the loader is idle.
int loader_end(Model** out);
// Drops a load in progress.
void loader_reset();
