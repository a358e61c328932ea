#include "gguf.h"
#include "common.h"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <unordered_set>

namespace {

// Limits on what a header may claim: far above any real model, far below what would exhaust memory or overflow.
constexpr uint64_t kMaxTensors = 1u << 20;
constexpr uint64_t kMaxKeyValues = 1u << 20;
constexpr uint64_t kMaxKeyLength = 65535;
constexpr uint64_t kMaxStringLength = 1u << 28;
constexpr uint64_t kMaxArrayCount = 1ull << 32;
constexpr uint64_t kMaxDim = 1ull << 40;
constexpr uint64_t kMaxElements = 1ull << 50;
constexpr int kMaxArrayDepth = 8;

struct Cursor {
  const uint8_t* bytes;
  size_t len;
  size_t pos = 0;
  uint64_t short_by_end = 0;  // when a read ran past len: the position it needed to reach

  bool have(uint64_t n) {
    uint64_t end;
    if (!add_u64(pos, n, &end)) end = UINT64_MAX;
    if (end <= len) return true;
    if (end > short_by_end) short_by_end = end;
    return false;
  }
  template <typename T> bool read(T* v) {
    if (!have(sizeof(T))) return false;
    memcpy(v, bytes + pos, sizeof(T));
    pos += sizeof(T);
    return true;
  }
  bool skip(uint64_t n) {
    if (!have(n)) return false;
    pos += (size_t)n;
    return true;
  }
};

}  // namespace

uint64_t gguf_scalar_size(uint32_t type) {
  switch (type) {
    case GGUF_U8: case GGUF_I8: case GGUF_BOOL: return 1;
    case GGUF_U16: case GGUF_I16: return 2;
    case GGUF_U32: case GGUF_I32: case GGUF_F32: return 4;
    case GGUF_U64: case GGUF_I64: case GGUF_F64: return 8;
    default: return 0;
  }
}

namespace {

uint64_t scalar_size(uint32_t type) { return gguf_scalar_size(type); }

// Parse outcome inside the header: ok, ran out of bytes, or a recorded error.
enum Step { STEP_OK, STEP_SHORT, STEP_ERROR };

Step read_string(Cursor& c, uint64_t max_len, const char* what, size_t* start, uint64_t* length) {
  uint64_t n;
  if (!c.read(&n)) return STEP_SHORT;
  if (n > max_len) {
    trit_fail(TRIT_ERR_BAD_HEADER, "GGUF header: %s claims %llu bytes, more than the %llu allowed", what,
              (unsigned long long)n, (unsigned long long)max_len);
    return STEP_ERROR;
  }
  *start = c.pos;
  *length = n;
  return c.skip(n) ? STEP_OK : STEP_SHORT;
}

Step skip_value(Cursor& c, uint32_t type, int depth, const std::string& key) {
  uint64_t size = scalar_size(type);
  if (size) return c.skip(size) ? STEP_OK : STEP_SHORT;
  if (type == GGUF_STRING) {
    size_t start;
    uint64_t len;
    return read_string(c, kMaxStringLength, "a string value", &start, &len);
  }
  if (type != GGUF_ARRAY) {
    trit_fail(TRIT_ERR_BAD_HEADER, "GGUF header: key '%s' has unknown value type %u", key.c_str(), type);
    return STEP_ERROR;
  }
  if (depth >= kMaxArrayDepth) {
    trit_fail(TRIT_ERR_BAD_HEADER, "GGUF header: key '%s' nests arrays more than %d deep", key.c_str(), kMaxArrayDepth);
    return STEP_ERROR;
  }
  uint32_t item_type;
  uint64_t count;
  if (!c.read(&item_type) || !c.read(&count)) return STEP_SHORT;
  if (count > kMaxArrayCount) {
    trit_fail(TRIT_ERR_BAD_HEADER, "GGUF header: array '%s' claims %llu items", key.c_str(), (unsigned long long)count);
    return STEP_ERROR;
  }
  uint64_t item_size = scalar_size(item_type);
  if (item_size) {
    uint64_t total;
    if (!mul_u64(item_size, count, &total)) total = UINT64_MAX;
    return c.skip(total) ? STEP_OK : STEP_SHORT;
  }
  if (item_type != GGUF_STRING && item_type != GGUF_ARRAY) {
    trit_fail(TRIT_ERR_BAD_HEADER, "GGUF header: array '%s' has unknown item type %u", key.c_str(), item_type);
    return STEP_ERROR;
  }
  for (uint64_t i = 0; i < count; i++) {
    Step s = skip_value(c, item_type, depth + 1, key);
    if (s != STEP_OK) return s;
  }
  return STEP_OK;
}

struct BlockLayout { uint32_t type; uint32_t block_elems; uint32_t block_bytes; };
const BlockLayout kLayouts[] = {
  {0, 1, 4}, {1, 1, 2}, {2, 32, 18}, {3, 32, 20}, {6, 32, 22}, {7, 32, 24}, {8, 32, 34}, {9, 32, 36},
  {10, 256, 84}, {11, 256, 110}, {12, 256, 144}, {13, 256, 176}, {14, 256, 210}, {15, 256, 292},
  {16, 256, 66}, {17, 256, 74}, {18, 256, 98}, {19, 256, 50}, {20, 32, 18}, {21, 256, 110}, {22, 256, 82},
  {23, 256, 136}, {24, 1, 1}, {25, 1, 2}, {26, 1, 4}, {27, 1, 8}, {28, 1, 8}, {29, 256, 56}, {30, 1, 2},
  {34, 256, 54}, {35, 256, 66},
};

}  // namespace

