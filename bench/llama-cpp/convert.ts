/**
 * Rewrites a Trit (bitnet.cpp-layout) BitNet b1.58 GGUF for upstream llama.cpp, the native peer of the benchmark:
 * architecture "bitnet", and every I2_S matrix as TQ2_0, llama.cpp's own 2-bit ternary type. The weights stay the same
 * trits; the per-tensor I2_S scale becomes each 256-element block's f16 scale. The 2B-4T layout ("bitnet-b1.58" in
 * bitnet.cpp) is renamed "bitnet"; the family's Llama-shaped models (Falcon3, Llama3-8B) keep "llama", which both
 * engines call them.
 * With head 'q8_0' the tied embedding / output table is stored as Q8_0 (32 int8 values and an f16 scale per block) instead
 * of F16, as a llama.cpp user would quantize it; it is the closest to Trit's default int8 head.
 * Usage: tsx bench/llama-cpp/convert.ts <in.gguf> <out.gguf> [f16|q8_0]
 */
import { open } from 'node:fs/promises';
import { GgmlType, GgufValueType, tensorByteSize } from '../../tools/gguf/format';
import { readGgufHeader } from '../../tools/gguf/file-header';
import { GgufWriter, f16BitsToF32, f32ToF16Bits, type GgufValue } from '../../tools/gguf/writer';
import { openFileSink } from '../../scripts/make-fixture';

const TQ2_BLOCK_ELEMS = 256;
const TQ2_BLOCK_BYTES = 66;
const SOURCE_ARCH = 'bitnet-b1.58';

// I2_S byte b of a 128-element group holds elements b, b+32, b+64, b+96 in bits 7..6, 5..4, 3..2, 1..0; TQ2_0 holds the
// same four elements in bits 1..0, 3..2, 5..4, 7..6. Both code a trit t as t + 1. So a byte maps by reversing its pairs.
const PAIRS_REVERSED = Uint8Array.from({ length: 256 }, (_, b) => ((b >> 6) & 3) | (((b >> 4) & 3) << 2) | (((b >> 2) & 3) << 4) | ((b & 3) << 6));

/** One I2_S tensor's bytes (n elements, scale after the codes) as TQ2_0 blocks. */
export function i2sToTq2(i2s: Uint8Array, n: number): Uint8Array {
  const scale = new DataView(i2s.buffer, i2s.byteOffset, i2s.byteLength).getFloat32(n / 4, true);
  const d = f32ToF16Bits(scale);
  const out = new Uint8Array((n / TQ2_BLOCK_ELEMS) * TQ2_BLOCK_BYTES);
  for (let block = 0; block < n / TQ2_BLOCK_ELEMS; block++) {
    const src = block * 64;
    const dst = block * TQ2_BLOCK_BYTES;
    for (let i = 0; i < 64; i++) out[dst + i] = PAIRS_REVERSED[i2s[src + i]!]!;
    out[dst + 64] = d & 0xff;
    out[dst + 65] = d >> 8;
  }
  return out;
}

const Q8_BLOCK_ELEMS = 32;
const Q8_BLOCK_BYTES = 34;

/** F16 values as Q8_0 blocks: scale = max |x| / 127 per 32 values, values rounded to the nearest step. */
export function f16ToQ8(f16: Uint8Array, n: number): Uint8Array {
  const half = new Uint16Array(f16.buffer, f16.byteOffset, n);
  const out = new Uint8Array((n / Q8_BLOCK_ELEMS) * Q8_BLOCK_BYTES);
  const x = new Float32Array(Q8_BLOCK_ELEMS);
  for (let block = 0; block < n / Q8_BLOCK_ELEMS; block++) {
    let amax = 0;
    for (let i = 0; i < Q8_BLOCK_ELEMS; i++) { x[i] = f16BitsToF32(half[block * Q8_BLOCK_ELEMS + i]!); amax = Math.max(amax, Math.abs(x[i]!)); }
    const d = amax / 127;
    const dst = block * Q8_BLOCK_BYTES;
    const dBits = f32ToF16Bits(d);
    out[dst] = dBits & 0xff;
    out[dst + 1] = dBits >> 8;
    for (let i = 0; i < Q8_BLOCK_ELEMS; i++) out[dst + 2 + i] = (d === 0 ? 0 : Math.round(x[i]! / d)) & 0xff;
  }
  return out;
}

// The reader gives arrays without their item type; the tokenizer's arrays are the only ones in these files.
const ARRAY_ITEM: Record<string, number> = {
  'tokenizer.ggml.tokens': GgufValueType.STRING,
  'tokenizer.ggml.merges': GgufValueType.STRING,
  'tokenizer.ggml.scores': GgufValueType.FLOAT32,
  'tokenizer.ggml.token_type': GgufValueType.INT32,
};

function metadataValue(key: string, type: number, value: unknown): GgufValue {
  if (type === GgufValueType.ARRAY) {
    const itemType = ARRAY_ITEM[key];
    if (itemType === undefined) throw new Error(`no item type known for the array ${key}`);
    return { type: GgufValueType.ARRAY, itemType, value } as GgufValue;
  }
  return { type, value } as GgufValue;
}

export async function convertForLlamaCpp(inPath: string, outPath: string, head: 'f16' | 'q8_0' = 'f16'): Promise<void> {
  const input = await open(inPath, 'r');
  try {
    const file = await readGgufHeader(input, (await input.stat()).size);
    const arch = file.kv.find(([k]) => k === 'general.architecture')?.[2];
    if (arch !== SOURCE_ARCH && arch !== 'llama') throw new Error(`llama.cpp has no counterpart for the ${String(arch)} layout here`);
    const sink = await openFileSink(outPath);
    const writer = new GgufWriter(sink);
    for (const [key, type, value] of file.kv) {
      if (key === 'general.alignment' || key === 'general.file_type') continue;
      const renamed = arch === SOURCE_ARCH;
      const name = renamed ? key.replace(`${SOURCE_ARCH}.`, 'bitnet.') : key;
      writer.setMetadata(name, renamed && key === 'general.architecture' ? { type: GgufValueType.STRING, value: 'bitnet' } : metadataValue(key, type, value));
    }
    const targetType = (t: { name: string; type: number }) =>
      t.type === GgmlType.I2_S ? GgmlType.TQ2_0 : head === 'q8_0' && t.type === GgmlType.F16 && /^(token_embd|output)\.weight$/.test(t.name) ? GgmlType.Q8_0 : t.type;
    for (const t of file.tensors) writer.addTensor({ name: t.name, shape: t.shape, type: targetType(t) });
    await writer.writeHeader();
    for (const t of file.tensors) {
      const bytes = new Uint8Array(tensorByteSize(t.type, t.shape));
      await input.read(bytes, 0, bytes.length, file.dataStart + t.offset);
      const n = t.shape.reduce((a, b) => a * b, 1);
      const to = targetType(t);
      await writer.writeTensorData(t.name, to === GgmlType.TQ2_0 ? i2sToTq2(bytes, n) : to === GgmlType.Q8_0 ? f16ToQ8(bytes, n) : bytes);
    }
    await writer.finish();
    await sink.close();
  } finally {
    await input.close();
  }
}

if (process.argv[1]?.endsWith('convert.ts')) {
  const [inPath, outPath, head] = process.argv.slice(2);
  await convertForLlamaCpp(inPath!, outPath!, head === 'q8_0' ? 'q8_0' : 'f16');
  console.error(`wrote ${outPath}`);
}
