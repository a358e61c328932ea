// The engine's status codes, listed once. X(enum name, value, name TypeScript sees): the enum below, the name table
// behind trit_status_name (api.cpp) and the TypeScript error codes (src/lib/errors.ts EngineErrorCode) all come from
// this list; TypeScript maps a failure by the name, never by the number.
#pragma once

#define TRIT_STATUS_LIST(X)                                                                         \
  X(TRIT_OK, 0, "ok")                                                                               \
  X(TRIT_NEED_MORE, 1, "need_more") /* not an error: the header continues past the bytes given */ \
  X(TRIT_ERR_TRUNCATED, -1, "truncated")                                                            \
  X(TRIT_ERR_BAD_MAGIC, -2, "bad_magic")                                                            \
  X(TRIT_ERR_BAD_VERSION, -3, "bad_version")                                                        \
  X(TRIT_ERR_BAD_HEADER, -4, "bad_header")                                                          \
  X(TRIT_ERR_UNKNOWN_TENSOR_TYPE, -5, "unknown_tensor_type")                                        \
  X(TRIT_ERR_OFFSET_OUT_OF_RANGE, -6, "offset_out_of_range")                                        \
  X(TRIT_ERR_MISSING_TENSOR, -7, "missing_tensor")                                                  \
  X(TRIT_ERR_BAD_TENSOR_SHAPE, -8, "bad_tensor_shape")                                              \
  X(TRIT_ERR_UNSUPPORTED_ARCHITECTURE, -9, "unsupported_architecture")                              \
  X(TRIT_ERR_UNSUPPORTED_TENSOR_TYPE, -10, "unsupported_tensor_type")                               \
  X(TRIT_ERR_UNSUPPORTED_MODEL, -11, "unsupported_model")                                           \
  X(TRIT_ERR_OUT_OF_MEMORY, -12, "out_of_memory")                                                   \
  X(TRIT_ERR_CONTEXT_OVERFLOW, -13, "context_overflow")                                             \
  X(TRIT_ERR_NO_MODEL, -14, "no_model")                                                             \
  X(TRIT_ERR_BAD_STATE, -15, "bad_state")                                                           \
  X(TRIT_ERR_BAD_ARGUMENT, -16, "bad_argument")                                                     \
  X(TRIT_ERR_NON_FINITE, -17, "non_finite")

enum TritStatus : int {
#define TRIT_STATUS_ENUM(id, value, name) id = value,
  TRIT_STATUS_LIST(TRIT_STATUS_ENUM)
#undef TRIT_STATUS_ENUM
};

// "truncated", "bad_magic", ...; "internal" for a number not in the list.
const char* trit_status_name_of(int code);
