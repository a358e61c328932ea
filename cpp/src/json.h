// The one JSON writer between the engine and TypeScript. Numbers that are not finite are written as null (JSON has
// no inf or nan); 64-bit integers beyond 2^53 as {"bigint":"digits"} so JavaScript can rebuild them exactly.
#pragma once
#include "results.h"
#include <cstddef>
#include <cstdint>
#include <string>

void json_append_string(std::string* out, const char* s, size_t len);
// single: the value came from an f32 (9 significant digits are enough).
void json_append_number(std::string* out, double v, bool single = false);
void json_append_u64(std::string* out, uint64_t v);
void json_append_i64(std::string* out, int64_t v);

// Each fixed result as one JSON object, field by field from its list in results.h.
void json_write(std::string* out, const MemoryPlanResult& r);
void json_write(std::string* out, const ModelInfoResult& r);
void json_write(std::string* out, const SelfTestReport& r);
void json_write(std::string* out, const ErrorReport& r);
void json_write(std::string* out, const TensorInfoResult& r);
void json_write(std::string* out, const HeaderSummary& r);
// The same object without its closing brace, for a caller that appends more fields.
void json_write_open(std::string* out, const HeaderSummary& r);
