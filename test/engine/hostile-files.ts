/**
 * Hostile GGUF files written at test time (never committed): small BitNet models with one thing made wrong, and
 * splices that add a metadata value or tensor-table entries to a good file without moving its data.
 */
import { GgmlType, GgufValueType } from '../../tools/gguf/format';
import { GgufWriter, MemorySink, f16Bytes, f32Bytes, i2sPack, type GgufValue } from '../../tools/gguf/writer';
import { byteLevelFixtureVocab, declareBitnetModel, type BitnetDims } from '../../scripts/make-fixture';

/** A tiny model: fast to write and load. */
export const TINY: BitnetDims = { embd: 128, layers: 2, heads: 2, headsKv: 1, ff: 256, vocab: 512, ctx: 256 };

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** xorshift32 in [0, 1). */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

export interface ModelEdits {
  /** Changes metadata after the usual declaration (setMetadata replaces a key in place). */
  metadata?: (w: GgufWriter) => void;
  /** Replaces a tensor's values (F32 or F16 tensors), by name. */
  values?: Record<string, (n: number) => Float32Array>;
}

/** A complete small BitNet model in memory, with random weights, after `edits`. */
export async function writeModel(dims: BitnetDims, edits: ModelEdits = {}, seed = 3): Promise<Uint8Array> {
  const sink = new MemorySink();
  const writer = new GgufWriter(sink);
  declareBitnetModel(writer, dims, byteLevelFixtureVocab(dims.vocab), 'trit-hostile');
  edits.metadata?.(writer);
  await writer.writeHeader();
  const next = random(seed);
  const fillRandom = (n: number, f: (r: number) => number) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = f(next());
    return out;
  };
  for (const plan of writer.plannedTensors) {
    const n = plan.shape.reduce((a, b) => a * b, 1);
    if (plan.type === GgmlType.I2_S) {
      const codes = new Int8Array(n);
      for (let i = 0; i < n; i++) codes[i] = Math.floor(next() * 3) - 1;
      await writer.writeTensorData(plan.name, i2sPack(codes, 1 / Math.sqrt((plan.shape[0] * 2) / 3)));
    } else if (plan.type === GgmlType.F16) {
      await writer.writeTensorData(plan.name, f16Bytes(edits.values?.[plan.name]?.(n) ?? fillRandom(n, (r) => (r - 0.5) / 8)));
    } else {
      await writer.writeTensorData(plan.name, f32Bytes(edits.values?.[plan.name]?.(n) ?? fillRandom(n, (r) => 1 + (r - 0.5) / 10)));
    }
  }
  await writer.finish();
  return sink.bytes();
}

/** Inserts `bytes` bytes at `at`, filled by `fill` (a multiple of 32, so the data section moves by whole alignment
 * units and every tensor offset stays right), adding `kvs` metadata and `tensors` tensor-table entries to the counts. */
function splice(file: Uint8Array, at: number, bytes: number, fill: (insert: Uint8Array) => void, counts: { kvs?: number; tensors?: number }): Uint8Array {
  if (bytes % 32) throw new Error('splices must keep the 32-byte alignment');
  const out = new Uint8Array(file.byteLength + bytes);
  out.set(file.subarray(0, at), 0);
  fill(out.subarray(at, at + bytes));
  out.set(file.subarray(at), at + bytes);
  const dv = view(out);
  dv.setBigUint64(8, dv.getBigUint64(8, true) + BigInt(counts.tensors ?? 0), true);
  dv.setBigUint64(16, dv.getBigUint64(16, true) + BigInt(counts.kvs ?? 0), true);
  return out;
}

/**
 * The file with one more metadata entry, first in the table: `key` (lengthened with '_' to keep the alignment), of
 * GGUF value type `type`, whose value bytes `writeValue` fills (`valueBytes` of them).
 */
