import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readGguf, type GgufFile, type GgufTensorEntry } from './reader';
import {
  BITNET_2B4T_CHAT_TEMPLATE,
  DIM_PRESETS,
  Rng,
  byteLevelFixtureVocab,
  declareBitnetModel,
  llama3Vocab,
  syntheticModelTensorBytes,
  writeSyntheticModelTo,
} from '../../scripts/make-fixture';
import { GgmlType, GgufValueType, tensorByteSize } from './format';
import { GgufWriter, MemorySink, f16BitsToF32, f16Bytes, f32ToF16Bits, gguf, i2sPack, i2sUnpack } from './writer';

// The reader beside the writer (tools/gguf/reader.ts) is written from the spec and shares no code with it.
type ParsedTensor = GgufTensorEntry;
type ParsedGguf = GgufFile;

function parseGguf(bytes: Uint8Array): ParsedGguf {
  expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('GGUF');
  return readGguf(bytes);
}

function i2sSizeByHand(n: number): number { return n / 4 + 32; }
function byteSizeByHand(t: ParsedTensor): number {
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (t.type === 36) return i2sSizeByHand(n);
  if (t.type === 1) return n * 2;
  if (t.type === 0) return n * 4;
  throw new Error(`unexpected type ${t.type}`);
}

function checkLayout(file: Uint8Array, parsed: ParsedGguf): void {
  let expectedOffset = 0;
  for (const t of parsed.tensors) {
    expect(t.offset % 32, t.name).toBe(0);
    expect(t.offset, t.name).toBe(expectedOffset);
    expectedOffset = Math.ceil((t.offset + byteSizeByHand(t)) / 32) * 32;
  }
  const last = parsed.tensors[parsed.tensors.length - 1]!;
  expect(file.length).toBe(parsed.dataStart + last.offset + byteSizeByHand(last));
}

async function writeSmall(seed: number, name = 'bitnet-small-synthetic'): Promise<Uint8Array> {
  const sink = new MemorySink();
  await writeSyntheticModelTo(sink, DIM_PRESETS.small, { seed, name });
  return sink.bytes();
}

// ---------------------------------------------------------------------------------------------------------------------

describe('I2_S packing', () => {
  it('places element b, 32+b, 64+b, 96+b of a block in bits 7..6, 5..4, 3..2, 1..0 of byte b', () => {
    const codes = new Int8Array(256); // all 0 -> code 1 -> every byte 0b01010101
    codes[0] = 1; // block 0, byte 0, bits 7..6 = 2
    codes[32 + 5] = -1; // block 0, byte 5, bits 5..4 = 0
    codes[128 + 96 + 31] = 1; // block 1, byte 31 (offset 63), bits 1..0 = 2
    const packed = i2sPack(codes, 0.75);
    expect(packed.length).toBe(256 / 4 + 32);
    expect(packed[0]).toBe(0b10010101);
    expect(packed[5]).toBe(0b01000101);
    expect(packed[63]).toBe(0b01010110);
    expect(packed[1]).toBe(0x55);
    expect(new DataView(packed.buffer).getFloat32(64, true)).toBe(0.75);
  });

  it('round-trips random codes and the scale', () => {
    const rng = new Rng(7);
    for (const n of [128, 384, 128 * 33]) {
      const codes = Int8Array.from({ length: n }, () => (rng.nextU32() % 3) - 1);
      const { codes: back, scale } = i2sUnpack(i2sPack(codes, 0.0123), n);
      expect(Array.from(back)).toEqual(Array.from(codes));
      expect(scale).toBe(Math.fround(0.0123));
    }
  });

  it('rejects codes outside -1..1 and sizes that are not whole blocks', () => {
    const codes = new Int8Array(128);
    codes[77] = 2;
    expect(() => i2sPack(codes, 1)).toThrow(/element 77/);
    expect(() => i2sPack(new Int8Array(100), 1)).toThrow(/multiple of 128/);
    const bad = i2sPack(new Int8Array(128), 1);
    bad[3] = 0xff;
    expect(() => i2sUnpack(bad, 128)).toThrow(/code 3/);
  });

  it('sizes I2_S tensors as n/4 + 32 bytes, the official 2B-4T q projection included', () => {
    expect(tensorByteSize(GgmlType.I2_S, [2560, 2560])).toBe(2560 * 2560 / 4 + 32);
    expect(tensorByteSize(GgmlType.F16, [2560, 128256])).toBe(2560 * 128256 * 2);
    expect(tensorByteSize(GgmlType.TQ2_0, [256, 2])).toBe(2 * 66);
    expect(() => tensorByteSize(GgmlType.TL1, [256])).toThrow(/not known/);
  });
});

