// The dot kernel (see i2s.h): built with TRIT_RELAXED_SIMD, for runtimes with relaxed SIMD.
#ifdef TRIT_RELAXED_SIMD
#include "i2s.h"
#include <cstring>
#include <wasm_simd128.h>

// Why: i16x8.relaxed_dot_i8x16_i7x16_s multiplies 16 int8 activations by 16 bytes in [0, 127] and adds neighbouring
// products into i16 lanes: one PMADDUBSW on x86. The 2-bit codes (0..3) are in the range where every engine must give
// the exact sum, and |sum| <= 2 * 3 * 128 cannot saturate, so the kernel is exact. Unpacking codes (a shift and an
// AND) costs less than a plain-SIMD swizzle (three instructions in V8 on x86, to zero out-of-range lanes) and the
// table kernel's byte interleave. Measured on the 2B-4T shape in Node against the table kernel: generation 1.4x at
// 1 thread, prompts 1.5-1.6x.
//
// Clang 14 (emscripten 3.1.6) cannot emit relaxed SIMD instructions. The source therefore writes
// i16x8.q15mulr_sat_s, an instruction of the same shape that nothing else in the engine uses, and
// scripts/relaxed-simd.mjs rewrites each one into the relaxed dot after linking (the build fails if it finds none).
// Left unrewritten, the results would be wrong, which the kernel tests catch.
static inline v128_t dot_pairs(v128_t x, v128_t codes) { return wasm_i16x8_q15mulr_sat(x, codes); }

// Why a second form: on arm64 V8 lowers the i16 dot above to SMULL + SMULL2 + ADDP (then the ADD), but
// i32x4.relaxed_dot_i8x16_i7x16_add_s to one SDOT on cores with the dot-product extension, as native NEON code does;
// on x86 the i32 form is PMADDUBSW + PMADDWD + PADDD, slower than the i16 one (cpp/README.md, "Vector width"). Which
// is faster is known only on the device, so i2s_choose_kernel times both when the engine starts. acc + the four
// products of each i32 lane: the sum fits, so this form is exact on every engine too.
// The stand-in written here is i16x8.avgr_u, also unused elsewhere; scripts/relaxed-simd.mjs fuses it with the
// i32x4.add around it into the dot-add (or gives it a zero accumulator).
static inline v128_t dot_add(v128_t x, v128_t codes, v128_t acc) { return wasm_i32x4_add(acc, wasm_u16x8_avgr(x, codes)); }

enum DotForm { kDotI16 = 0, kDotI32 = 1 };
static DotForm g_dot_form = kDotI16;
const char* i2s_kernel_name() { return g_dot_form == kDotI32 ? "relaxed-dot-add" : "relaxed-dot"; }
int i2s_kernel_forms() { return 2; }
bool i2s_use_kernel_form(int form) {
  if (form != kDotI16 && form != kDotI32) return false;
  g_dot_form = (DotForm)form;
  return true;
}

// Layout: within each full 16-row tile, every 4 rows are interleaved by block (row 0's 32 bytes of block b, then rows
// 1, 2, 3, then block b + 1), so one token's pass over 4 rows reads memory in order: with 4 separate rows in flight,
// streaming 520 MB per token ran at two thirds of the speed. Rows after the last full tile keep the file layout.
constexpr int kQuadRows = 4;
size_t i2s_prepare_scratch_bytes(int ne0) { return (size_t)kQuadRows * ne0 / 4; }

void i2s_prepare_rows(uint8_t* w, int ne0, int tile_begin, int tile_end, uint8_t* scratch) {
  const size_t row_bytes = (size_t)ne0 / 4, quad_bytes = kQuadRows * row_bytes;
  const int n_blocks = ne0 / kI2sBlockElems;
  for (int tile = tile_begin; tile < tile_end; tile++)
    for (int quad = 0; quad < kI2sTileRows / kQuadRows; quad++) {
      uint8_t* out = w + (size_t)tile * kI2sTileRows * row_bytes + quad * quad_bytes;
      memcpy(scratch, out, quad_bytes);
      for (int b = 0; b < n_blocks; b++)
        for (int r = 0; r < kQuadRows; r++)
          memcpy(out + ((size_t)b * kQuadRows + r) * kI2sBlockBytes, scratch + r * row_bytes + b * kI2sBlockBytes,
                 kI2sBlockBytes);
    }
}
size_t i2s_activation_table_bytes(int ne0) { return 0; }
void i2s_build_activation_table(const int8_t* q, int ne0, uint8_t* table) {}

