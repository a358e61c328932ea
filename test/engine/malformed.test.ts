// Malformed and unsupported files: each gives its specific error code (from inspect and from streaming load),
// never a crash, and the engine still loads and runs a good model afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../src/lib/engine/node';
import type { EngineErrorCode } from '../../src/lib/engine/errors';
import type { WasmEngine } from '../../src/lib/engine/wasm-engine';
import { MODELS, compareLogits, fixtureBytes, referenceLogits } from './helpers';

let engine: WasmEngine;
beforeAll(async () => { engine = await createNodeEngine({ threads: 2 }); });
afterAll(() => engine?.unload());

const good = fixtureBytes(MODELS.small.file);
const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Position just after a tensor's length-prefixed name in the tensor-info table. */
function afterTensorName(bytes: Uint8Array, name: string): number {
  const needle = new Uint8Array(8 + name.length);
  view(needle).setBigUint64(0, BigInt(name.length), true);
  needle.set(new TextEncoder().encode(name), 8);
  const at = Buffer.from(bytes).indexOf(Buffer.from(needle));
  if (at < 0) throw new Error(`tensor ${name} not found`);
  return at + needle.length;
}

function patched(edit: (bytes: Uint8Array, dv: DataView) => void): Uint8Array {
  const copy = good.slice();
  edit(copy, view(copy));
  return copy;
}

function replaceAscii(bytes: Uint8Array, from: string, to: string): void {
  const at = Buffer.from(bytes).indexOf(Buffer.from(from));
  if (at < 0 || from.length !== to.length) throw new Error(`cannot replace ${from}`);
  bytes.set(new TextEncoder().encode(to), at);
}

// The tensor info after the name: n_dims u32, ne u64 x n_dims, type u32, offset u64.
const NORM = 'output_norm.weight'; // 1-D F32
const cases: [string, EngineErrorCode, Uint8Array][] = [
  ['truncated file', 'offset_out_of_range', good.slice(0, good.length - 1000)],
  ['file cut inside the header', 'truncated', good.slice(0, 300)],
  ['bad magic', 'bad_magic', patched((b) => b.set([0x47, 0x47, 0x4d, 0x4c], 0))],
  ['GGUF version 1', 'bad_version', patched((_, dv) => dv.setUint32(4, 1, true))],
  ['GGUF version 4', 'bad_version', patched((_, dv) => dv.setUint32(4, 4, true))],
  ['absurd tensor count', 'bad_header', patched((_, dv) => dv.setBigUint64(8, 1n << 40n, true))],
  ['absurd metadata count', 'bad_header', patched((_, dv) => dv.setBigUint64(16, 1n << 50n, true))],
  ['absurd dimension', 'bad_header', patched((b, dv) => dv.setBigUint64(afterTensorName(b, NORM) + 4, 1n << 60n, true))],
  ['zero dimensions', 'bad_header', patched((b, dv) => dv.setUint32(afterTensorName(b, NORM), 0, true))],
  ['tensor offset outside the file', 'offset_out_of_range', patched((b, dv) => dv.setBigUint64(afterTensorName(b, NORM) + 4 + 8 + 4, 1n << 40n, true))],
  ['offset overflowing 64 bits', 'offset_out_of_range', patched((b, dv) => dv.setBigUint64(afterTensorName(b, NORM) + 16, 0xffffffffffffffe0n, true))],
  ['unknown tensor type', 'unknown_tensor_type', patched((b, dv) => dv.setUint32(afterTensorName(b, NORM) + 4 + 8, 99, true))],
  ['wrong tensor type', 'unsupported_tensor_type', patched((b, dv) => dv.setUint32(afterTensorName(b, 'blk.0.attn_norm.weight') + 4 + 8, 1, true))],
  ['missing tensor', 'missing_tensor', patched((b) => replaceAscii(b, 'blk.1.ffn_down.weight', 'blk.1.ffn_dowX.weight'))],
  ['unsupported architecture', 'unsupported_architecture', patched((b) => replaceAscii(b, 'bitnet-b1.58', 'llama-b1.580'))],
  ['absurd string length', 'bad_header', patched((_, dv) => dv.setBigUint64(24, 1n << 62n, true))],
];

describe('malformed model files', () => {
  for (const [label, code, bytes] of cases) {
    it(`${label} -> ${code}`, async () => {
      // Inspect (only header checks) must agree except where the problem is only visible to the model loader.
      const modelOnly = ['unsupported_architecture', 'missing_tensor', 'unsupported_tensor_type'].includes(code);
      if (modelOnly) {
        const r = engine.inspect(bytes, { fileSize: bytes.length });
        expect(r.complete && r.planError?.code).toBe(code);
      } else {
        expect(() => engine.inspect(bytes, { fileSize: bytes.length })).toThrow(expect.objectContaining({ code }));
      }
      await expect(engine.load([bytes.subarray(0, 100), bytes.subarray(100)], bytes.length)).rejects.toMatchObject({ code });
      expect(engine.info).toBeUndefined();
    });
  }

  it('a stream that stops early is truncated at loadEnd', async () => {
    engine.loadBegin(good.length);
    engine.loadChunk(good.subarray(0, good.length - 10));
    expect(() => engine.loadEnd()).toThrow(expect.objectContaining({ code: 'truncated' }));
    expect(() => engine.loadChunk(good.subarray(0, 10))).toThrow(expect.objectContaining({ code: 'bad_state' }));
  });

  it('inspect asks for more bytes when the header continues', () => {
    const r = engine.inspect(good.subarray(0, 64), { fileSize: good.length });
    expect(r.complete).toBe(false);
    if (!r.complete) expect(r.needBytes).toBeGreaterThan(64);
  });

  it('errors carry a hint and serialise to plain data', () => {
    try {
      engine.inspect(cases[2][2], { fileSize: good.length });
      expect.unreachable();
    } catch (e) {
      const plain = JSON.parse(JSON.stringify(e));
      expect(plain).toMatchObject({ name: 'EngineError', code: 'bad_magic' });
      expect(plain.hint).toMatch(/GGUF/);
      expect(plain.message).toMatch(/not a GGUF file/);
    }
  });

  it('the engine still loads and runs the good model afterwards', async () => {
    await engine.load([good], good.length, { nCtx: 64 });
    const logits = engine.eval(MODELS.small.input_ids, { allLogits: true });
    const c = compareLogits(logits, referenceLogits(MODELS.small.logits_seq), MODELS.small.vocab_size);
    expect(c.minCorrelation).toBeGreaterThanOrEqual(0.998);
  });
});
