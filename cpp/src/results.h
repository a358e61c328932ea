// The shapes of every fixed result the engine hands to TypeScript, declared once. Each list drives the C struct
// below and its JSON writer (json.cpp); scripts/gen-native-results.mjs reads the same lists from this file and writes
// src/lib/engine/native-results.generated.ts (the TypeScript interfaces and parsers), and a test fails when that file
// is stale. X(kind, JSON name, TypeScript name); kinds: u32, i32, u64, f64 (finite or null), bool, str, dims
// (a tensor's shape), plan (a nested MemoryPlan), error (a nested ErrorReport).
#pragma once
#include <cstdint>
#include <string>

#define TRIT_MEMORY_PLAN_FIELDS(X)                       \
  X(u64, weights, weights)                               \
  X(u64, kv_cache, kvCache)                              \
  X(u64, scratch, scratch)                               \
  X(u64, total, total) /* bytes the engine allocates */ \
  X(i32, n_ctx, nCtx)                                    \
  X(u64, weight_bytes_per_token, weightBytesPerToken)    \
  X(u64, parameters, parameters)                         \
  X(bool, input_rows_from_file, inputRowsFromFile)       \
  X(bool, kv_int8, kvInt8)                               \
  X(i32, head_bits, headBits) /* lm_head: 8, 6 or 4 bits */

#define TRIT_ENGINE_MODEL_INFO_FIELDS(X)      \
  X(str, architecture, architecture)   \
  X(i32, n_vocab, nVocab)              \
  X(i32, n_ctx, nCtx)                  \
  X(i32, n_ctx_train, nCtxTrain)       \
  X(i32, n_embd, nEmbd)                \
  X(i32, n_layer, nLayer)              \
  X(i32, n_head, nHead)                \
  X(i32, n_head_kv, nHeadKv)           \
  X(i32, head_dim, headDim)            \
  X(i32, n_ff, nFf)                    \
  X(f64, rope_freq_base, ropeFreqBase) \
  X(f64, rms_eps, rmsEps)              \
  X(i32, max_batch, maxBatch)          \
  X(u64, parameters, parameters)       \
  X(plan, plan, plan)

#define TRIT_SELF_TEST_REPORT_FIELDS(X) \
  X(bool, ok, ok)                       \
  X(i32, threads_used, threadsUsed)     \
  X(f64, simd_ms, simdMs)               \
  X(f64, scalar_ms, scalarMs)           \
  X(u64, bytes, bytes)

#define TRIT_ERROR_REPORT_FIELDS(X) \
  X(str, status, status)            \
  X(str, message, message)

#define TRIT_TENSOR_INFO_FIELDS(X) \
  X(str, name, name)               \
  X(u32, type, type)               \
  X(str, type_name, typeName)      \
  X(dims, shape, shape)            \
  X(u64, offset, offset)           \
  X(u64, bytes, bytes)

// The header's fixed part; trit_inspect adds "metadata", "tensors" and "plan" or "plan_error" (wasm-engine.ts).
#define TRIT_HEADER_SUMMARY_FIELDS(X)                                                                    \
  X(u32, version, version)                                                                             \
  X(u32, alignment, alignment)                                                                         \
  X(u64, header_bytes, headerBytes) /* where the data section starts */                                \
  X(u64, data_end, dataEnd)         /* the end of the last tensor: the file's size when nobody said */ \
  X(u64, tensor_count, tensorCount)

namespace result_kind {
using u32 = uint32_t;
using i32 = int32_t;
using u64 = uint64_t;
using f64 = double;
using str = std::string;
struct dims {
  uint64_t ne[4];
  uint32_t n;
};
}  // namespace result_kind

#define TRIT_RESULT_MEMBER(kind, json, ts) kind json{};
namespace result_kind {
struct MemoryPlanResult { TRIT_MEMORY_PLAN_FIELDS(TRIT_RESULT_MEMBER) };
struct ErrorReport { TRIT_ERROR_REPORT_FIELDS(TRIT_RESULT_MEMBER) };
using plan = MemoryPlanResult;
using error = ErrorReport;
}  // namespace result_kind
namespace result_kind {
struct ModelInfoResult { TRIT_ENGINE_MODEL_INFO_FIELDS(TRIT_RESULT_MEMBER) };
struct SelfTestReport { TRIT_SELF_TEST_REPORT_FIELDS(TRIT_RESULT_MEMBER) };
struct TensorInfoResult { TRIT_TENSOR_INFO_FIELDS(TRIT_RESULT_MEMBER) };
struct HeaderSummary { TRIT_HEADER_SUMMARY_FIELDS(TRIT_RESULT_MEMBER) };
}  // namespace result_kind
#undef TRIT_RESULT_MEMBER

using result_kind::ErrorReport;
using result_kind::HeaderSummary;
using result_kind::MemoryPlanResult;
using result_kind::ModelInfoResult;
using result_kind::SelfTestReport;
using result_kind::TensorInfoResult;