describe('f32 -> f16 conversion', () => {
  it('maps every finite half back to itself', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue; // NaN payloads
      expect(f32ToF16Bits(f16BitsToF32(h))).toBe(h);
    }
  });

  it('rounds midpoints to even and values beside them to nearest', () => {
    for (let h = 0; h < 0x7bff; h++) {
      const lo = f16BitsToF32(h);
      const hi = f16BitsToF32(h + 1);
      const mid = (lo + hi) / 2; // exactly representable in f32
      expect(f32ToF16Bits(mid)).toBe(h % 2 === 0 ? h : h + 1);
      expect(f32ToF16Bits(Math.fround(mid + (hi - lo) / 1024))).toBe(h + 1);
      expect(f32ToF16Bits(Math.fround(mid - (hi - lo) / 1024))).toBe(h);
    }
  });

  it('handles the edges: max, overflow, subnormals, signed zero, infinity, NaN', () => {
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
    expect(f32ToF16Bits(65519)).toBe(0x7bff);
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // tie between max and the next (infinite) step goes to even
    expect(f32ToF16Bits(1e6)).toBe(0x7c00);
    expect(f32ToF16Bits(-Infinity)).toBe(0xfc00);
    expect(f32ToF16Bits(2 ** -24)).toBe(0x0001);
    expect(f32ToF16Bits(2 ** -25)).toBe(0x0000); // tie with zero goes to even
    expect(f32ToF16Bits(Math.fround(2 ** -25 * 1.0001))).toBe(0x0001);
    expect(f32ToF16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // rounds up out of the subnormal range
    expect(f32ToF16Bits(-0)).toBe(0x8000);
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    const nan = f32ToF16Bits(NaN);
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x3ff).not.toBe(0);
    expect(Array.from(f16Bytes([1, -2]))).toEqual([0x00, 0x3c, 0x00, 0xc0]);
  });
});

