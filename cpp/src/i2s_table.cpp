// The table kernel: plain SIMD128 (see i2s.h). Built unless TRIT_RELAXED_SIMD selects the dot kernel.
#ifndef TRIT_RELAXED_SIMD
#include "i2s.h"
#include <cstring>
#include <wasm_simd128.h>

// Why tables: WebAssembly SIMD has no 8-bit multiply-add. Multiplying 2-bit codes with activations through
// i32x4.dot_i16x8_s costs a shift, an AND, the dot and an add per 8 weights. Looking up instead: for each pair of
// activations (x0, x1) a 16-entry table holds v = (c0 - 1) x0 + (c1 - 1) x1 for every pair of codes, and one
// i8x16.swizzle reads 16 rows' values at once (one TBL on ARM, PSHUFB on x86). v needs 10 bits, so it is kept as two
// byte tables (low byte, high byte) that an interleave turns back into i16. Measured ~1.5x an i32x4.dot_i16x8_s kernel in V8 on x86.
// The sum of v over a row is acc - Q, so acc = that + Q: the same integer as the scalar kernel, then the same floats.

const char* i2s_kernel_name() { return "table"; }
int i2s_kernel_forms() { return 1; }
bool i2s_use_kernel_form(int form) { return form == 0; }

size_t i2s_prepare_scratch_bytes(int ne0) { return (size_t)kI2sTileRows * ne0 / 4; }

// A tile: 16-byte vector j holds in byte r the codes of row r's elements 4j..4j+3 (c0 | c1 << 2 | c2 << 4 |
// c3 << 6), the same bytes as its 16 rows in the file. Rows after the last full tile stay as in the file.
void i2s_prepare_rows(uint8_t* w, int ne0, int tile_begin, int tile_end, uint8_t* scratch) {
  const size_t tile_bytes = (size_t)kI2sTileRows * ne0 / 4;
  const int row_bytes = ne0 / 4;
  for (int tile = tile_begin; tile < tile_end; tile++) {
    uint8_t* out = w + (size_t)tile * tile_bytes;
    memcpy(scratch, out, tile_bytes);
    for (int r = 0; r < kI2sTileRows; r++) {
      const uint8_t* row = scratch + (size_t)r * row_bytes;
      // Elements 4j..4j+3 sit in the same bit slot of 4 consecutive bytes: (word >> shift) & 0x03030303 holds them
      // one per byte; folding the bytes together packs them c0 | c1 << 2 | c2 << 4 | c3 << 6. Four j per vector.
      for (int j = 0; j < row_bytes; j += 4) {
        const int block = j / 32, in_block = j % 32;
        const int shift = 6 - 2 * (in_block / 8);
        v128_t v = wasm_v128_load(row + block * kI2sBlockBytes + 4 * (in_block % 8));
        v = wasm_v128_and(wasm_u32x4_shr(v, shift), wasm_i32x4_splat(0x03030303));
        v = wasm_v128_or(wasm_v128_or(v, wasm_u32x4_shr(v, 6)), wasm_v128_or(wasm_u32x4_shr(v, 12), wasm_u32x4_shr(v, 18)));
        out[(size_t)(j + 0) * kI2sTileRows + r] = (uint8_t)wasm_i32x4_extract_lane(v, 0);
        out[(size_t)(j + 1) * kI2sTileRows + r] = (uint8_t)wasm_i32x4_extract_lane(v, 1);
        out[(size_t)(j + 2) * kI2sTileRows + r] = (uint8_t)wasm_i32x4_extract_lane(v, 2);
        out[(size_t)(j + 3) * kI2sTileRows + r] = (uint8_t)wasm_i32x4_extract_lane(v, 3);
      }
    }
  }
}

// Per token, 32 bytes per pair of inputs: the low and high bytes of the 16 values (c0 - 1) x0 + (c1 - 1) x1.
size_t i2s_activation_table_bytes(int ne0) { return (size_t)ne0 * 16; }

