// Turns the engine's placeholder instructions into relaxed SIMD's dot products after linking (see cpp/src/i2s_dot.cpp).
// Emscripten 3.1.6's clang cannot emit relaxed SIMD, so the dot kernel is written with i16x8.q15mulr_sat_s, which has
// the same shape (two v128 in, one out) and appears nowhere else in the engine; binaryen reads the linked module and
// writes it back with each of those replaced by i16x8.relaxed_dot_i8x16_i7x16_s. The kernel's i32 form writes
// i16x8.avgr_u (also unused elsewhere) for "the four products of each i32 lane" inside an i32x4.add: that pair becomes
// one i32x4.relaxed_dot_i8x16_i7x16_add_s, and a placeholder with no such add around it gets a zero accumulator.
//   node scripts/relaxed-simd.mjs rewrite <file.wasm>      in place; fails if there is nothing to rewrite
//   node scripts/relaxed-simd.mjs check-none <file.wasm>…  fails if a plain SIMD128 build contains the placeholder
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';

const PLACEHOLDER = 'i16x8.q15mulr_sat_s';
const RELAXED_DOT = 'i16x8.relaxed_dot_i8x16_i7x16_s';
const DOT_ADD_PLACEHOLDER = 'i16x8.avgr_u';
const RELAXED_DOT_ADD = 'i32x4.relaxed_dot_i8x16_i7x16_add_s';
const ZERO_I32X4 = '(v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)';

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

// Binaryen writes function bodies as nested S-expressions, one instruction per parenthesised group with its operands
// as child groups. These walk that text; function bodies hold no strings.
function groupEnd(text, open) {
  for (let i = open, depth = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced group at ${open}`);
}
function childGroups(text, open, end) {
  const kids = [];
  for (let i = text.indexOf('(', open + 1); i >= 0 && i < end - 1; i = text.indexOf('(', i)) {
    const e = groupEnd(text, i);
    kids.push(text.slice(i, e));
    i = e;
  }
  return kids;
}
function enclosingOpen(text, at) {
  for (let i = at - 1, depth = 0; i >= 0; i--) {
    if (text[i] === ')') depth++;
    else if (text[i] === '(' && depth-- === 0) return i;
  }
  return -1;
}
const opAt = (text, open) => text.slice(open + 1).match(/^[^\s()]+/)[0];

// Each (i16x8.avgr_u A B) into (i32x4.relaxed_dot_i8x16_i7x16_add_s A B C): C is the other operand of an i32x4.add
// directly around it (the add is then gone), else zero. The last one first, so the ones before keep their place.
// Operands run left to right and may have effects (a local.tee that a later load reads), so the order stays: an add
// whose other operand C comes first becomes (dot-add (block (local.set $t C) A) B (local.get $t)), $t a new local.
function fuseDotAdds(text) {
  let fused = 0, alone = 0, temps = 0;
  for (let at = text.lastIndexOf(`(${DOT_ADD_PLACEHOLDER}\n`); at >= 0; at = text.lastIndexOf(`(${DOT_ADD_PLACEHOLDER}\n`)) {
    const end = groupEnd(text, at);
    const operands = childGroups(text, at, end);
    if (operands.length !== 2) throw new Error(`${DOT_ADD_PLACEHOLDER} with ${operands.length} operands`);
    const parent = enclosingOpen(text, at);
    if (parent >= 0 && opAt(text, parent) === 'i32x4.add') {
      const parentEnd = groupEnd(text, parent);
      const [first, second] = childGroups(text, parent, parentEnd);
      const placeholderFirst = parent + text.slice(parent, parentEnd).indexOf(first) === at;
      if (placeholderFirst) {
        text = `${text.slice(0, parent)}(${RELAXED_DOT_ADD}\n${operands.join('\n')}\n${second}\n)${text.slice(parentEnd)}`;
      } else {
        const temp = `$trit_dot_acc_${temps++}`;
        const [a, b] = operands;
        text = `${text.slice(0, parent)}(${RELAXED_DOT_ADD}\n(block (result v128)\n(local.set ${temp}\n${first}\n)\n${a}\n)\n${b}\n(local.get ${temp})\n)${text.slice(parentEnd)}`;
        // Declared first among the enclosing function's locals (right after its one-line header).
        const header = text.lastIndexOf('\n (func ', parent);
        const headerEnd = text.indexOf('\n', header + 1);
        text = `${text.slice(0, headerEnd)}\n  (local ${temp} v128)${text.slice(headerEnd)}`;
      }
      fused++;
    } else {
      text = `${text.slice(0, at)}(${RELAXED_DOT_ADD}\n${operands.join('\n')}\n${ZERO_I32X4}\n)${text.slice(end)}`;
      alone++;
    }
  }
  return { text, fused, alone };
}

const [mode, ...files] = process.argv.slice(2);
if (mode === 'rewrite' && files.length === 1) {
  const [path] = files;
  const text = moduleText(path);
  const n = count(text, PLACEHOLDER);
  if (n === 0 || count(text, DOT_ADD_PLACEHOLDER) === 0) {
    console.error(`${path}: no ${PLACEHOLDER} or no ${DOT_ADD_PLACEHOLDER} to rewrite; was it built with -DTRIT_RELAXED_SIMD?`);
    process.exit(1);
  }
  const dotAdd = fuseDotAdds(text.replaceAll(PLACEHOLDER, RELAXED_DOT));
  if (count(dotAdd.text, DOT_ADD_PLACEHOLDER) > 0) {
    console.error(`${path}: ${DOT_ADD_PLACEHOLDER} left after the rewrite`);
    process.exit(1);
  }
  const mod = binaryen.parseText(dotAdd.text);
  mod.setFeatures(FEATURES);
  if (!mod.validate()) {
    console.error(`${path}: the rewritten module does not validate`);
    process.exit(1);
  }
  writeFileSync(path, mod.emitBinary());
  mod.dispose();
  console.log(`${path}: ${n} × ${RELAXED_DOT}, ${dotAdd.fused + dotAdd.alone} × ${RELAXED_DOT_ADD} (${dotAdd.alone} with a zero accumulator)`);
} else if (mode === 'check-none' && files.length > 0) {
  for (const path of files) {
    const text = moduleText(path);
    for (const op of [PLACEHOLDER, DOT_ADD_PLACEHOLDER]) {
      const n = count(text, op);
      if (n > 0) {
        console.error(`${path}: ${n} × ${op} in a plain SIMD128 build; only the dot kernel may use it`);
        process.exit(1);
      }
    }
  }
} else {
  console.error('usage: relaxed-simd.mjs rewrite <file.wasm> | check-none <file.wasm>...');
  process.exit(2);
}
