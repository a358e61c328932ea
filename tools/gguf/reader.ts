/**
 * A small GGUF reader for scripts and tests (the app reads GGUF with the engine's own parser, cpp/src/gguf.cpp).
 * Written from the format's spec, sharing no code with the writer beside it, so each checks the other.
 */

export interface GgufTensorEntry { name: string; shape: number[]; type: number; offset: number }

export interface GgufFile {
  version: number;
  /** Metadata in file order: key, value type, value (64-bit integers as bigint). */
  kv: [string, number, unknown][];
  tensors: GgufTensorEntry[];
  /** Where the header ends, and where the (aligned) data section starts. */
  headerEnd: number;
  dataStart: number;
}

export function readGguf(bytes: Uint8Array): GgufFile {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 0;
  const u32 = () => { const v = dv.getUint32(o, true); o += 4; return v; };
  const u64 = () => { const v = Number(dv.getBigUint64(o, true)); o += 8; return v; };
  const str = () => { const n = u64(); const s = new TextDecoder().decode(bytes.subarray(o, o + n)); o += n; return s; };
  const value = (t: number): unknown => {
    switch (t) {
      case 0: return dv.getUint8(o++);
      case 1: return dv.getInt8(o++);
      case 2: { const v = dv.getUint16(o, true); o += 2; return v; }
      case 3: { const v = dv.getInt16(o, true); o += 2; return v; }
      case 4: return u32();
      case 5: { const v = dv.getInt32(o, true); o += 4; return v; }
      case 6: { const v = dv.getFloat32(o, true); o += 4; return v; }
      case 7: return dv.getUint8(o++) !== 0;
      case 8: return str();
      case 9: { const it = u32(); const n = u64(); return Array.from({ length: n }, () => value(it)); }
      case 10: { const v = dv.getBigUint64(o, true); o += 8; return v; }
      case 11: { const v = dv.getBigInt64(o, true); o += 8; return v; }
      case 12: { const v = dv.getFloat64(o, true); o += 8; return v; }
      default: throw new Error(`bad GGUF value type ${t} at byte ${o}`);
    }
  };
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== 'GGUF') throw new Error('not a GGUF file');
  o = 4;
  const version = u32();
  const nTensors = u64();
  const nKv = u64();
  const kv: [string, number, unknown][] = [];
  for (let i = 0; i < nKv; i++) { const k = str(); const t = u32(); kv.push([k, t, value(t)]); }
  const tensors: GgufTensorEntry[] = [];
  for (let i = 0; i < nTensors; i++) {
    const name = str();
    const nd = u32();
    const shape = Array.from({ length: nd }, () => u64());
    const type = u32();
    tensors.push({ name, shape, type, offset: u64() });
  }
  const alignment = (kv.find(([k]) => k === 'general.alignment')?.[2] as number | undefined) ?? 32;
  return { version, kv, tensors, headerEnd: o, dataStart: Math.ceil(o / alignment) * alignment };
}