describe('GGUF writer', () => {
  it('writes every metadata value type, parsed back by an independent reader', async () => {
    const sink = new MemorySink();
    const w = new GgufWriter(sink);
    w.setMetadata('u8', gguf.u8(250)).setMetadata('i8', gguf.i8(-5)).setMetadata('u16', gguf.u16(65000))
      .setMetadata('i16', gguf.i16(-300)).setMetadata('u32', gguf.u32(4e9)).setMetadata('i32', gguf.i32(-2e9))
      .setMetadata('f32', gguf.f32(0.5)).setMetadata('bool', gguf.bool(true)).setMetadata('str', gguf.str('héllo ✓'))
      .setMetadata('u64', gguf.u64(2n ** 40n)).setMetadata('i64', gguf.i64(-3)).setMetadata('f64', gguf.f64(Math.PI))
      .setMetadata('strs', gguf.strings(['a', '', 'Ġthe']))
      .setMetadata('f32s', gguf.f32s(new Float32Array([1.5, -2])))
      .setMetadata('nested', { type: GgufValueType.ARRAY, itemType: GgufValueType.ARRAY, value: [
        { type: GgufValueType.ARRAY, itemType: GgufValueType.INT32, value: [1, 2] },
        { type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value: ['x'] },
      ] });
    w.addTensor({ name: 'a', type: GgmlType.F32, shape: [3] });
    w.addTensor({ name: 'b', type: GgmlType.I2_S, shape: [128, 2] });
    await w.writeHeader();
    await w.writeTensorData('a', new Uint8Array(12).fill(1));
    await w.writeTensorData('b', [new Uint8Array(40), new Uint8Array(56).fill(0x55)]); // chunks summing to 96
    const size = await w.finish();
    const file = sink.bytes();
    expect(size).toBe(file.length);
    const p = parseGguf(file);
    expect(p.version).toBe(3);
    expect(p.kv.map(([k, t, v]) => [k, t, v])).toEqual([
      ['u8', 0, 250], ['i8', 1, -5], ['u16', 2, 65000], ['i16', 3, -300], ['u32', 4, 4e9], ['i32', 5, -2e9],
      ['f32', 6, 0.5], ['bool', 7, true], ['str', 8, 'héllo ✓'], ['u64', 10, 2n ** 40n], ['i64', 11, -3n],
      ['f64', 12, Math.PI], ['strs', 9, ['a', '', 'Ġthe']], ['f32s', 9, [1.5, -2]], ['nested', 9, [[1, 2], ['x']]],
    ]);
    expect(p.tensors).toEqual([
      { name: 'a', shape: [3], type: 0, offset: 0 },
      { name: 'b', shape: [128, 2], type: 36, offset: 32 },
    ]);
    checkLayout(file, p);
    expect(Array.from(file.subarray(p.dataStart + 12, p.dataStart + 32))).toEqual(new Array(20).fill(0)); // alignment padding
    expect(file[p.dataStart + 32 + 40]).toBe(0x55);
  });

  it('refuses data out of order, of the wrong size, out-of-range metadata, and unfinished files', async () => {
    const make = async () => {
      const w = new GgufWriter(new MemorySink());
      w.addTensor({ name: 'x', type: GgmlType.F32, shape: [4] });
      w.addTensor({ name: 'y', type: GgmlType.F32, shape: [4] });
      await w.writeHeader();
      return w;
    };
    await expect((await make()).writeTensorData('y', new Uint8Array(16))).rejects.toMatchObject({ code: 'gguf-tensor-order' });
    await expect((await make()).writeTensorData('x', new Uint8Array(15))).rejects.toMatchObject({ code: 'gguf-tensor-size' });
    await expect((await make()).writeTensorData('x', [new Uint8Array(16), new Uint8Array(1)])).rejects.toMatchObject({ code: 'gguf-tensor-size' });
    const w = await make();
    await w.writeTensorData('x', new Uint8Array(16));
    await expect(w.finish()).rejects.toMatchObject({ code: 'gguf-tensor-missing' });
    expect(() => new GgufWriter(new MemorySink()).setMetadata('k', gguf.u8(256)).headerBytes()).toThrow(/does not fit/);
    expect(() => new GgufWriter(new MemorySink()).addTensor({ name: 'q', type: GgmlType.I2_S, shape: [100] })).toThrow(/multiple of 128/);
  });

  it('reproduces the header of test/fixtures/small.gguf byte for byte', async () => {
    const reference = new Uint8Array(readFileSync('test/fixtures/small.gguf'));
    const ours = await writeSmall(1);
    const pr = parseGguf(reference);
    const po = parseGguf(ours);
    expect(po.kv.map(([k, t]) => [k, t])).toEqual(pr.kv.map(([k, t]) => [k, t]));
    expect(po.tensors).toEqual(pr.tensors);
    expect(ours.length).toBe(reference.length);
    expect(Buffer.from(ours.subarray(0, po.dataStart)).equals(Buffer.from(reference.subarray(0, pr.dataStart)))).toBe(true);
    checkLayout(ours, po);
  });

  it('matches the structure of test/fixtures/medium.gguf (keys, tensor names, types, shapes, offsets)', async () => {
    const reference = parseGguf(new Uint8Array(readFileSync('test/fixtures/medium.gguf')));
    const w = new GgufWriter(new MemorySink());
    declareBitnetModel(w, DIM_PRESETS.medium, byteLevelFixtureVocab(4096), 'bitnet-medium-synthetic');
    const ours = parseGguf(w.headerBytes());
    expect(ours.kv).toEqual(reference.kv);
    expect(ours.tensors).toEqual(reference.tensors);
    expect(syntheticModelTensorBytes(DIM_PRESETS.medium) + reference.dataStart).toBeLessThanOrEqual(7377056);
  });
});

