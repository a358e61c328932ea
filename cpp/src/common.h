// Shared error reporting for the engine: every failing call records a code and a message the JS side reads back.
#pragma once
#include <cstddef>
#include <cstdint>

enum TritStatus : int {
  TRIT_OK = 0,
  TRIT_NEED_MORE = 1,            // not an error: the header continues past the bytes given so far
  TRIT_ERR_TRUNCATED = -1,
  TRIT_ERR_BAD_MAGIC = -2,
  TRIT_ERR_BAD_VERSION = -3,
  TRIT_ERR_BAD_HEADER = -4,
  TRIT_ERR_UNKNOWN_TENSOR_TYPE = -5,
  TRIT_ERR_OFFSET_OUT_OF_RANGE = -6,
  TRIT_ERR_MISSING_TENSOR = -7,
  TRIT_ERR_BAD_TENSOR_SHAPE = -8,
  TRIT_ERR_UNSUPPORTED_ARCHITECTURE = -9,
  TRIT_ERR_UNSUPPORTED_TENSOR_TYPE = -10,
  TRIT_ERR_UNSUPPORTED_MODEL = -11,
  TRIT_ERR_OUT_OF_MEMORY = -12,
  TRIT_ERR_CONTEXT_OVERFLOW = -13,
  TRIT_ERR_NO_MODEL = -14,
  TRIT_ERR_BAD_STATE = -15,
  TRIT_ERR_BAD_ARGUMENT = -16,
};

// Records the error (printf-style message) and returns the code, so callers can `return trit_fail(...)`.
int trit_fail(int code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void trit_clear_error();
int trit_error_code();
const char* trit_error_message();

// Overflow-checked arithmetic on sizes read from untrusted files.
inline bool mul_u64(uint64_t a, uint64_t b, uint64_t* out) { return !__builtin_mul_overflow(a, b, out); }
inline bool add_u64(uint64_t a, uint64_t b, uint64_t* out) { return !__builtin_add_overflow(a, b, out); }

double trit_now_ms();