void i2s_build_activation_table(const int8_t* q, int ne0, uint8_t* lut) {
  // Entry i = c0 | c1 << 2: (c0 - 1) for i = 0..7 and 8..15 is the same pattern, (c1 - 1) differs between halves.
  const v128_t c0 = wasm_i16x8_make(-1, 0, 1, 2, -1, 0, 1, 2);
  const v128_t c1_low = wasm_i16x8_make(-1, -1, -1, -1, 0, 0, 0, 0), c1_high = wasm_i16x8_make(1, 1, 1, 1, 2, 2, 2, 2);
  for (int p = 0; p < ne0 / 2; p++) {
    const v128_t x0 = wasm_i16x8_splat(q[2 * p]), x1 = wasm_i16x8_splat(q[2 * p + 1]);
    const v128_t a = wasm_i16x8_mul(x0, c0);
    const v128_t v_low = wasm_i16x8_add(a, wasm_i16x8_mul(x1, c1_low));
    const v128_t v_high = wasm_i16x8_add(a, wasm_i16x8_mul(x1, c1_high));
    uint8_t* t = lut + (size_t)p * 32;
    wasm_v128_store(t, wasm_i8x16_shuffle(v_low, v_high, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30));
    wasm_v128_store(t + 16, wasm_i8x16_shuffle(v_low, v_high, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31));
  }
}

