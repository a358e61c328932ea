// The 4- and 6-bit lm_heads (cpp/src/q4.h, q6.h; LoadOptions memory.head 'int4' / 'int6'): SIMD equals the scalar
// reference bit for bit, conversion while streaming gives the same weights in any pieces, each weight within half a
// step of its block's scale (amax / 7 per 32, amax / 31 per 64), and the product within the input's i16 rounding of
// the f32 product of those weights.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../src/lib/engine/node';
import type { WasmEngine } from '../../src/lib/engine/wasm-engine';
import { f16BitsToF32, f32ToF16Bits } from '../../tools/gguf/writer';

let engine: WasmEngine;
beforeAll(async () => { engine = await createNodeEngine({ threads: 1 }); });
afterAll(() => engine?.unload());

function rng(seed: number) {
  return () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
}
const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const f16Bytes = (h: Uint16Array) => new Uint8Array(h.buffer, h.byteOffset, h.byteLength);

/** ggml Q8_0 blocks: per 32 values an f16 scale amax / 127 and 32 int8. */
function toQ8_0(values: Float32Array): Uint8Array {
  const out = new Uint8Array((values.length / 32) * 34);
  const dv = new DataView(out.buffer);
  for (let b = 0; b < values.length / 32; b++) {
    const block = values.subarray(b * 32, b * 32 + 32);
    const d = block.reduce((a, v) => Math.max(a, Math.abs(v)), 0) / 127;
    dv.setUint16(b * 34, f32ToF16Bits(d), true);
    block.forEach((v, i) => dv.setInt8(b * 34 + 2 + i, d ? Math.round(v / d) : 0));
  }
  return out;
}
function fromQ8_0(bytes: Uint8Array, n: number): Float32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: n }, (_, k) => f16BitsToF32(dv.getUint16(Math.floor(k / 32) * 34, true)) * dv.getInt8(Math.floor(k / 32) * 34 + 2 + (k % 32)));
}

const formats = [
  { bits: 4 as const, block: 32, levels: 7 },
  { bits: 6 as const, block: 64, levels: 31 },
];

/** Every weight within half a step of its block's largest, and the product equal to the f32 product of the
 * low-bit weights up to the input's i16 rounding. */
function checkAgainstSource(format: (typeof formats)[number], source: Float32Array, ne0: number, ne1: number, x: Float32Array,
  y: Float32Array, dequantized: Float32Array) {
  const { block, levels } = format;
  for (let b = 0; b < source.length / block; b++) {
    let amax = 0;
    for (let k = b * block; k < b * block + block; k++) amax = Math.max(amax, Math.abs(source[k]));
    for (let k = b * block; k < b * block + block; k++) {
      expect(Math.abs(dequantized[k] - source[k])).toBeLessThanOrEqual((amax / (2 * levels)) * 1.0001);
    }
  }
  const xmax = x.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  for (let m = 0; m < ne1; m++) {
    let exact = 0, absSum = 0;
    for (let k = 0; k < ne0; k++) {
      exact += dequantized[m * ne0 + k] * x[k];
      absSum += Math.abs(dequantized[m * ne0 + k]);
    }
    expect(Math.abs(y[m] - exact)).toBeLessThanOrEqual((xmax / 65534) * absSum * 1.01 + 1e-4);
  }
}

describe.each(formats)('$bits-bit lm_head', (format) => {
  const { bits, block } = format;
  it('SIMD equals scalar bit for bit, from F16 rows (subnormals, negatives, many blocks)', () => {
    const next = rng(41);
    const ne0 = 2560, ne1 = 13;
    const w = Uint16Array.from({ length: ne0 * ne1 }, (_, i) => (i % 89 === 0 ? next() & 0x83ff : next() & 0xbfff));
    const x = Float32Array.from({ length: ne0 }, () => ((next() % 2001) - 1000) / 100);
    const simd = engine.kernelLowBit(bits, 1, 1, f16Bytes(w), ne0, ne1, 4096, x);
    const scalar = engine.kernelLowBit(bits, 0, 1, f16Bytes(w), ne0, ne1, 4096, x);
    expect(bytesOf(simd.y).equals(bytesOf(scalar.y))).toBe(true);
    expect(scalar.y.some((v) => v !== 0)).toBe(true);
  });

  it('from F16: within half a step of each weight, in any pieces, and its product is the low-bit weights\' product', () => {
    const next = rng(7);
    const gauss = () => { let s = 0; for (let i = 0; i < 12; i++) s += (next() % 10000) / 10000; return s - 6; };
    const ne0 = 2560, ne1 = 17;
    const w = Uint16Array.from({ length: ne0 * ne1 }, () => f32ToF16Bits(gauss() * 0.25));
    const source = Float32Array.from(w, (h) => f16BitsToF32(h));
    const x = Float32Array.from({ length: ne0 }, () => gauss() * 2);
    const whole = engine.kernelLowBit(bits, 1, 1, f16Bytes(w), ne0, ne1, w.byteLength, x);
    for (const piece of [1, 77, 5121]) {
      const pieces = engine.kernelLowBit(bits, 1, 1, f16Bytes(w), ne0, ne1, piece, x);
      expect(bytesOf(pieces.y).equals(bytesOf(whole.y))).toBe(true);
    }
    checkAgainstSource(format, source, ne0, ne1, x, whole.y, whole.dequantized);
  });

  it('from Q8_0 rows: the same bounds against the Q8_0 values, SIMD equal to scalar', () => {
    const next = rng(19);
    const ne0 = 2048, ne1 = 9;
    const q8 = toQ8_0(Float32Array.from({ length: ne0 * ne1 }, () => ((next() % 2001) - 1000) / 4000));
    const source = fromQ8_0(q8, ne0 * ne1);
    const x = Float32Array.from({ length: ne0 }, () => ((next() % 2001) - 1000) / 300);
    const simd = engine.kernelLowBit(bits, 1, 8, q8, ne0, ne1, 101, x);
    const scalar = engine.kernelLowBit(bits, 0, 8, q8, ne0, ne1, q8.length, x);
    expect(bytesOf(simd.y).equals(bytesOf(scalar.y))).toBe(true);
    checkAgainstSource(format, source, ne0, ne1, x, simd.y, simd.dequantized);
  });

  it('turns a block with an infinity or NaN into zeros instead of trapping', () => {
    const ne0 = 2 * block, ne1 = 2;
    const w = new Uint16Array(ne0 * ne1).fill(0x3c00); // 1.0
    w[5] = 0x7e00; // NaN in block 0 of row 0
    w[ne0 + block + 8] = 0x7c00; // +inf in block 1 of row 1
    const { y } = engine.kernelLowBit(bits, 1, 1, f16Bytes(w), ne0, ne1, 4096, new Float32Array(ne0).fill(1));
    expect(Array.from(y)).toEqual([block, block]);
  });
});
