#!/usr/bin/env bash
# Builds the engine in cpp/src into the six WebAssembly modules Trit ships and tests with, and writes
# cpp/build/stamp.json: a hash of the sources, this script and the compiler version, so a
# test can tell when the committed build no longer matches cpp/ (see scripts/wasm-stamp.mjs).
#   trit-mt         browser, SIMD128 + pthreads (needs cross-origin isolation)
#   trit-st         browser, SIMD128, one thread (no SharedArrayBuffer needed)
#   node/trit-node  Node, SIMD128 + pthreads (tests, benchmarks, the CLI), with the test-only kernel exports of
#                   cpp/src/test_hooks.cpp, which the browser builds leave out
# and each of the three again as *-relaxed: the I2_S dot kernel on relaxed SIMD (cpp/src/i2s_dot.cpp), for runtimes
# that have it; scripts/relaxed-simd.mjs writes its instruction in after linking.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
# npm run puts node_modules/.bin first in PATH, and the binaryen package there (scripts/relaxed-simd.mjs uses it as a
# library) ships wasm-opt and friends that emscripten would then pick over its own: the output changes (unminified
# import names). Emscripten gets the system's tools.
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v 'node_modules/\.bin' | paste -sd: -)
export PATH
command -v em++ >/dev/null || { echo "em++ not found: apt-get install -y emscripten" >&2; exit 1; }

OUT=cpp/build
mkdir -p "$OUT/node"
# Every source but the test hooks, which only the Node builds link (see the top of this file).
SOURCES=$(ls cpp/src/*.cpp cpp/src/models/*.cpp | grep -v '/test_hooks\.cpp$' | LC_ALL=C sort)
TEST_HOOKS=cpp/src/test_hooks.cpp

# Why these flags: -O3 and SIMD128 for the kernels; bulk memory so memcpy (1.2 GB while loading) is memory.copy; no
# exceptions or RTTI (errors are return codes); -pthread where the module runs the thread pool (atomics in the code).
CFLAGS=(-O3 -msimd128 -mbulk-memory -std=c++17 -fno-exceptions -fno-rtti -Wall -Wextra -Wno-unused-parameter)
# Linking at -O1 keeps binaryen's optimizer away from the code LLVM -O3 already optimized. Binaryen merges the I2_S
# kernel's 16-code steps back into one expression tree per accumulator (see i2s_dot.cpp), and V8 then spills: that
# cost Chromium a quarter of its prompt speed at one thread. Memory grows up to the 4 GiB wasm32 limit because a 2B
# model with its KV cache needs ~2 GB; it grows by exactly what is asked (emscripten's default adds up to 96 MiB,
# which the tab then holds for nothing: peak memory is what counts on a phone). The pthread pool size comes
# from the caller (Module.tritThreads) so it matches the threads we use.
LDFLAGS=(-O1 -msimd128 -mbulk-memory
  -sMODULARIZE=1 -sEXPORT_NAME=createTritModule -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB -sMEMORY_GROWTH_GEOMETRIC_STEP=0
  -sINITIAL_MEMORY=32MB -sTOTAL_STACK=1MB -sFILESYSTEM=0 -sEXPORTED_FUNCTIONS=_malloc,_free
  -sEXPORTED_RUNTIME_METHODS=UTF8ToString,stringToUTF8,lengthBytesUTF8 -sINCOMING_MODULE_JS_API=tritThreads,locateFile,print,printErr,wasmBinary,instantiateWasm,mainScriptUrlOrBlob)
THREADS=(-pthread -sPTHREAD_POOL_SIZE='Module["tritThreads"]||1' -Wno-pthreads-mem-growth)

OBJ=$(mktemp -d)
trap 'rm -rf "$OBJ"' EXIT
# compile <object dir> <flags…>: every source into <object dir>, one after another.
compile() {
  local dir="$OBJ/$1"; shift
  mkdir -p "$dir"
  for src in $SOURCES; do em++ "${CFLAGS[@]}" "$@" -c "$src" -o "$dir/$(basename "$src" .cpp).o"; done
}
# link <object dir> <flags…>. TRIT_LDFLAGS adds link flags (--profiling-funcs keeps function names; see cpp/README.md).
link() {
  local dir="$OBJ/$1"; shift
  em++ "${LDFLAGS[@]}" ${TRIT_LDFLAGS:-} "$@" $(ls "$dir"/*.o | LC_ALL=C sort)
}
# compile_hooks <object dir> <flags…>: the test hooks, for the Node link only.
compile_hooks() {
  local dir="$OBJ/$1"; shift
  mkdir -p "$dir"
  em++ "${CFLAGS[@]}" "$@" -c "$TEST_HOOKS" -o "$dir/test_hooks.o"
}
# Waits for every background job; fails if one did.
wait_all() { local pid; for pid in "${pids[@]}"; do wait "$pid"; done; pids=(); }

pids=()
compile mt -pthread & pids+=($!)
compile st & pids+=($!)
compile mt-relaxed -pthread -DTRIT_RELAXED_SIMD=1 & pids+=($!)
compile st-relaxed -DTRIT_RELAXED_SIMD=1 & pids+=($!)
compile_hooks hooks -pthread & pids+=($!)
compile_hooks hooks-relaxed -pthread -DTRIT_RELAXED_SIMD=1 & pids+=($!)
wait_all
for variant in "" -relaxed; do
  link "mt$variant" "${THREADS[@]}" -sENVIRONMENT=web,worker -sEXPORT_ES6=1 -o "$OUT/trit-mt$variant.js" & pids+=($!)
  link "st$variant" -sENVIRONMENT=web,worker -sEXPORT_ES6=1 -o "$OUT/trit-st$variant.js" & pids+=($!)
  link "mt$variant" "${THREADS[@]}" -sENVIRONMENT=node "$OBJ/hooks$variant/test_hooks.o" -o "$OUT/node/trit-node$variant.js" & pids+=($!)
  wait_all
done
for m in trit-mt-relaxed trit-st-relaxed node/trit-node-relaxed; do node scripts/relaxed-simd.mjs rewrite "$OUT/$m.wasm"; done
node scripts/relaxed-simd.mjs check-none "$OUT/trit-mt.wasm" "$OUT/trit-st.wasm" "$OUT/node/trit-node.wasm"
# The Node glue and its pthread worker are CommonJS; the repo's package.json says "module".
echo '{ "type": "commonjs" }' > "$OUT/node/package.json"
# Types for the ES module glue; WasmEngine.create narrows what the factory resolves to.
for m in trit-mt trit-st trit-mt-relaxed trit-st-relaxed; do
  printf '%s\n' '/** Emscripten factory: instantiates the engine module. Generated by scripts/build-wasm.sh. */' \
    'declare function createTritModule(moduleArg?: Record<string, unknown>): Promise<unknown>;' \
    'export default createTritModule;' > "$OUT/$m.d.ts"
done

node scripts/wasm-stamp.mjs write
echo "built $(ls "$OUT" "$OUT/node" | tr '\n' ' ')"
