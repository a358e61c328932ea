// Turns the engine's placeholder instruction into relaxed SIMD's dot product after linking (see cpp/src/i2s_dot.cpp).
// Emscripten 3.1.6's clang cannot emit relaxed SIMD, so the dot kernel is written with i16x8.q15mulr_sat_s, which has
// the same shape (two v128 in, one out) and appears nowhere else in the engine; binaryen reads the linked module and
// writes it back with each of those replaced by i16x8.relaxed_dot_i8x16_i7x16_s.
//   node scripts/relaxed-simd.mjs rewrite <file.wasm>      in place; fails if there is nothing to rewrite
//   node scripts/relaxed-simd.mjs check-none <file.wasm>…  fails if a plain SIMD128 build contains the placeholder
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';

const PLACEHOLDER = 'i16x8.q15mulr_sat_s';
const RELAXED_DOT = 'i16x8.relaxed_dot_i8x16_i7x16_s';

// The features emscripten's output uses, plus relaxed SIMD. Not binaryen's "all": that would let it write newer
// encodings (e.g. of imports) that today's browsers reject.
const FEATURES =
  binaryen.Features.MVP |
  binaryen.Features.SIMD128 |
  binaryen.Features.RelaxedSIMD |
  binaryen.Features.Atomics |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt |
  binaryen.Features.SignExt |
  binaryen.Features.MutableGlobals |
  binaryen.Features.NontrappingFPToInt;

// Whether a wasm binary has a "name" custom section: a build linked with --profiling-funcs (to read its machine
// code; see cpp/README.md). Binaryen keeps it only in debug-info mode, which would give the shipped builds (they
// have none) a section of made-up names, so that mode is for modules that come with names.
function hasNameSection(bytes) {
  let at = 8;
  const leb = () => {
    let value = 0, shift = 0, byte;
    do {
      byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  while (at < bytes.length) {
    const id = bytes[at++], size = leb(), end = at + size;
    if (id === 0) {
      const nameLength = leb();
      if (Buffer.from(bytes.subarray(at, at + nameLength)).toString('utf8') === 'name') return true;
    }
    at = end;
  }
  return false;
}

function moduleText(path) {
  const bytes = readFileSync(path);
  binaryen.setDebugInfo(hasNameSection(bytes));
  const mod = binaryen.readBinary(bytes);
  mod.setFeatures(FEATURES);
  const text = mod.emitText();
  mod.dispose();
  return text;
}

function count(text, op) {
  return text.split(op).length - 1;
}

const [mode, ...files] = process.argv.slice(2);
if (mode === 'rewrite' && files.length === 1) {
  const [path] = files;
  const text = moduleText(path);
  const n = count(text, PLACEHOLDER);
  if (n === 0) {
    console.error(`${path}: no ${PLACEHOLDER} to rewrite; was it built with -DTRIT_RELAXED_SIMD?`);
    process.exit(1);
  }
  const mod = binaryen.parseText(text.replaceAll(PLACEHOLDER, RELAXED_DOT));
  mod.setFeatures(FEATURES);
  if (!mod.validate()) {
    console.error(`${path}: the rewritten module does not validate`);
    process.exit(1);
  }
  writeFileSync(path, mod.emitBinary());
  mod.dispose();
  console.log(`${path}: ${n} × ${RELAXED_DOT}`);
} else if (mode === 'check-none' && files.length > 0) {
  for (const path of files) {
    const n = count(moduleText(path), PLACEHOLDER);
    if (n > 0) {
      console.error(`${path}: ${n} × ${PLACEHOLDER} in a plain SIMD128 build; only the dot kernel may use it`);
      process.exit(1);
    }
  }
} else {
  console.error('usage: relaxed-simd.mjs rewrite <file.wasm> | check-none <file.wasm>...');
  process.exit(2);
}
