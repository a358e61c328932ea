// Picks the form of the I2_S dot kernel this device runs fastest (see i2s.h): x86 and ARM lower the two forms to very
// different machine code, and only timing on the device tells which wins.
#include "i2s.h"
#include <cstdlib>
#include <cstring>
#include <emscripten.h>

namespace {

// A 69-row x 2560 matrix (43 KB) stays in cache, so the timing is of the kernel, not of memory: four full 16-row tiles
// and a partial one, so every kernel shape runs. One token (generation) and eight (a prompt) per repetition, as the
// engine calls it.
constexpr int kRows = 69, kCols = 2560, kPromptTokens = 8, kReps = 8;
// Dynamic tiering: V8 first runs the kernel from its baseline compiler and swaps in the optimized code after a few
// milliseconds of use. Trials alternate the forms until this much time has passed (and at least kMinTrials each), and
// each form's best trial counts, which is the optimized code once it has arrived.
constexpr double kBudgetMs = 40;
constexpr int kMinTrials = 4, kMaxTrials = 64;
// The i16 form stays unless another is this much faster: the two are within noise of each other on some cores.
constexpr double kMargin = 0.9;
constexpr int kMaxForms = 2;

double g_gmacs[kMaxForms] = {0, 0};
// Whether a form gave the first form's outputs bit for bit when last timed. Relaxed SIMD leaves each engine its own
// lowering, and a bare i32x4.relaxed_dot_i8x16_i7x16_add_s came out wrong in Node 20 (V8 11.3) though right in
// Chromium 156: a form an engine gets wrong is never run.
bool g_exact[kMaxForms] = {true, true};

struct Case {
  uint8_t* w;
  int8_t* q;
  float scale[kPromptTokens];
  int32_t sum[kPromptTokens];
};

// All of the matrix times one token, then times kPromptTokens tokens: outputs at y, kRows per token.
void run_case(const Case& c, float* y) {
  const int tiles = i2s_tile_count(kRows);
  i2s_matmul_simd(c.w, 1, kCols, kRows, 0, tiles, nullptr, c.q, c.scale, c.sum, 1, y, kRows);
  i2s_matmul_simd(c.w, 1, kCols, kRows, 0, tiles, nullptr, c.q, c.scale, c.sum, kPromptTokens, y + kRows, kRows);
}

}  // namespace

double i2s_kernel_form_gmacs(int form) { return form >= 0 && form < kMaxForms ? g_gmacs[form] : 0; }
bool i2s_kernel_form_exact(int form) { return form >= 0 && form < i2s_kernel_forms() && g_exact[form]; }

const char* i2s_choose_kernel() {
  const int forms = i2s_kernel_forms();
  if (forms < 2) return i2s_kernel_name();
  constexpr size_t kOutputs = (size_t)kRows * (1 + kPromptTokens);
  const size_t w_bytes = (size_t)kRows * kCols / 4;
  Case c;
  c.w = (uint8_t*)aligned_alloc(16, (w_bytes + 15) / 16 * 16);
  c.q = (int8_t*)aligned_alloc(16, (size_t)kPromptTokens * kCols);
  uint8_t* scratch = (uint8_t*)malloc(i2s_prepare_scratch_bytes(kCols) + 16);
  float* reference = (float*)malloc(sizeof(float) * kOutputs * 2);
  float* y = reference + kOutputs;
  if (!c.w || !c.q || !scratch || !reference) {
    free(c.w), free(c.q), free(scratch), free(reference);
    i2s_use_kernel_form(0);
    return i2s_kernel_name();
  }
  uint32_t state = 0x9e3779b9u;
  auto next = [&] { state ^= state << 13, state ^= state >> 17, state ^= state << 5; return state; };
  for (size_t i = 0; i < w_bytes; i++) c.w[i] = (uint8_t)next();
  for (int i = 0; i < kPromptTokens * kCols; i++) c.q[i] = (int8_t)next();
  i2s_prepare_rows(c.w, kCols, 0, kRows / kI2sTileRows, scratch);
  for (int t = 0; t < kPromptTokens; t++) c.scale[t] = 1, c.sum[t] = 0;

  // Each form against the first, bit for bit, before the timing (the baseline compiler's code) and after it (by then
  // mostly the optimized code), over every kernel shape: an engine's mistake may sit in one tier or one shape.
  i2s_use_kernel_form(0);
  run_case(c, reference);
  auto check = [&](int form) {
    i2s_use_kernel_form(form);
    run_case(c, y);
    if (memcmp(y, reference, sizeof(float) * kOutputs) != 0) g_exact[form] = false;
  };
  for (int form = 0; form < forms; form++) g_exact[form] = true, check(form);
  double best_ms[kMaxForms] = {1e30, 1e30};
  const double start = emscripten_get_now();
  for (int trial = 0; trial < kMaxTrials && (trial < kMinTrials || emscripten_get_now() - start < kBudgetMs); trial++)
    for (int form = 0; form < forms; form++) {
      i2s_use_kernel_form(form);
      const double t0 = emscripten_get_now();
      for (int rep = 0; rep < kReps; rep++) run_case(c, y);
      const double ms = emscripten_get_now() - t0;
      if (ms < best_ms[form]) best_ms[form] = ms;
    }
  for (int form = 0; form < forms; form++) check(form);
  const double macs = (double)kReps * kOutputs * kCols;
  // A coarse clock (100 us without cross-origin isolation) can read 0: count that as one tick.
  for (int form = 0; form < forms; form++) g_gmacs[form] = macs / ((best_ms[form] > 0 ? best_ms[form] : 0.1) * 1e6);
  i2s_use_kernel_form(g_exact[1] && g_gmacs[1] * kMargin > g_gmacs[0] ? 1 : 0);
  free(c.w), free(c.q), free(scratch), free(reference);
  return i2s_kernel_name();
}
