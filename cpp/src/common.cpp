#include "common.h"
#include <cstdarg>
#include <cstdio>
#include <emscripten.h>

static int g_error_code = TRIT_OK;
static char g_error_message[1024];

int trit_fail(int code, const char* fmt, ...) {
  g_error_code = code;
  va_list args;
  va_start(args, fmt);
  vsnprintf(g_error_message, sizeof g_error_message, fmt, args);
  va_end(args);
  return code;
}

void trit_clear_error() {
  g_error_code = TRIT_OK;
  g_error_message[0] = 0;
}

int trit_error_code() { return g_error_code; }
const char* trit_error_message() { return g_error_message; }

double trit_now_ms() { return emscripten_get_now(); }

const char* trit_status_name_of(int code) {
  switch (code) {
#define TRIT_STATUS_CASE(id, value, name) \
  case value: return name;
    TRIT_STATUS_LIST(TRIT_STATUS_CASE)
#undef TRIT_STATUS_CASE
  }
  return "internal";
}