const char* ggml_type_name(uint32_t type) {
  static const char* names[] = {"F32", "F16", "Q4_0", "Q4_1", "4", "5", "Q5_0", "Q5_1", "Q8_0", "Q8_1", "Q2_K",
                                "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S",
                                "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16", "I32", "I64", "F64", "IQ1_M",
                                "BF16", "31", "32", "33", "TQ1_0", "TQ2_0", "I2_S", "I8_S", "TL1", "TL2"};
  return type < sizeof names / sizeof names[0] ? names[type] : "unknown";
}

bool ggml_tensor_bytes(uint32_t type, const uint64_t* ne, uint32_t n_dims, uint64_t* out_bytes) {
  uint64_t n = 1;
  for (uint32_t i = 0; i < n_dims; i++)
    if (!mul_u64(n, ne[i], &n)) return false;
  if (type == GGML_I2_S) {
    // 2-bit codes in 128-element blocks, then the f32 scale and padding: 32 trailing bytes.
    if (n % 128) return false;
    *out_bytes = n / 4 + 32;
    return true;
  }
  for (const BlockLayout& l : kLayouts) {
    if (l.type != type) continue;
    if (ne[0] % l.block_elems) return false;
    *out_bytes = n / l.block_elems * l.block_bytes;
    return true;
  }
  return false;
}

static bool is_known_type(uint32_t type) {
  if (type == GGML_I2_S) return true;
  for (const BlockLayout& l : kLayouts)
    if (l.type == type) return true;
  return false;
}

const GgufKeyValue* GgufHeader::find(const char* key) const {
  for (const GgufKeyValue& kv : kvs)
    if (kv.key == key) return &kv;
  return nullptr;
}

// Binary search in the index sorted by name (gguf_parse builds it): a file may list a million tensors, and the model
// looks up a dozen per layer.
const GgufTensorInfo* GgufHeader::tensor(const std::string& name) const {
  auto it = std::lower_bound(by_name.begin(), by_name.end(), name,
                             [&](uint32_t i, const std::string& n) { return tensors[i].name < n; });
  return it != by_name.end() && tensors[*it].name == name ? &tensors[*it] : nullptr;
}

