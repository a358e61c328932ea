#include "loader.h"
#include "common.h"
#include "gguf.h"
#include "q8.h"
#include "threadpool.h"
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

struct Loader {
  bool active = false;
  uint64_t total = 0;
  uint64_t received = 0;
  int n_ctx = 0;
  int load_flags = 0;
  uint8_t* header = nullptr;  // file bytes [0, header_len) until the header parses
  size_t header_len = 0, header_capacity = 0;
  uint64_t header_need = 0;
  Model* model = nullptr;     // set once the header parsed and the tensors are allocated
  size_t next_destination = 0;
};
Loader g_loader;

int loader_abort(int code) {
  loader_reset();
  return code;
}

// Copies file bytes [offset, offset + len) to the tensors they belong to; bytes between tensors are skipped.
void route_bytes(Model* m, const uint8_t* data, size_t len, uint64_t offset) {
  std::vector<TensorDestination>& dests = m->destinations;
  size_t& d = g_loader.next_destination;
  const uint64_t end = offset + len;
  while (d < dests.size()) {
    const TensorDestination& dest = dests[d];
    const uint64_t begin = dest.file_begin > offset ? dest.file_begin : offset;
    const uint64_t stop = dest.file_begin + dest.bytes < end ? dest.file_begin + dest.bytes : end;
    if (begin >= end) break;
    if (stop > begin) {
      if (dest.convert) q8_stream_write(dest.convert, data + (begin - offset), (size_t)(stop - begin));
      else memcpy(dest.dest + (begin - dest.file_begin), data + (begin - offset), (size_t)(stop - begin));
    }
    if (dest.file_begin + dest.bytes <= end) d++;
    else break;
  }
}

}  // namespace

void loader_reset() {
  free(g_loader.header);
  delete g_loader.model;
  g_loader = Loader{};
}

int loader_begin(double total_bytes, int n_ctx, int load_flags) {
  loader_reset();
  if (!(total_bytes >= 8) || total_bytes > 9.0e15)
    return trit_fail(TRIT_ERR_TRUNCATED, "a file of %.0f bytes cannot be a GGUF model", total_bytes);
  g_loader.active = true;
  g_loader.total = (uint64_t)total_bytes;
  g_loader.n_ctx = n_ctx;
  g_loader.load_flags = load_flags;
  return TRIT_OK;
}

int loader_chunk(const uint8_t* data, size_t len) {
  if (!g_loader.active) return trit_fail(TRIT_ERR_BAD_STATE, "load_chunk without load_begin");
  if (g_loader.received + len > g_loader.total)
    return loader_abort(trit_fail(TRIT_ERR_BAD_ARGUMENT, "received more bytes than the %llu announced",
                                  (unsigned long long)g_loader.total));
  const uint64_t offset = g_loader.received;
  g_loader.received += len;
  if (g_loader.model) {
    route_bytes(g_loader.model, data, len, offset);
    return TRIT_OK;
  }
  // Still reading the header: keep the bytes until it parses.
  if (g_loader.header_len + len > g_loader.header_capacity) {
    size_t capacity = g_loader.header_capacity ? g_loader.header_capacity * 2 : (1u << 20);
    while (capacity < g_loader.header_len + len) capacity *= 2;
    uint8_t* bigger = (uint8_t*)realloc(g_loader.header, capacity);
    if (!bigger) return loader_abort(trit_fail(TRIT_ERR_OUT_OF_MEMORY, "out of memory reading the model header"));
    g_loader.header = bigger;
    g_loader.header_capacity = capacity;
  }
  memcpy(g_loader.header + g_loader.header_len, data, len);
  g_loader.header_len += len;
  if (g_loader.header_len < g_loader.header_need && g_loader.received < g_loader.total) return TRIT_OK;

  GgufHeader header;
  uint64_t need = 0;
  int rc = gguf_parse(g_loader.header, g_loader.header_len, g_loader.total, &header, &need);
  if (rc == TRIT_NEED_MORE) {
    g_loader.header_need = need;
    return TRIT_OK;
  }
  if (rc < 0) return loader_abort(rc);
  Model* model = new Model();
  g_loader.model = model;
  rc = model_plan(header, g_loader.n_ctx, pool_size(), g_loader.load_flags, model);
  if (rc == TRIT_OK) rc = model_allocate(header, model);
  if (rc != TRIT_OK) return loader_abort(rc);
  route_bytes(model, g_loader.header, g_loader.header_len, 0);
  free(g_loader.header);
  g_loader.header = nullptr;
  g_loader.header_len = g_loader.header_capacity = 0;
  return TRIT_OK;
}

int loader_end(Model** out) {
  *out = nullptr;
  if (!g_loader.active) return trit_fail(TRIT_ERR_BAD_STATE, "load_end without load_begin");
  if (g_loader.received < g_loader.total || !g_loader.model)
    return loader_abort(trit_fail(TRIT_ERR_TRUNCATED, "the model ended after %llu of %llu bytes",
                                  (unsigned long long)g_loader.received, (unsigned long long)g_loader.total));
  int rc = model_finish_load(g_loader.model);
  if (rc != TRIT_OK) return loader_abort(rc);
  *out = g_loader.model;
  g_loader.model = nullptr;
  loader_reset();
  return TRIT_OK;
}
