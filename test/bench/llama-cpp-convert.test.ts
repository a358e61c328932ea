/**
 * The benchmark's native peer runs upstream llama.cpp on our weights rewritten as TQ2_0 (bench/llama-cpp/convert.ts).
 * If the rewrite scrambled trits or scales, the peer would time a different model; these tests decode the output by
 * ggml's TQ2_0 and Q8_0 layouts (written here from the format, independently of the converter) and compare.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertForLlamaCpp, f16ToQ8, i2sToTq2 } from '../../bench/llama-cpp/convert';
import { writeSyntheticModel } from '../../scripts/make-fixture';
import { GgmlType, tensorByteSize } from '../../tools/gguf/format';
import { readGguf } from '../../tools/gguf/reader';
import { f16BitsToF32, f16Bytes, f32ToF16Bits, i2sPack, i2sUnpack } from '../../tools/gguf/writer';

/** ggml's TQ2_0: per 256 values, 64 bytes where byte j*32+m holds values j*128 + m + 32n in bits 2n..2n+1 (t + 1), then f16 d. */
function decodeTq2(bytes: Uint8Array, n: number): { trits: Int8Array; scales: number[] } {
  const trits = new Int8Array(n);
  const scales: number[] = [];
  for (let block = 0; block < n / 256; block++) {
    const at = block * 66;
    for (let j = 0; j < 2; j++) {
      for (let m = 0; m < 32; m++) {
        const q = bytes[at + j * 32 + m]!;
        for (let k = 0; k < 4; k++) trits[block * 256 + j * 128 + k * 32 + m] = ((q >> (2 * k)) & 3) - 1;
      }
    }
    scales.push(f16BitsToF32(bytes[at + 64]! | (bytes[at + 65]! << 8)));
  }
  return { trits, scales };
}

/** ggml's Q8_0: per 32 values an f16 d then 32 int8. */
function decodeQ8(bytes: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let block = 0; block < n / 32; block++) {
    const at = block * 34;
    const d = f16BitsToF32(bytes[at]! | (bytes[at + 1]! << 8));
    for (let i = 0; i < 32; i++) out[block * 32 + i] = d * ((bytes[at + 2 + i]! << 24) >> 24);
  }
  return out;
}

describe('the native peer converter', () => {
  it('rewrites I2_S as TQ2_0 with the same trits, and the tensor scale in every block', () => {
    const n = 1024;
    const codes = Int8Array.from({ length: n }, (_, i) => ((i * 2654435761) >>> 7) % 3 - 1);
    const tq2 = i2sToTq2(i2sPack(codes, 0.3125), n);
    expect(tq2.length).toBe(tensorByteSize(GgmlType.TQ2_0, [n]));
    const { trits, scales } = decodeTq2(tq2, n);
    expect(Array.from(trits)).toEqual(Array.from(codes));
    expect(scales).toEqual([0.3125, 0.3125, 0.3125, 0.3125]);
  });

  // Half a step, plus the f16 rounding of the step itself (2^-11 of it, times up to 127 steps).
  it('quantizes F16 to Q8_0 within half a step of each block', () => {
    const n = 256;
    const values = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 32)) * 0.01);
    const decoded = decodeQ8(f16ToQ8(f16Bytes(values), n), n);
    for (let block = 0; block < n / 32; block++) {
      const x = Array.from({ length: 32 }, (_, i) => f16BitsToF32(f32ToF16Bits(values[block * 32 + i]!)));
      const step = Math.max(...x.map(Math.abs)) / 127;
      for (let i = 0; i < 32; i++) expect(Math.abs(decoded[block * 32 + i]! - x[i]!)).toBeLessThanOrEqual(step * 0.57);
    }
  });

  const dir = mkdtempSync(join(tmpdir(), 'trit-peer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a whole 2B-4T-layout model as llama.cpp\'s "bitnet" architecture', async () => {
    const source = join(dir, 'tiny.gguf');
    const target = join(dir, 'tiny.llama-cpp.gguf');
    await writeSyntheticModel(source, { embd: 256, layers: 1, heads: 4, headsKv: 2, ff: 512, vocab: 512, ctx: 256 }, { seed: 3 });
    await convertForLlamaCpp(source, target, 'q8_0');
    const src = readFileSync(source);
    const out = readFileSync(target);
    const a = readGguf(src), b = readGguf(out);
    const kv = new Map(b.kv.map(([k, , v]) => [k, v]));
    expect(kv.get('general.architecture')).toBe('bitnet');
    expect(kv.get('bitnet.embedding_length')).toBe(256);
    expect(kv.get('bitnet.feed_forward_length')).toBe(512);
    expect([...kv.keys()].some((k) => k.startsWith('bitnet-b1.58.'))).toBe(false);
    expect(kv.get('tokenizer.ggml.tokens')).toEqual(a.kv.find(([k]) => k === 'tokenizer.ggml.tokens')![2]);
    expect(b.tensors.map((t) => t.name)).toEqual(a.tensors.map((t) => t.name));
    for (const [i, t] of b.tensors.entries()) {
      const s = a.tensors[i]!;
      const n = s.shape.reduce((x, y) => x * y, 1);
      const from = src.subarray(a.dataStart + s.offset, a.dataStart + s.offset + tensorByteSize(s.type, s.shape));
      const to = out.subarray(b.dataStart + t.offset, b.dataStart + t.offset + tensorByteSize(t.type, t.shape));
      if (s.type === GgmlType.I2_S) {
        expect(t.type).toBe(GgmlType.TQ2_0);
        const { codes, scale } = i2sUnpack(from, n);
        const { trits, scales } = decodeTq2(to, n);
        expect(Array.from(trits)).toEqual(Array.from(codes));
        expect(new Set(scales)).toEqual(new Set([f16BitsToF32(f32ToF16Bits(scale))]));
      } else if (t.name === 'token_embd.weight') {
        expect(t.type).toBe(GgmlType.Q8_0);
      } else {
        expect(t.type).toBe(s.type);
        expect(Buffer.compare(Buffer.from(to), Buffer.from(from))).toBe(0);
      }
    }
  });
});