// Reads a numeric value of any type at pos as double / as uint (false for negative or non-integral).
double gguf_numeric_at(const uint8_t* p, uint32_t type) {
  switch (type) {
    case GGUF_U8: return p[0];
    case GGUF_I8: return (int8_t)p[0];
    case GGUF_BOOL: return p[0] ? 1 : 0;
    case GGUF_U16: { uint16_t v; memcpy(&v, p, 2); return v; }
    case GGUF_I16: { int16_t v; memcpy(&v, p, 2); return v; }
    case GGUF_U32: { uint32_t v; memcpy(&v, p, 4); return v; }
    case GGUF_I32: { int32_t v; memcpy(&v, p, 4); return v; }
    case GGUF_F32: { float v; memcpy(&v, p, 4); return v; }
    case GGUF_U64: { uint64_t v; memcpy(&v, p, 8); return (double)v; }
    case GGUF_I64: { int64_t v; memcpy(&v, p, 8); return (double)v; }
    case GGUF_F64: { double v; memcpy(&v, p, 8); return v; }
    default: return NAN;
  }
}

static bool uint_at(const uint8_t* p, uint32_t type, uint64_t* out) {
  if (type == GGUF_U64) { memcpy(out, p, 8); return true; }
  if (type == GGUF_I64) { int64_t v; memcpy(&v, p, 8); if (v < 0) return false; *out = (uint64_t)v; return true; }
  if (type == GGUF_F32 || type == GGUF_F64 || type == GGUF_BOOL || !scalar_size(type)) return false;
  double d = gguf_numeric_at(p, type);
  if (d < 0) return false;
  *out = (uint64_t)d;
  return true;
}

bool GgufHeader::get_uint(const char* key, uint64_t* out, bool* ok) const {
  const GgufKeyValue* kv = find(key);
  if (!kv) return false;
  if (!uint_at(bytes + kv->value_pos, kv->type, out)) {
    *ok = false;
    trit_fail(TRIT_ERR_UNSUPPORTED_MODEL, "metadata '%s' should be a non-negative integer", key);
  }
  return true;
}

bool GgufHeader::get_float(const char* key, double* out, bool* ok) const {
  const GgufKeyValue* kv = find(key);
  if (!kv) return false;
  if (!scalar_size(kv->type) || kv->type == GGUF_BOOL) {
    *ok = false;
    trit_fail(TRIT_ERR_UNSUPPORTED_MODEL, "metadata '%s' should be a number", key);
    return true;
  }
  *out = gguf_numeric_at(bytes + kv->value_pos, kv->type);
  return true;
}

bool GgufHeader::get_string(const char* key, std::string* out) const {
  const GgufKeyValue* kv = find(key);
  if (!kv || kv->type != GGUF_STRING) return false;
  uint64_t len;
  memcpy(&len, bytes + kv->value_pos, 8);
  out->assign((const char*)bytes + kv->value_pos + 8, (size_t)len);
  return true;
}

bool GgufHeader::get_uniform_uint(const char* key, uint64_t* out, bool* ok) const {
  const GgufKeyValue* kv = find(key);
  if (!kv) return false;
  if (kv->type != GGUF_ARRAY) return get_uint(key, out, ok);
  uint64_t item_size = scalar_size(kv->array_type);
  if (!item_size || kv->array_count == 0) {
    *ok = false;
    trit_fail(TRIT_ERR_UNSUPPORTED_MODEL, "metadata '%s' should be an integer or a non-empty integer array", key);
    return true;
  }
  const uint8_t* items = bytes + kv->value_pos + 12;
  for (uint64_t i = 0; i < kv->array_count; i++) {
    uint64_t v;
    if (!uint_at(items + i * item_size, kv->array_type, &v) || (i > 0 && v != *out)) {
      *ok = false;
      trit_fail(TRIT_ERR_UNSUPPORTED_MODEL,
                "metadata '%s' varies per layer or is not an integer; Trit supports only uniform layers", key);
      return true;
    }
    *out = v;
  }
  return true;
}