namespace {

// i16 lanes take 4 blocks (32 pair sums of at most 768) before they move to i32 (the i32 form's lanes need no runs,
// but keep the same loop).
constexpr int kBlocksPerI16Run = 4;

// Why: left alone, LLVM merges a whole block's updates of each accumulator into one expression tree, and V8 (Chromium
// compiles wasm in the order given) then keeps every unpacked code or activation vector of the block alive at once:
// a third of the prompt kernel's instructions were spills. An empty asm statement that reads and writes an
// accumulator and may touch memory ends a step: what it needs is computed before it, loads after it stay after it.
// (scripts/build-wasm.sh links without binaryen's optimizer, which would merge the steps again.) Measured in Chromium
// at one thread: prompts 21 -> 28 tokens/s; Node 20's older compiler reorders the code itself and lost 8%.
static inline void end_of_step(v128_t& acc) { __asm__ volatile("" : "+r"(acc)::"memory"); }

// R rows times T tokens (ne0 apart): d[t * R + r] = sum over the row of code * q. Row r's block b starts at
// w + r * row_stride + b * block_stride (file layout: row_bytes and 32; a quad: 32 and 128).
// In a 32-byte block, byte b holds elements b, 32 + b, 64 + b, 96 + b in bits 7..6, 5..4, 3..2, 1..0: a 16-byte half
// gives four groups of 16 codes, each beside 16 consecutive activations. Each unpacked group serves every token,
// each activation load every row.
template <int R, int T, DotForm F>
__attribute__((noinline)) void rows_dot(const uint8_t* w, size_t row_stride, size_t block_stride, const int8_t* q,
                                        int ne0, int32_t* d) {
  const v128_t two_bits = wasm_i8x16_splat(3);
  v128_t total[T][R];
  for (int t = 0; t < T; t++)
    for (int r = 0; r < R; r++) total[t][r] = wasm_i32x4_splat(0);
  const int n_blocks = ne0 / kI2sBlockElems;
  for (int run = 0; run < n_blocks; run += kBlocksPerI16Run) {
    const int run_end = run + kBlocksPerI16Run < n_blocks ? run + kBlocksPerI16Run : n_blocks;
    v128_t acc[T][R];
    for (int t = 0; t < T; t++)
      for (int r = 0; r < R; r++) acc[t][r] = wasm_i32x4_splat(0);
    for (int b = run; b < run_end; b++) {
#pragma clang loop unroll(full)
      for (int half = 0; half < 2; half++) {
#pragma clang loop unroll(full)
        for (int group = 0; group < 4; group++) {
          v128_t x[T];
#pragma clang loop unroll(full)
          for (int t = 0; t < T; t++)
            x[t] = wasm_v128_load(q + (size_t)t * ne0 + b * kI2sBlockElems + group * 32 + half * 16);
#pragma clang loop unroll(full)
          for (int r = 0; r < R; r++) {
            const v128_t packed = wasm_v128_load(w + r * row_stride + b * block_stride + half * 16);
            const v128_t codes = group == 3 ? wasm_v128_and(packed, two_bits)
                                            : wasm_v128_and(wasm_u16x8_shr(packed, 6 - 2 * group), two_bits);
#pragma clang loop unroll(full)
            for (int t = 0; t < T; t++)
              acc[t][r] = F == kDotI32 ? dot_add(x[t], codes, acc[t][r]) : wasm_i16x8_add(acc[t][r], dot_pairs(x[t], codes));
            // Several tokens: every token uses this row's codes now, and they are not kept.
#pragma clang loop unroll(full)
            for (int t = 0; t < T; t++)
              if (T > 1) end_of_step(acc[t][r]);
          }
        }
        // One token: a half block's four activation vectors serve every row, and are not kept.
        if (T == 1)
          for (int r = 0; r < R; r++) end_of_step(acc[0][r]);
      }
    }
    for (int t = 0; t < T; t++)
      for (int r = 0; r < R; r++)
        total[t][r] = wasm_i32x4_add(total[t][r], F == kDotI32 ? acc[t][r] : wasm_i32x4_extadd_pairwise_i16x8(acc[t][r]));
  }
  for (int t = 0; t < T; t++)
    for (int r = 0; r < R; r++) {
      const v128_t s = total[t][r];
      d[t * R + r] = wasm_i32x4_extract_lane(s, 0) + wasm_i32x4_extract_lane(s, 1) + wasm_i32x4_extract_lane(s, 2) +
                     wasm_i32x4_extract_lane(s, 3);
    }
}

// Rows per block of the matrix-matrix loop: 64 rows (110 KB of weights for 6912 inputs) stay in L2 while every pair
// of tokens passes over them.
constexpr int kRowsPerBlock = 64;

template <DotForm F>
void matmul(const uint8_t* w, float w_scale, int ne0, int ne1, int tile_begin, int tile_end, const int8_t* q,
            const float* act_scale, const int32_t* q_sum, int n_tokens, float* y, int ld_y) {
  const size_t row_bytes = (size_t)ne0 / 4;
  const int full_rows = ne1 / kI2sTileRows * kI2sTileRows;
  const int row_begin = tile_begin * kI2sTileRows;
  const int row_end = tile_end * kI2sTileRows < ne1 ? tile_end * kI2sTileRows : ne1;
  const int quad_end = row_end < full_rows ? row_end : full_rows;  // interleaved rows end here
  const int file_rows_begin = quad_end > row_begin ? quad_end : row_begin;  // the partial tile, in file layout
  int32_t d[8];
  auto store = [&](int t, int row, int32_t acc) {
    y[(size_t)t * ld_y + row] = i2s_output(acc, q_sum[t], act_scale[t], w_scale);
  };
  // Full tiles start at multiples of 16 rows, so every pass below starts a quad: its 4 rows begin at row m's bytes.
  auto quad = [&](int m) { return w + (size_t)m * row_bytes; };
  const size_t quad_block = kQuadRows * kI2sBlockBytes;
  // One token at a time: four rows per pass share each activation load.
  auto one_token = [&](int t, int first, int last) {
    const int8_t* qt = q + (size_t)t * ne0;
    for (int m = first; m < last; m += 4) {
      rows_dot<4, 1, F>(quad(m), kI2sBlockBytes, quad_block, qt, ne0, d);
      for (int r = 0; r < 4; r++) store(t, m + r, d[r]);
    }
  };
  auto one_token_file_rows = [&](int t, int first, int last) {
    for (int m = first; m < last; m++) {
      rows_dot<1, 1, F>(w + m * row_bytes, row_bytes, kI2sBlockBytes, q + (size_t)t * ne0, ne0, d);
      store(t, m, d[0]);
    }
  };
  if (n_tokens == 1) {
    one_token(0, row_begin, quad_end);
    one_token_file_rows(0, file_rows_begin, row_end);
    return;
  }
  // Many tokens: four rows times two tokens per pass, over blocks of rows that stay in L2 while every token passes.
  for (int block = row_begin; block < quad_end; block += kRowsPerBlock) {
    const int block_end = block + kRowsPerBlock < quad_end ? block + kRowsPerBlock : quad_end;
    int t = 0;
    for (; t + 2 <= n_tokens; t += 2) {
      const int8_t* qt = q + (size_t)t * ne0;
      for (int m = block; m < block_end; m += 4) {
        rows_dot<4, 2, F>(quad(m), kI2sBlockBytes, quad_block, qt, ne0, d);
        for (int r = 0; r < 4; r++) {
          store(t, m + r, d[r]);
          store(t + 1, m + r, d[4 + r]);
        }
      }
    }
    if (t < n_tokens) one_token(t, block, block_end);
  }
  for (int t = 0; t < n_tokens; t++) one_token_file_rows(t, file_rows_begin, row_end);
}

}  // namespace

void i2s_matmul_simd(const uint8_t* w, float w_scale, int ne0, int ne1, int tile_begin, int tile_end,
                     const uint8_t* tables, const int8_t* q, const float* act_scale, const int32_t* q_sum,
                     int n_tokens, float* y, int ld_y) {
  if (g_dot_form == kDotI32) matmul<kDotI32>(w, w_scale, ne0, ne1, tile_begin, tile_end, q, act_scale, q_sum, n_tokens, y, ld_y);
  else matmul<kDotI16>(w, w_scale, ne0, ne1, tile_begin, tile_end, q, act_scale, q_sum, n_tokens, y, ld_y);
}

#endif  // TRIT_RELAXED_SIMD