describe('synthetic fixtures', () => {
  it('are deterministic per seed and have the promised weight statistics', async () => {
    const a = await writeSmall(42);
    const b = await writeSmall(42);
    const c = await writeSmall(43);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const p = parseGguf(a);
    expect(Buffer.from(a.subarray(p.dataStart)).equals(Buffer.from(c.subarray(p.dataStart)))).toBe(false);

    const tensor = (name: string) => {
      const t = p.tensors.find((x) => x.name === name)!;
      return a.subarray(p.dataStart + t.offset, p.dataStart + t.offset + byteSizeByHand(t));
    };
    const { codes, scale } = i2sUnpack(tensor('blk.1.ffn_down.weight'), 512 * 256);
    const counts = [0, 0, 0];
    for (const c of codes) counts[c + 1]!++;
    for (const k of counts) expect(Math.abs(k / codes.length - 1 / 3)).toBeLessThan(0.01);
    expect(scale).toBeCloseTo(1 / Math.sqrt((512 * 2) / 3), 6);

    const emb = tensor('token_embd.weight');
    const dv = new DataView(emb.buffer, emb.byteOffset, emb.byteLength);
    let sum = 0, sq = 0;
    const n = emb.length / 2;
    for (let i = 0; i < n; i++) { const v = f16BitsToF32(dv.getUint16(i * 2, true)); sum += v; sq += v * v; }
    expect(Math.abs(sum / n)).toBeLessThan(0.002);
    expect(Math.sqrt(sq / n)).toBeCloseTo(0.0625, 3);

    const norm = new Float32Array(tensor('blk.0.ffn_sub_norm.weight').slice().buffer);
    const mean = norm.reduce((x, y) => x + y, 0) / norm.length;
    expect(mean).toBeGreaterThan(0.99);
    expect(mean).toBeLessThan(1.01);
  });

  it('embeds the real Llama-3 vocabulary with its merges and control tokens', async () => {
    const vocab = await llama3Vocab();
    const w = new GgufWriter(new MemorySink());
    declareBitnetModel(w, DIM_PRESETS['2b4t'], vocab, 'llama3-vocab-test', BITNET_2B4T_CHAT_TEMPLATE);
    const p = parseGguf(w.headerBytes());
    const get = (k: string) => p.kv.find(([key]) => key === k)![2];
    const tokens = get('tokenizer.ggml.tokens') as string[];
    const merges = get('tokenizer.ggml.merges') as string[];
    const types = get('tokenizer.ggml.token_type') as number[];
    expect(tokens.length).toBe(128256);
    expect(tokens[220]).toBe('Ġ');
    expect(tokens[128000]).toBe('<|begin_of_text|>');
    expect(tokens[128009]).toBe('<|eot_id|>');
    expect(merges.length).toBeGreaterThan(280000);
    expect(merges[0]).toBe('Ġ Ġ');
    // Every merge must name two existing tokens whose concatenation is itself a token.
    const set = new Set(tokens);
    for (const m of merges.slice(0, 2000)) {
      const [l, r] = m.split(' ');
      expect(set.has(l!) && set.has(r!) && set.has(l! + r!), m).toBe(true);
    }
    expect(types[127999]).toBe(1);
    expect(types[128000]).toBe(3);
    expect(types[128255]).toBe(3);
    expect(get('tokenizer.ggml.bos_token_id')).toBe(128000);
    expect(p.tensors.length).toBe(332);
    expect(p.tensors.find((t) => t.name === 'blk.29.ffn_down.weight')).toMatchObject({ shape: [6912, 2560], type: 36 });
    expect(p.tensors.find((t) => t.name === 'blk.0.attn_k.weight')!.shape).toEqual([2560, 640]);
  });
});
