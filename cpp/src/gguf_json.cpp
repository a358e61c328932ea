// The GGUF header as JSON for TypeScript (the tokenizer, the chat template, the app's model card). Bounded so a
// hostile header cannot turn into one giant string: a value far larger than any real model's (one string over
// kMaxJsonString bytes, one array over kMaxJsonArrayItems items) is written as null and its key listed in
// "omitted"; tensor tables longer than kMaxJsonTensors are left out (tensor_count still says how many); and the
// whole text may not pass the caller's budget (control bytes escape to 6 bytes each, so this is what bounds memory).
#include "common.h"
#include "gguf.h"
#include "json.h"
#include <cstring>

namespace {

constexpr uint64_t kMaxJsonString = 1u << 20;       // chat templates are a few KiB
constexpr uint64_t kMaxJsonArrayItems = 1u << 21;   // vocabularies and merges are a few hundred thousand
constexpr uint64_t kMaxJsonTensors = 1u << 16;      // 2B-4T has 332

// Whether the value at p would be written in full (see above); values were validated by gguf_parse.
bool writable(const uint8_t* p, uint32_t type) {
  uint64_t n;
  if (type == GGUF_STRING) {
    memcpy(&n, p, 8);
    return n <= kMaxJsonString;
  }
  if (type == GGUF_ARRAY) {
    memcpy(&n, p + 4, 8);
    return n <= kMaxJsonArrayItems;
  }
  return true;
}

// Adds to *text a lower bound of the value's JSON length (strings exactly, 2 bytes for any other value) and returns
// the value's size in the header. Summed over the header first, so one whose text cannot fit the budget fails at
// once, not after tens of MB of writing.
size_t measure(const uint8_t* p, uint32_t type, uint64_t* text) {
  if (type == GGUF_STRING) {
    uint64_t len;
    memcpy(&len, p, 8);
    uint64_t n = len + 2;
    for (uint64_t i = 0; i < len; i++) {
      const uint8_t ch = p[8 + i];
      n += ch < 0x20 ? 5 : (ch == '"' || ch == '\\');
    }
    *text += n;
    return 8 + (size_t)len;
  }
  if (type == GGUF_ARRAY) {
    uint32_t item_type;
    uint64_t count;
    memcpy(&item_type, p, 4);
    memcpy(&count, p + 4, 8);
    const uint64_t item_size = gguf_scalar_size(item_type);
    if (item_size) {
      *text += 2 + 2 * count;
      return 12 + (size_t)(item_size * count);
    }
    size_t pos = 12;
    *text += 2;
    for (uint64_t i = 0; i < count; i++) pos += measure(p + pos, item_type, text);
    return pos;
  }
  *text += 2;
  return gguf_scalar_size(type);
}

// Writes the value at p; returns its size in the header, or 0 when the text passed the budget.
size_t value(std::string* out, const uint8_t* p, uint32_t type, size_t budget) {
  switch (type) {
    case GGUF_BOOL: out->append(p[0] ? "true" : "false"); return 1;
    case GGUF_F32: json_append_number(out, gguf_numeric_at(p, type), true); return 4;
    case GGUF_F64: json_append_number(out, gguf_numeric_at(p, type)); return 8;
    case GGUF_U64: { uint64_t v; memcpy(&v, p, 8); json_append_u64(out, v); return 8; }
    case GGUF_I64: { int64_t v; memcpy(&v, p, 8); json_append_i64(out, v); return 8; }
    case GGUF_STRING: {
      uint64_t len;
      memcpy(&len, p, 8);
      if (out->size() + len > budget) return 0;
      json_append_string(out, (const char*)p + 8, (size_t)len);
      return 8 + (size_t)len;
    }
    case GGUF_ARRAY: {
      uint32_t item_type;
      uint64_t count;
      memcpy(&item_type, p, 4);
      memcpy(&count, p + 4, 8);
      size_t pos = 12;
      out->push_back('[');
      for (uint64_t i = 0; i < count; i++) {
        if (i) out->push_back(',');
        if (out->size() > budget) return 0;
        const size_t n = value(out, p + pos, item_type, budget);
        if (!n) return 0;
        pos += n;
      }
      out->push_back(']');
      return pos;
    }
    default:
      json_append_number(out, gguf_numeric_at(p, type));
      return gguf_scalar_size(type);
  }
}

}  // namespace

int gguf_to_json(const GgufHeader& h, std::string* out, size_t budget) {
  HeaderSummary summary;
  summary.version = h.version;
  summary.alignment = h.alignment;
  summary.header_bytes = h.header_bytes;
  summary.data_end = h.data_end;
  summary.tensor_count = h.tensors.size();
  uint64_t lower_bound = 0;
  for (const GgufKeyValue& kv : h.kvs) {
    const uint8_t* p = h.bytes + kv.value_pos;
    lower_bound += kv.key.size() + 4;
    if (writable(p, kv.type)) measure(p, kv.type, &lower_bound);
    if (lower_bound > budget)
      return trit_fail(TRIT_ERR_BAD_HEADER,
                       "the model's metadata is too large to read (more than %zu MiB as text, at key '%s')",
                       budget >> 20, kv.key.c_str());
  }
  json_write_open(out, summary);
  out->append(",\"metadata\":{");
  std::vector<size_t> omitted;
  bool first = true;
  for (size_t i = 0; i < h.kvs.size(); i++) {
    const GgufKeyValue& kv = h.kvs[i];
    if (!first) out->push_back(',');
    first = false;
    json_append_string(out, kv.key.data(), kv.key.size());
    out->push_back(':');
    const uint8_t* p = h.bytes + kv.value_pos;
    if (!writable(p, kv.type)) {
      out->append("null");
      omitted.push_back(i);
    } else if (!value(out, p, kv.type, budget) || out->size() > budget) {
      return trit_fail(TRIT_ERR_BAD_HEADER,
                       "the model's metadata is too large to read (more than %zu MiB as text, at key '%s')",
                       budget >> 20, kv.key.c_str());
    }
  }
  out->append("},\"omitted\":[");
  for (size_t i = 0; i < omitted.size(); i++) {
    if (i) out->push_back(',');
    json_append_string(out, h.kvs[omitted[i]].key.data(), h.kvs[omitted[i]].key.size());
  }
  out->append("],\"tensors\":[");
  if (h.tensors.size() <= kMaxJsonTensors) {
    for (size_t i = 0; i < h.tensors.size(); i++) {
      const GgufTensorInfo& t = h.tensors[i];
      if (i) out->push_back(',');
      TensorInfoResult r;
      r.name = t.name;
      r.type = t.type;
      r.type_name = ggml_type_name(t.type);
      memcpy(r.shape.ne, t.ne, sizeof t.ne);
      r.shape.n = t.n_dims;
      r.offset = t.offset;
      r.bytes = t.n_bytes;
      json_write(out, r);
    }
  }
  out->push_back(']');
  if (out->size() > budget)
    return trit_fail(TRIT_ERR_BAD_HEADER, "the model's header is too large to read (more than %zu MiB as text)",
                     budget >> 20);
  return TRIT_OK;
}
