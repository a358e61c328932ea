// Shared error reporting for the engine: every failing call records a code and a message the JS side reads back.
#pragma once
#include <cstddef>
#include <cstdint>

#include "status.h"

// Records the error (printf-style message) and returns the code, so callers can `return trit_fail(...)`.
int trit_fail(int code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void trit_clear_error();
int trit_error_code();
const char* trit_error_message();

// Overflow-checked arithmetic on sizes read from untrusted files.
inline bool mul_u64(uint64_t a, uint64_t b, uint64_t* out) { return !__builtin_mul_overflow(a, b, out); }
inline bool add_u64(uint64_t a, uint64_t b, uint64_t* out) { return !__builtin_add_overflow(a, b, out); }

double trit_now_ms();
