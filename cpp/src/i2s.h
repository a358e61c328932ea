// I2_S ternary kernels (ggml type 36, the format of BitNet-b1.58 GGUF files).
// Weights: rows of ne0 2-bit codes (0 = -1, 1 = 0, 2 = +1) in 128-element blocks of 32 bytes; byte b of a block holds
// elements b, 32+b, 64+b, 96+b in bits 7..6, 5..4, 3..2, 1..0. Activations: int8 per token with scale s and sum Q.
// Output: y = (((float)acc - (float)Q) / s) * weight_scale with acc = sum code * q (exact integers), which both the
// scalar reference and the SIMD kernels compute bit-for-bit identically.
#pragma once
#include <cstddef>
#include <cstdint>

constexpr int kI2sBlockElems = 128;
constexpr int kI2sBlockBytes = 32;

// Per-token absmax quantization as the reference engine does it. Returns the scale s; *sum gets Q = sum of q.
float i2s_quantize_row(const float* x, int n, int8_t* q, int32_t* sum);

inline float i2s_output(int32_t acc, int32_t q_sum, float act_scale, float weight_scale) {
  return (((float)acc - (float)q_sum) / act_scale) * weight_scale;
}

// acc = sum over the row of code * q. Kept scalar: the reference the SIMD kernels are checked against.
int32_t i2s_dot_scalar(const uint8_t* row, const int8_t* q, int ne0);
// Rows [row_begin, row_end) of W (ne0 columns) times one token (y[m]) or n_tokens tokens (q: n_tokens rows of ne0,
// act_scale/q_sum per token; y[t * ld_y + m]).
void i2s_matvec_scalar(const uint8_t* w, float w_scale, int ne0, int row_begin, int row_end, const int8_t* q,
                       float act_scale, int32_t q_sum, float* y);
void i2s_matmul_scalar(const uint8_t* w, float w_scale, int ne0, int row_begin, int row_end, const int8_t* q,
                       const float* act_scale, const int32_t* q_sum, int n_tokens, float* y, int ld_y);

// ---- SIMD kernels: the same results as the scalar ones, bit for bit ----
// A build has one of two (scripts/build-wasm.sh builds both; the page and Node pick by what the runtime validates):
//  - the table kernel (i2s_table.cpp), plain SIMD128: weights are rearranged into 16-row tiles and each token's
//    activations become lookup tables that i8x16.swizzle reads;
//  - the dot kernel (i2s_dot.cpp, built with TRIT_RELAXED_SIMD): relaxed SIMD's i16x8.relaxed_dot_i8x16_i7x16_s
//    (one PMADDUBSW on x86) multiplies the int8 activations by codes unpacked to bytes; every 4 rows of a tile are
//    interleaved by 128-element block.
// Both hand out work in tiles of 16 rows; the last tile may be partial.
// The dot kernel comes in two forms (i2s_dot.cpp): "relaxed-dot" (i16 lanes) and "relaxed-dot-add" (the i32 dot-add,
// one SDOT on ARM); the table build has one form. Which form runs is process-wide: set it before work starts.
const char* i2s_kernel_name();       // "table", "relaxed-dot" or "relaxed-dot-add"
int i2s_kernel_forms();              // 1 (table build) or 2
bool i2s_use_kernel_form(int form);  // 0 or 1; false when this build has no such form
// Times every form of this build on one thread over a small matrix that stays in cache (a few ms in all), keeps the
// fastest (the i16 form unless another is clearly faster) and returns its name. i2s_choice.cpp.
const char* i2s_choose_kernel();
// What i2s_choose_kernel measured for `form`: G multiply-adds per second (0 before it ran, or for no such form), and
// whether its outputs equalled the first form's bit for bit (a runtime may compute an instruction wrongly).
double i2s_kernel_form_gmacs(int form);
bool i2s_kernel_form_exact(int form);
constexpr int kI2sTileRows = 16;
inline int i2s_tile_count(int ne1) { return (ne1 + kI2sTileRows - 1) / kI2sTileRows; }

// Converts full tiles [tile_begin, tile_end) (at most ne1 / kI2sTileRows) of w (ne0 columns) in place to the kernel's
// layout, once after loading; the bytes and their size stay the same. scratch: i2s_prepare_scratch_bytes(ne0).
size_t i2s_prepare_scratch_bytes(int ne0);
void i2s_prepare_rows(uint8_t* w, int ne0, int tile_begin, int tile_end, uint8_t* scratch);

// What the kernel needs per token besides the int8 activations: i2s_activation_table_bytes(ne0) bytes (0 if none).
size_t i2s_activation_table_bytes(int ne0);
void i2s_build_activation_table(const int8_t* q, int ne0, uint8_t* table);

// Tiles [tile_begin, tile_end) of a prepared W (ne1 rows) times n_tokens tokens: q holds their int8 activations
// (ne0 apart), tables their i2s_build_activation_table output, act_scale/q_sum per token; y[t * ld_y + m].
void i2s_matmul_simd(const uint8_t* w, float w_scale, int ne0, int ne1, int tile_begin, int tile_end,
                     const uint8_t* tables, const int8_t* q, const float* act_scale, const int32_t* q_sum,
                     int n_tokens, float* y, int ld_y);