namespace {

// A pair's |v| <= 2 * 2 * 128, so i16 lanes hold 64 pairs (32 vectors of a tile) before they move to i32.
constexpr int kVectorsPerI16Run = 32;

// TILES tiles (16 rows each, tile_stride bytes apart) against TOKENS tokens' tables (lut_stride bytes apart):
// d[token][tile * 16 + r] = sum over the row of (code - 1) * q. Each index vector serves every token, each table
// load every tile; at most 8 i16 accumulators, which V8 keeps in registers.
template <int TILES, int TOKENS>
__attribute__((noinline)) void lut_tiles(const uint8_t* w, size_t tile_stride, const uint8_t* lut, size_t lut_stride,
                                         int ne0, int32_t d[TOKENS][32]) {
  const int n_vectors = ne0 / 4;
  const v128_t nibble = wasm_i8x16_splat(0x0F);
  v128_t total[TOKENS][TILES][4];
  for (int t = 0; t < TOKENS; t++)
    for (int i = 0; i < TILES; i++) total[t][i][0] = total[t][i][1] = total[t][i][2] = total[t][i][3] = wasm_i32x4_splat(0);
  for (int run = 0; run < n_vectors; run += kVectorsPerI16Run) {
    const int run_end = run + kVectorsPerI16Run < n_vectors ? run + kVectorsPerI16Run : n_vectors;
    v128_t acc[TOKENS][TILES][2];
    for (int t = 0; t < TOKENS; t++)
      for (int i = 0; i < TILES; i++) acc[t][i][0] = acc[t][i][1] = wasm_i16x8_splat(0);
    for (int j = run; j < run_end; j++) {
#pragma clang loop unroll(full)
      for (int half = 0; half < 2; half++) {  // low nibbles: elements 4j, 4j+1; high nibbles: 4j+2, 4j+3
        v128_t index[TILES];
#pragma clang loop unroll(full)
        for (int i = 0; i < TILES; i++) {
          const v128_t v = wasm_v128_load(w + i * tile_stride + (size_t)j * 16);
          index[i] = half == 0 ? wasm_v128_and(v, nibble) : wasm_v128_and(wasm_u16x8_shr(v, 4), nibble);
        }
#pragma clang loop unroll(full)
        for (int t = 0; t < TOKENS; t++) {
          const uint8_t* table = lut + t * lut_stride + (size_t)j * 64 + half * 32;
          const v128_t low = wasm_v128_load(table), high = wasm_v128_load(table + 16);
#pragma clang loop unroll(full)
          for (int i = 0; i < TILES; i++) {
            const v128_t lo = wasm_i8x16_swizzle(low, index[i]), hi = wasm_i8x16_swizzle(high, index[i]);
            acc[t][i][0] = wasm_i16x8_add(acc[t][i][0], wasm_i8x16_shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
            acc[t][i][1] = wasm_i16x8_add(acc[t][i][1], wasm_i8x16_shuffle(lo, hi, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31));
          }
        }
      }
    }
    for (int t = 0; t < TOKENS; t++)
      for (int i = 0; i < TILES; i++) {
        total[t][i][0] = wasm_i32x4_add(total[t][i][0], wasm_i32x4_extend_low_i16x8(acc[t][i][0]));
        total[t][i][1] = wasm_i32x4_add(total[t][i][1], wasm_i32x4_extend_high_i16x8(acc[t][i][0]));
        total[t][i][2] = wasm_i32x4_add(total[t][i][2], wasm_i32x4_extend_low_i16x8(acc[t][i][1]));
        total[t][i][3] = wasm_i32x4_add(total[t][i][3], wasm_i32x4_extend_high_i16x8(acc[t][i][1]));
      }
  }
  for (int t = 0; t < TOKENS; t++)
    for (int i = 0; i < TILES; i++)
      for (int k = 0; k < 4; k++) wasm_v128_store(&d[t][i * 16 + k * 4], total[t][i][k]);
}

// Tiles per block of the matrix-matrix loop: 256 rows (at most 442 KB of weights for 6912 inputs) stay in L2 while
// every pair of tokens passes over them, so each weight byte comes from memory once per batch.
constexpr int kTilesPerBlock = 16;

}  // namespace

void i2s_matmul_simd(const uint8_t* w, float w_scale, int ne0, int ne1, int tile_begin, int tile_end,
                      const uint8_t* luts, const int8_t* q, const float* act_scale, const int32_t* q_sum, int n_tokens,
                      float* y, int ld_y) {
  const size_t tile_bytes = (size_t)kI2sTileRows * ne0 / 4, lut_bytes = i2s_activation_table_bytes(ne0);
  const int full_tiles = ne1 / kI2sTileRows;
  auto store = [&](int t, int first_row, int n_rows, const int32_t* d) {
    for (int r = 0; r < n_rows; r++)
      y[(size_t)t * ld_y + first_row + r] = i2s_output(d[r] + q_sum[t], q_sum[t], act_scale[t], w_scale);
  };
  int32_t d[2][32];
  const int full_end = tile_end < full_tiles ? tile_end : full_tiles;
  for (int block = tile_begin; block < full_end; block += kTilesPerBlock) {
    const int block_end = block + kTilesPerBlock < full_end ? block + kTilesPerBlock : full_end;
    int t = 0;
    for (; t + 2 <= n_tokens; t += 2) {
      const uint8_t* lut = luts + (size_t)t * lut_bytes;
      int tile = block;
      for (; tile + 2 <= block_end; tile += 2) {
        lut_tiles<2, 2>(w + (size_t)tile * tile_bytes, tile_bytes, lut, lut_bytes, ne0, d);
        store(t, tile * kI2sTileRows, 32, d[0]);
        store(t + 1, tile * kI2sTileRows, 32, d[1]);
      }
      if (tile < block_end) {
        lut_tiles<1, 2>(w + (size_t)tile * tile_bytes, tile_bytes, lut, lut_bytes, ne0, d);
        store(t, tile * kI2sTileRows, 16, d[0]);
        store(t + 1, tile * kI2sTileRows, 16, d[1]);
      }
    }
    for (; t < n_tokens; t++) {
      const uint8_t* lut = luts + (size_t)t * lut_bytes;
      int tile = block;
      for (; tile + 2 <= block_end; tile += 2) {
        lut_tiles<2, 1>(w + (size_t)tile * tile_bytes, tile_bytes, lut, lut_bytes, ne0, d);
        store(t, tile * kI2sTileRows, 32, d[0]);
      }
      if (tile < block_end) {
        lut_tiles<1, 1>(w + (size_t)tile * tile_bytes, tile_bytes, lut, lut_bytes, ne0, d);
        store(t, tile * kI2sTileRows, 16, d[0]);
      }
    }
  }
  // Rows after the last full tile keep the file layout: the scalar kernel, exact by definition.
  if (tile_end > full_tiles && full_tiles * kI2sTileRows < ne1)
    i2s_matmul_scalar(w, w_scale, ne0, full_tiles * kI2sTileRows, ne1, q, act_scale, q_sum, n_tokens, y, ld_y);
}

#endif  // TRIT_RELAXED_SIMD