export function withMetadata(file: Uint8Array, key: string, type: number, valueBytes: number, writeValue: (value: Uint8Array) => void): Uint8Array {
  let name = key;
  while ((8 + name.length + 4 + valueBytes) % 32) name += '_';
  return splice(file, 24, 8 + name.length + 4 + valueBytes, (entry) => {
    const dv = view(entry);
    dv.setBigUint64(0, BigInt(name.length), true);
    entry.set(new TextEncoder().encode(name), 8);
    dv.setUint32(8 + name.length, type, true);
    writeValue(entry.subarray(12 + name.length));
  }, { kvs: 1 });
}

/** One string value of `length` bytes, all `byte`. Returns the file and the key as written. */
export function withLongString(file: Uint8Array, length: number, byte = 0x01): { file: Uint8Array; key: string } {
  const out = withMetadata(file, 'hostile.string', GgufValueType.STRING, 8 + length, (v) => {
    view(v).setBigUint64(0, BigInt(length), true);
    v.fill(byte, 8);
  });
  return { file: out, key: keyOfFirstEntry(out) };
}

/** One array of `count` scalars of `itemType` (1 byte each: i8 or bool). */
export function withByteArray(file: Uint8Array, itemType: number, count: number): { file: Uint8Array; key: string } {
  const out = withMetadata(file, 'hostile.array', GgufValueType.ARRAY, 12 + count, (v) => {
    const dv = view(v);
    dv.setUint32(0, itemType, true);
    dv.setBigUint64(4, BigInt(count), true);
    v.fill(1, 12);
  });
  return { file: out, key: keyOfFirstEntry(out) };
}

/** One array of `count` strings of `length` control bytes each: small in the file, six times larger as JSON text. */
export function withControlStrings(file: Uint8Array, count: number, length: number): { file: Uint8Array; key: string } {
  const out = withMetadata(file, 'hostile.strings', GgufValueType.ARRAY, 12 + count * (8 + length), (v) => {
    const dv = view(v);
    dv.setUint32(0, GgufValueType.STRING, true);
    dv.setBigUint64(4, BigInt(count), true);
    for (let i = 0, at = 12; i < count; i++, at += 8 + length) {
      dv.setBigUint64(at, BigInt(length), true);
      v.fill(0x02, at + 8, at + 8 + length);
    }
  });
  return { file: out, key: keyOfFirstEntry(out) };
}

function keyOfFirstEntry(file: Uint8Array): string {
  const n = Number(view(file).getBigUint64(24, true));
  return new TextDecoder().decode(file.subarray(32, 32 + n));
}

/** `count` unused 1-D F32 tensors ("z0000000"...) put first in the tensor table, each over the data's first bytes. */
export function withUnusedTensors(file: Uint8Array, count: number, firstTensor = 'token_embd.weight'): Uint8Array {
  const entryBytes = 8 + 8 + 4 + 8 + 4 + 8; // name length, 8-byte name, n_dims, ne[0], type, offset
  if ((count * entryBytes) % 32) throw new Error('count must keep the alignment (a multiple of 4)');
  const fill = (entries: Uint8Array) => {
    const dv = view(entries);
    const name = new TextEncoder().encode('z0000000');
    for (let i = 0, at = 0; i < count; i++, at += entryBytes) {
      dv.setBigUint64(at, 8n, true);
      entries.set(name, at + 8);
      // z + seven digits, written without building a string per entry
      for (let d = 0, v = i; d < 7; d++, v = Math.floor(v / 10)) entries[at + 15 - d] = 48 + (v % 10);
      dv.setUint32(at + 16, 1, true);
      dv.setBigUint64(at + 20, 32n, true);
      dv.setUint32(at + 28, GgmlType.F32, true);
      dv.setBigUint64(at + 32, 0n, true);
    }
  };
  const needle = new Uint8Array(8 + firstTensor.length);
  view(needle).setBigUint64(0, BigInt(firstTensor.length), true);
  needle.set(new TextEncoder().encode(firstTensor), 8);
  const at = Buffer.from(file.buffer, file.byteOffset, file.byteLength).indexOf(Buffer.from(needle));
  if (at < 0) throw new Error(`tensor ${firstTensor} not found`);
  return splice(file, at, count * entryBytes, fill, { tensors: count });
}

export { gguf } from '../../tools/gguf/writer';
export type { GgufValue };