int gguf_parse(const uint8_t* bytes, size_t len, uint64_t file_size, GgufHeader* out, uint64_t* need_bytes) {
  Cursor c{bytes, len};
  *need_bytes = 0;
  out->kvs.clear();
  out->tensors.clear();
  out->by_name.clear();
  out->data_end = 0;
  out->bytes = bytes;
  out->bytes_len = len;
  bool whole_file = file_size != 0 && len >= file_size;

  auto short_of_bytes = [&]() -> int {
    uint64_t want = c.short_by_end;
    if (file_size && want > file_size) {
      return trit_fail(TRIT_ERR_TRUNCATED, "the GGUF header needs %llu bytes but the file has only %llu: the file is truncated",
                       (unsigned long long)want, (unsigned long long)file_size);
    }
    if (whole_file)
      return trit_fail(TRIT_ERR_TRUNCATED, "the file ends inside its GGUF header: it is truncated");
    // Ask for at least twice what we have so a caller reading a long vocabulary converges quickly.
    uint64_t doubled = (uint64_t)len * 2;
    *need_bytes = want > doubled ? want : doubled;
    if (file_size && *need_bytes > file_size) *need_bytes = file_size;
    return TRIT_NEED_MORE;
  };

  uint32_t magic, version;
  if (!c.read(&magic)) return short_of_bytes();
  if (magic != 0x46554747u) {
    return trit_fail(TRIT_ERR_BAD_MAGIC, "not a GGUF file: it starts with bytes %02x %02x %02x %02x instead of 'GGUF'",
                     bytes[0], bytes[1], bytes[2], bytes[3]);
  }
  if (!c.read(&version)) return short_of_bytes();
  if (version != 2 && version != 3) {
    return trit_fail(TRIT_ERR_BAD_VERSION, "GGUF version %u is not supported (only versions 2 and 3)", version);
  }
  out->version = version;
  uint64_t n_tensors, n_kv;
  if (!c.read(&n_tensors) || !c.read(&n_kv)) return short_of_bytes();
  if (n_tensors > kMaxTensors)
    return trit_fail(TRIT_ERR_BAD_HEADER, "GGUF header claims %llu tensors (absurd)", (unsigned long long)n_tensors);
  if (n_kv > kMaxKeyValues)
    return trit_fail(TRIT_ERR_BAD_HEADER, "GGUF header claims %llu metadata entries (absurd)", (unsigned long long)n_kv);

  std::unordered_set<std::string> seen;
  for (uint64_t i = 0; i < n_kv; i++) {
    size_t key_start;
    uint64_t key_len;
    Step s = read_string(c, kMaxKeyLength, "a metadata key", &key_start, &key_len);
    if (s == STEP_ERROR) return trit_error_code();
    if (s == STEP_SHORT) return short_of_bytes();
    GgufKeyValue kv;
    kv.key.assign((const char*)bytes + key_start, (size_t)key_len);
    kv.array_type = 0;
    kv.array_count = 0;
    if (!c.read(&kv.type)) return short_of_bytes();
    kv.value_pos = c.pos;
    if (kv.type == GGUF_ARRAY && c.have(12)) {
      memcpy(&kv.array_type, bytes + c.pos, 4);
      memcpy(&kv.array_count, bytes + c.pos + 4, 8);
    }
    s = skip_value(c, kv.type, 0, kv.key);
    if (s == STEP_ERROR) return trit_error_code();
    if (s == STEP_SHORT) return short_of_bytes();
    if (!seen.insert(kv.key).second)
      return trit_fail(TRIT_ERR_BAD_HEADER, "GGUF header: metadata key '%s' appears twice", kv.key.c_str());
    out->kvs.push_back(std::move(kv));
  }

  if (const GgufKeyValue* kv = out->find("general.alignment")) {
    uint64_t a = 0;
    bool ok = kv->type == GGUF_U32 && uint_at(bytes + kv->value_pos, kv->type, &a);
    if (!ok || a == 0 || (a & (a - 1)) || a > (1u << 20))
      return trit_fail(TRIT_ERR_BAD_HEADER, "GGUF header: general.alignment must be a power-of-two u32");
    out->alignment = (uint32_t)a;
  }

  for (uint64_t i = 0; i < n_tensors; i++) {
    size_t name_start;
    uint64_t name_len;
    Step s = read_string(c, 256, "a tensor name", &name_start, &name_len);
    if (s == STEP_ERROR) return trit_error_code();
    if (s == STEP_SHORT) return short_of_bytes();
    GgufTensorInfo t;
    t.name.assign((const char*)bytes + name_start, (size_t)name_len);
    if (!c.read(&t.n_dims)) return short_of_bytes();
    if (t.n_dims < 1 || t.n_dims > 4)
      return trit_fail(TRIT_ERR_BAD_HEADER, "GGUF header: tensor '%s' has %u dimensions (1 to 4 allowed)", t.name.c_str(), t.n_dims);
    for (int d = 0; d < 4; d++) t.ne[d] = 1;
    for (uint32_t d = 0; d < t.n_dims; d++)
      if (!c.read(&t.ne[d])) return short_of_bytes();
    if (!c.read(&t.type) || !c.read(&t.offset)) return short_of_bytes();
    t.n_elements = 1;
    for (uint32_t d = 0; d < t.n_dims; d++) {
      if (t.ne[d] == 0 || t.ne[d] > kMaxDim || !mul_u64(t.n_elements, t.ne[d], &t.n_elements) || t.n_elements > kMaxElements)
        return trit_fail(TRIT_ERR_BAD_HEADER, "GGUF header: tensor '%s' has an absurd dimension (%llu)", t.name.c_str(),
                         (unsigned long long)t.ne[d]);
    }
    if (t.type == GGML_TL1 || t.type == GGML_TL2)
      return trit_fail(TRIT_ERR_UNSUPPORTED_TENSOR_TYPE,
                       "tensor '%s' is %s: TL1/TL2 files are made for one bitnet.cpp build (their kernels are generated "
                       "for one model shape and CPU); use the i2_s file of this model",
                       t.name.c_str(), ggml_type_name(t.type));
    if (!is_known_type(t.type))
      return trit_fail(TRIT_ERR_UNKNOWN_TENSOR_TYPE, "tensor '%s' has ggml type %u (%s), which Trit does not know",
                       t.name.c_str(), t.type, ggml_type_name(t.type));
    if (!ggml_tensor_bytes(t.type, t.ne, t.n_dims, &t.n_bytes))
      return trit_fail(TRIT_ERR_BAD_TENSOR_SHAPE, "tensor '%s': its row length %llu does not fit whole blocks of type %s",
                       t.name.c_str(), (unsigned long long)t.ne[0], ggml_type_name(t.type));
    if (t.offset % out->alignment)
      return trit_fail(TRIT_ERR_BAD_HEADER, "tensor '%s' starts at offset %llu, not a multiple of the alignment %u",
                       t.name.c_str(), (unsigned long long)t.offset, out->alignment);
    out->tensors.push_back(std::move(t));
  }
  out->by_name.resize(out->tensors.size());
  for (size_t i = 0; i < out->by_name.size(); i++) out->by_name[i] = (uint32_t)i;
  std::sort(out->by_name.begin(), out->by_name.end(),
            [&](uint32_t a, uint32_t b) { return out->tensors[a].name < out->tensors[b].name; });
  for (size_t i = 1; i < out->by_name.size(); i++)
    if (out->tensors[out->by_name[i]].name == out->tensors[out->by_name[i - 1]].name)
      return trit_fail(TRIT_ERR_BAD_HEADER, "GGUF header: tensor '%s' appears twice",
                       out->tensors[out->by_name[i]].name.c_str());

  uint64_t data_start = ((uint64_t)c.pos + out->alignment - 1) / out->alignment * out->alignment;
  out->header_bytes = data_start;
  for (const GgufTensorInfo& t : out->tensors) {
    uint64_t begin, end;
    const bool fits = add_u64(data_start, t.offset, &begin) && add_u64(begin, t.n_bytes, &end);
    if (fits && end > out->data_end) out->data_end = end;
    if (file_size) {
      if (!fits || end > file_size)
        return trit_fail(TRIT_ERR_OFFSET_OUT_OF_RANGE,
                         "tensor '%s' lies at bytes %llu..%llu, outside the %llu-byte file (truncated or corrupt)",
                         t.name.c_str(), (unsigned long long)begin, (unsigned long long)(begin + t.n_bytes),
                         (unsigned long long)file_size);
    }
  }
  return TRIT_OK;
}

