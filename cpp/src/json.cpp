#include "json.h"
#include <cmath>
#include <cstdio>

// Plain runs are appended whole: a tokenizer's 128k tokens go through here on every inspect.
void json_append_string(std::string* out, const char* s, size_t len) {
  static const char hex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < len; i++) {
    const unsigned char ch = (unsigned char)s[i];
    if (ch >= 0x20 && ch != '"' && ch != '\\') continue;
    out->append(s + run, i - run);
    if (ch < 0x20) {
      const char escaped[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
      out->append(escaped, 6);
    } else {
      out->push_back('\\');
      out->push_back((char)ch);
    }
    run = i + 1;
  }
  out->append(s + run, len - run);
  out->push_back('"');
}

void json_append_number(std::string* out, double v, bool single) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  char buf[40];
  snprintf(buf, sizeof buf, single ? "%.9g" : "%.17g", v);
  out->append(buf);
}

void json_append_u64(std::string* out, uint64_t v) {
  char buf[48];
  if (v <= (1ull << 53)) snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
  else snprintf(buf, sizeof buf, "{\"bigint\":\"%llu\"}", (unsigned long long)v);
  out->append(buf);
}

void json_append_i64(std::string* out, int64_t v) {
  char buf[48];
  if (v <= (1ll << 53) && v >= -(1ll << 53)) snprintf(buf, sizeof buf, "%lld", (long long)v);
  else snprintf(buf, sizeof buf, "{\"bigint\":\"%lld\"}", (long long)v);
  out->append(buf);
}

namespace {

void value(std::string* out, uint32_t v) { json_append_u64(out, v); }
void value(std::string* out, int32_t v) { json_append_i64(out, v); }
void value(std::string* out, uint64_t v) { json_append_u64(out, v); }
void value(std::string* out, double v) { json_append_number(out, v); }
void value(std::string* out, bool v) { out->append(v ? "true" : "false"); }
void value(std::string* out, const std::string& v) { json_append_string(out, v.data(), v.size()); }
void value(std::string* out, const result_kind::dims& v) {
  out->push_back('[');
  for (uint32_t d = 0; d < v.n && d < 4; d++) {
    if (d) out->push_back(',');
    json_append_u64(out, v.ne[d]);
  }
  out->push_back(']');
}
void value(std::string* out, const MemoryPlanResult& v) { json_write(out, v); }

void key(std::string* out, const char* name, bool* first) {
  out->append(*first ? "\"" : ",\"");
  out->append(name);
  out->append("\":");
  *first = false;
}

}  // namespace

#define TRIT_JSON_FIELD(kind, json, ts) \
  key(out, #json, &first);              \
  value(out, r.json);
#define TRIT_JSON_WRITER(Type, LIST)               \
  void json_write(std::string* out, const Type& r) { \
    bool first = true;                             \
    out->push_back('{');                           \
    LIST(TRIT_JSON_FIELD)                          \
    out->push_back('}');                           \
  }
TRIT_JSON_WRITER(MemoryPlanResult, TRIT_MEMORY_PLAN_FIELDS)
TRIT_JSON_WRITER(ModelInfoResult, TRIT_ENGINE_MODEL_INFO_FIELDS)
TRIT_JSON_WRITER(SelfTestReport, TRIT_SELF_TEST_REPORT_FIELDS)
TRIT_JSON_WRITER(ErrorReport, TRIT_ERROR_REPORT_FIELDS)
TRIT_JSON_WRITER(TensorInfoResult, TRIT_TENSOR_INFO_FIELDS)
TRIT_JSON_WRITER(HeaderSummary, TRIT_HEADER_SUMMARY_FIELDS)

void json_write_open(std::string* out, const HeaderSummary& r) {
  json_write(out, r);
  out->pop_back();
}
