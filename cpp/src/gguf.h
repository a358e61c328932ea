// GGUF v2/v3 header reader. Works on the header bytes alone (the tensor data is never needed), checks every count,
// length and offset against the bytes it has and the file size, and reports "need more bytes" when the header
// continues past what it was given, so a caller can read a file's metadata from its first few megabytes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

enum GgufValueType : uint32_t {
  GGUF_U8 = 0, GGUF_I8 = 1, GGUF_U16 = 2, GGUF_I16 = 3, GGUF_U32 = 4, GGUF_I32 = 5, GGUF_F32 = 6,
  GGUF_BOOL = 7, GGUF_STRING = 8, GGUF_ARRAY = 9, GGUF_U64 = 10, GGUF_I64 = 11, GGUF_F64 = 12,
};

enum GgmlType : uint32_t { GGML_F32 = 0, GGML_F16 = 1, GGML_Q8_0 = 8, GGML_I2_S = 36, GGML_TL1 = 38, GGML_TL2 = 39 };

struct GgufKeyValue {
  std::string key;
  uint32_t type;
  size_t value_pos;     // where the value starts in the header bytes
  uint32_t array_type;  // for arrays
  uint64_t array_count;
};

struct GgufTensorInfo {
  std::string name;
  uint32_t type;
  uint32_t n_dims;
  uint64_t ne[4];       // ggml order: ne[0] is the row length
  uint64_t offset;      // relative to the data section
  uint64_t n_elements;
  uint64_t n_bytes;
};

struct GgufHeader {
  uint32_t version = 0;
  uint32_t alignment = 32;
  uint64_t header_bytes = 0;  // where the data section starts (aligned)
  std::vector<GgufKeyValue> kvs;
  std::vector<GgufTensorInfo> tensors;
  std::vector<uint32_t> by_name;  // indices into tensors, sorted by name (for tensor())
  uint64_t data_end = 0;          // where the last tensor ends in the file
  const uint8_t* bytes = nullptr;  // the header bytes parsed (not owned)
  size_t bytes_len = 0;

  const GgufKeyValue* find(const char* key) const;
  const GgufTensorInfo* tensor(const std::string& name) const;
  // Typed getters: return false if the key is absent; record an error and return false via ok=false if mistyped.
  bool get_uint(const char* key, uint64_t* out, bool* ok) const;
  bool get_float(const char* key, double* out, bool* ok) const;
  bool get_string(const char* key, std::string* out) const;
  // A numeric array (or a scalar) whose every element must be equal; used for per-layer hyperparameters.
  bool get_uniform_uint(const char* key, uint64_t* out, bool* ok) const;
};

const char* ggml_type_name(uint32_t type);
// Byte size of a tensor of a known type; false for types whose layout we do not know.
bool ggml_tensor_bytes(uint32_t type, const uint64_t* ne, uint32_t n_dims, uint64_t* out_bytes);

// Parses header bytes [0, len) of a file of file_size bytes (0 = unknown). Returns TRIT_OK, TRIT_NEED_MORE
// (*need_bytes says how many bytes to supply at least) or an error code (recorded with trit_fail).
int gguf_parse(const uint8_t* bytes, size_t len, uint64_t file_size, GgufHeader* out, uint64_t* need_bytes);

// Size of a scalar value type (0 for strings, arrays and unknown types); a scalar at p as a double.
uint64_t gguf_scalar_size(uint32_t type);
double gguf_numeric_at(const uint8_t* p, uint32_t type);

// Appends the header as JSON: the HeaderSummary fields (results.h), then "metadata":{...}, "omitted":[keys],
// "tensors":[...], without the closing brace. Bounded (see gguf_json.cpp): TRIT_OK, or an error when even the
// bounded text would exceed `budget` bytes.
int gguf_to_json(const GgufHeader& header, std::string* out, size_t budget);
