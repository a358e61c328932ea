/**
 * The engine's kernels one at a time, for the unit tests (test/engine/kernels.test.ts) and nothing else: the exports
 * of cpp/src/test_hooks.cpp, which only the Node builds link. WasmEngine's kernel methods call these.
 */
import { EngineError } from './errors';
import type { TritModule, WasmHeap } from './wasm-module';

type Hook = keyof TritModule & `_trit_${string}`;

function hook<K extends Hook>(heap: WasmHeap, name: K): NonNullable<TritModule[K]> {
  const fn = heap.mod[name];
  if (typeof fn !== 'function') {
    throw new EngineError('bad_state', `This engine build has no ${name.slice(1)}: the test hooks are in the Node builds only.`);
  }
  return fn as NonNullable<TritModule[K]>;
}

/** Activation quantization of one row, as the I2_S kernels use it. */
export function quantizeRow(heap: WasmHeap, x: Float32Array): { q: Int8Array; scale: number; sum: number } {
  const run = hook(heap, '_trit_quantize_row');
  const xp = heap.alloc(x.byteLength), qp = heap.alloc(x.length), sp = heap.alloc(4);
  try {
    heap.write(xp, x);
    const scale = run(xp, x.length, qp, sp);
    const q = new Int8Array(heap.read(qp, x.length).buffer);
    const sum = new Int32Array(heap.read(sp, 4).buffer)[0];
    return { q, scale, sum };
  } finally {
    heap.free(xp, qp, sp);
  }
}

/** Attention of `group` query heads over f16 keys/values (nKeys rows of headDim), in chunks of `chunk` positions. */
export function kernelAttention(heap: WasmHeap, q: Float32Array, group: number, headDim: number, k: Uint16Array, v: Uint16Array, chunk: number): Float32Array {
  const run = hook(heap, '_trit_kernel_attention');
  const nKeys = k.length / headDim;
  const ptrs = [q.byteLength, k.byteLength, v.byteLength, group * headDim * 4].map((n) => heap.alloc(n));
  const [qp, kp, vp, op] = ptrs;
  try {
    heap.write(qp, q);
    heap.write(kp, k);
    heap.write(vp, v);
    heap.check(run(qp, group, headDim, kp, vp, nKeys, chunk, op));
    return new Float32Array(heap.read(op, group * headDim * 4).buffer);
  } finally {
    heap.free(...ptrs);
  }
}

/** Attention over int8 rows with a scale per row, as the int8 KV cache holds them (k, v: nKeys rows of headDim). */
export function kernelAttentionQ8(heap: WasmHeap, q: Float32Array, group: number, headDim: number,
  k: { q: Int8Array; scales: Float32Array }, v: { q: Int8Array; scales: Float32Array }, chunk: number): Float32Array {
  const run = hook(heap, '_trit_kernel_attention_q8');
  const nKeys = k.q.length / headDim;
  const sizes = [q.byteLength, k.q.byteLength, k.scales.byteLength, v.q.byteLength, v.scales.byteLength, group * headDim * 4];
  const ptrs = sizes.map((n) => heap.alloc(n));
  const [qp, kp, ksp, vp, vsp, op] = ptrs;
  try {
    heap.write(qp, q);
    heap.write(kp, k.q);
    heap.write(ksp, k.scales);
    heap.write(vp, v.q);
    heap.write(vsp, v.scales);
    heap.check(run(qp, group, headDim, kp, ksp, vp, vsp, nKeys, chunk, op));
    return new Float32Array(heap.read(op, group * headDim * 4).buffer);
  } finally {
    heap.free(...ptrs);
  }
}

/** A Q8_0 matrix (ggml blocks of 32: f16 scale + 32 int8) converted as the loader converts output.weight, fed in
 * pieces of `piece` bytes, then the lm_head's SIMD product with x. */
export function kernelQ8_0(heap: WasmHeap, w: Uint8Array, ne0: number, ne1: number, piece: number, x: Float32Array): Float32Array {
  const run = hook(heap, '_trit_kernel_q8_0');
  const wp = heap.alloc(w.byteLength), xp = heap.alloc(x.byteLength), yp = heap.alloc(ne1 * 4);
  try {
    heap.write(wp, w);
    heap.write(xp, x);
    heap.check(run(wp, ne0, ne1, piece, xp, yp));
    return new Float32Array(heap.read(yp, ne1 * 4).buffer);
  } finally {
    heap.free(wp, xp, yp);
  }
}

/** A 4- or 6-bit lm_head (cpp/src/q4.h, q6.h) converted from F16 (sourceType 1) or Q8_0 (8) rows fed in pieces of
 * `piece` bytes, then its product with x (kernel 0 scalar, 1 SIMD) and the low-bit weights as floats. */
export function kernelLowBit(heap: WasmHeap, bits: 4 | 6, kernel: 0 | 1, sourceType: 1 | 8, w: Uint8Array, ne0: number,
  ne1: number, piece: number, x: Float32Array): { y: Float32Array; dequantized: Float32Array } {
  const run = hook(heap, '_trit_kernel_low_bit');
  const wp = heap.alloc(w.byteLength), xp = heap.alloc(x.byteLength), yp = heap.alloc(ne1 * 4), dp = heap.alloc(ne0 * ne1 * 4);
  try {
    heap.write(wp, w);
    heap.write(xp, x);
    heap.check(run(bits, kernel, sourceType, wp, ne0, ne1, piece, xp, yp, dp));
    return { y: new Float32Array(heap.read(yp, ne1 * 4).buffer), dequantized: new Float32Array(heap.read(dp, ne0 * ne1 * 4).buffer) };
  } finally {
    heap.free(wp, xp, yp, dp);
  }
}

/** One KV head's row as the int8 KV cache stores it. */
export function kvQuantizeRow(heap: WasmHeap, x: Float32Array): { q: Int8Array; scale: number } {
  const run = hook(heap, '_trit_kv_quantize_row');
  const xp = heap.alloc(x.byteLength), qp = heap.alloc(x.length);
  try {
    heap.write(xp, x);
    const scale = run(xp, x.length, qp);
    return { q: new Int8Array(heap.read(qp, x.length).buffer), scale };
  } finally {
    heap.free(xp, qp);
  }
}

/** f32 to f16 bits as the KV cache stores them. */
export function roundF16(heap: WasmHeap, x: Float32Array): Uint16Array {
  const run = hook(heap, '_trit_round_f16');
  const xp = heap.alloc(x.byteLength), op = heap.alloc(x.length * 2);
  try {
    heap.write(xp, x);
    run(xp, x.length, op);
    return new Uint16Array(heap.read(op, x.length * 2).buffer);
  } finally {
    heap.free(xp, op);
  }
}

/** I2_S product (weight scale 1): kernel 'scalar', 'simd-matvec' (token by token) or 'simd-matmul'. */
export function kernelI2s(heap: WasmHeap, kernel: 'scalar' | 'simd-matvec' | 'simd-matmul', w: Uint8Array, ne0: number, ne1: number,
  q: Int8Array, scales: Float32Array, sums: Int32Array, threads = 1): Float32Array {
  const run = hook(heap, '_trit_kernel_i2s');
  const nTokens = scales.length;
  const ptrs = [w.byteLength, q.byteLength, scales.byteLength, sums.byteLength, nTokens * ne1 * 4].map((n) => heap.alloc(n));
  const [wp, qp, sp, up, yp] = ptrs;
  try {
    heap.write(wp, w);
    heap.write(qp, q);
    heap.write(sp, scales);
    heap.write(up, sums);
    const id = { scalar: 0, 'simd-matvec': 1, 'simd-matmul': 2 }[kernel];
    heap.check(run(id, wp, ne0, ne1, qp, sp, up, nTokens, yp, threads));
    return new Float32Array(heap.read(yp, nTokens * ne1 * 4).buffer);
  } finally {
    heap.free(...ptrs);
  }
}

/** The lm_head path: F16 rows converted to Q8 as at load, times x quantized to i16; 'scalar' or 'simd'. */
export function kernelQ8(heap: WasmHeap, kernel: 'scalar' | 'simd', w: Uint16Array, ne0: number, ne1: number, x: Float32Array): Float32Array {
  const run = hook(heap, '_trit_kernel_q8');
  const ptrs = [w.byteLength, x.byteLength, ne1 * 4].map((n) => heap.alloc(n));
  const [wp, xp, yp] = ptrs;
  try {
    heap.write(wp, w);
    heap.write(xp, x);
    heap.check(run(kernel === 'simd' ? 1 : 0, wp, ne0, ne1, xp, yp));
    return new Float32Array(heap.read(yp, ne1 * 4).buffer);
  } finally {
    heap.free(...ptrs);
  }
}
