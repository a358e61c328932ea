// Hostile model files (issue 15, items 1-7): whatever the file, inspect and load finish in seconds, the heap grows
// in proportion to what the model needs, and the end is a model that computes finite numbers or a typed error.
// The files are written here at test time; the large cases stay within a few hundred MB and a few seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../src/lib/engine/node';
import type { WasmEngine } from '../../src/lib/engine/wasm-engine';
import { GgufValueType } from '../../tools/gguf/format';
import { byteLevelFixtureVocab } from '../../scripts/make-fixture';
import { createChat } from '../../src/lib/engine/chat-factory';
import { TINY, gguf, type ModelEdits, withByteArray, withControlStrings, withLongString, withUnusedTensors, writeModel } from './hostile-files';

let engine: WasmEngine;
let good: Uint8Array;
beforeAll(async () => {
  engine = await createNodeEngine({ threads: 2 });
  good = await writeModel(TINY);
});
afterAll(() => engine?.unload());

const heapBytes = (e: WasmEngine) => e.memoryStats().heapBytes;
const allFinite = (a: Float32Array) => a.every(Number.isFinite);

/** A fresh engine, so heap figures are this case's own (the wasm heap never shrinks). */
async function freshEngine(): Promise<WasmEngine> {
  return createNodeEngine({ threads: 1 });
}

async function loadsAndComputes(e: WasmEngine, file: Uint8Array): Promise<void> {
  await e.load([file], file.length, { nCtx: 64 });
  expect(allFinite(e.eval([1, 2, 3]))).toBe(true);
}

describe('item 1: one huge metadata string', () => {
  it('a 16 MiB string of control bytes is left out of the metadata text, not escaped into 100 MB, and the model loads', async () => {
    const { file, key } = withLongString(good, 16 << 20);
    const e = await freshEngine();
    const before = heapBytes(e);
    const r = e.inspect(file, { fileSize: file.length });
    if (!r.complete) throw new Error('incomplete');
    expect(r.metadata[key]).toBeNull();
    expect(r.omitted).toEqual([key]);
    expect(r.planError).toBeUndefined();
    // The file goes into the heap once to be read; as JSON (6 bytes per control byte) it would need 6 times that.
    expect(heapBytes(e) - before).toBeLessThan(3 * file.length);
    await loadsAndComputes(e, file);
  });

  it('a 2^28-byte string (256 MiB) is inspected in seconds, not aborted', async () => {
    const { file, key } = withLongString(good, 2 ** 28);
    const e = await freshEngine();
    const r = e.inspect(file, { fileSize: file.length });
    expect(r.complete && r.metadata[key]).toBeNull();
    expect(heapBytes(e)).toBeLessThan(2 * file.length);
  }, 30_000);
});

describe('item 2: huge metadata arrays', () => {
  for (const [label, type] of [['i8', GgufValueType.INT8], ['bool', GgufValueType.BOOL]] as const) {
    it(`a 4M-item ${label} array is left out of the metadata text, and the model loads`, async () => {
      const { file, key } = withByteArray(good, type, 4 << 20);
      const r = engine.inspect(file, { fileSize: file.length });
      if (!r.complete) throw new Error('incomplete');
      expect(r.metadata[key]).toBeNull();
      expect(r.omitted).toEqual([key]);
      await loadsAndComputes(engine, file);
    });
  }

  it('a 64M-item bool array keeps the heap near the file size', async () => {
    const { file, key } = withByteArray(good, GgufValueType.BOOL, 64 << 20);
    const e = await freshEngine();
    const r = e.inspect(file, { fileSize: file.length });
    expect(r.complete && r.metadata[key]).toBeNull();
    expect(heapBytes(e)).toBeLessThan(3 * file.length);
  }, 30_000);

  it('metadata whose text would pass the budget is a typed error, from inspect and from load', async () => {
    // 500k strings of 24 control bytes: 16 MB in the file, about 75 MB as JSON text.
    const { file } = withControlStrings(good, 500_000, 24);
    expect(() => engine.inspect(file, { fileSize: file.length })).toThrow(expect.objectContaining({ code: 'bad_header', message: expect.stringMatching(/too large/) }));
    await expect(engine.load([file], file.length)).rejects.toMatchObject({ code: 'bad_header' });
    expect(engine.info).toBeUndefined();
  });
});

describe('item 3: a million tensor entries', () => {
  it('1,024 layers and 1M unused tensors: inspect and load in seconds (tensors found by name, not by scanning)', async () => {
    const model = await writeModel({ embd: 128, layers: 1024, heads: 2, headsKv: 1, ff: 128, vocab: 512, ctx: 64 });
    const file = withUnusedTensors(model, 1_000_000);
    const r = engine.inspect(file, { fileSize: file.length });
    if (!r.complete) throw new Error('incomplete');
    expect(r.tensorCount).toBe(1_000_000 + 2 + 1024 * 11);
    expect(r.tensors).toEqual([]); // too many to hand over; the count says how many
    expect(r.planError).toBeUndefined();
    const info = await engine.load([file], file.length);
    expect(info.nLayer).toBe(1024);
    expect(allFinite(engine.eval([1, 2]))).toBe(true);
  }, 60_000);
});

describe('item 4: an absurd trained context', () => {
  it('refuses a context that cannot fit before allocating, and the default context is bounded', async () => {
    const file = await writeModel({ ...TINY, ctx: 2 ** 23 });
    const e = await freshEngine();
    const before = heapBytes(e);
    await expect(e.load([file], file.length, { nCtx: 2 ** 23 })).rejects.toMatchObject({ code: 'out_of_memory' });
    expect(heapBytes(e) - before).toBeLessThan(64 << 20);
    const info = await e.load([file], file.length); // the CLI without --ctx
    expect(info.nCtx).toBeLessThanOrEqual(8192);
    expect(info.plan.total).toBeLessThan(64 << 20);
    expect(heapBytes(e)).toBeLessThan(256 << 20);
    expect(allFinite(e.eval([1, 2, 3]))).toBe(true);
  });
});

describe('item 5: hyperparameters that are not finite', () => {
  const cases: [string, (w: import('../../tools/gguf/writer').GgufWriter) => void][] = [
    ['layer_norm_rms_epsilon = +inf', (w) => w.setMetadata('bitnet-b1.58.attention.layer_norm_rms_epsilon', gguf.f32(Infinity))],
    ['rope.freq_base = 1e300 as f32 (inf)', (w) => w.setMetadata('bitnet-b1.58.rope.freq_base', gguf.f32(1e300))],
    ['rope.freq_base = 1e300 as f64', (w) => w.setMetadata('bitnet-b1.58.rope.freq_base', gguf.f64(1e300))],
    ['layer_norm_rms_epsilon = NaN', (w) => w.setMetadata('bitnet-b1.58.attention.layer_norm_rms_epsilon', gguf.f32(NaN))],
  ];
  for (const [label, edit] of cases) {
    it(`${label}: inspect says the engine cannot run it, and load fails with the same typed error`, async () => {
      const file = await writeModel(TINY, { metadata: edit });
      const r = engine.inspect(file, { fileSize: file.length });
      if (!r.complete) throw new Error('incomplete');
      expect(r.planError?.code).toBe('unsupported_model');
      expect(r.planError?.message).toMatch(/not a finite number in/);
      await expect(engine.load([file], file.length)).rejects.toMatchObject({ code: 'unsupported_model' });
    });
  }
});

describe('item 6: weights that overflow', () => {
  const cases: [string, ModelEdits][] = [
    // The final hidden state overflows to infinity (the lm_head's quantizer would have made that all-zero logits).
    ['output-norm weights of -3e38', { values: { 'output_norm.weight': (n) => new Float32Array(n).fill(-3e38) } }],
    // The hidden state stays finite and the lm_head's products overflow: logits of +-Infinity.
    ['output-norm weights of -1e37 with the F16 maximum in the embedding', {
      values: {
        'output_norm.weight': (n) => new Float32Array(n).fill(-1e37),
        'token_embd.weight': (n) => Float32Array.from({ length: n }, (_, i) => (i % 3 ? 65504 : -65504)),
      },
    }],
  ];
  for (const [label, edits] of cases) {
    it(`${label}: non-finite logits end the evaluation with a typed non_finite error, the cache as it was`, async () => {
      const file = await writeModel(TINY, edits);
      await engine.load([file], file.length, { nCtx: 64 });
      expect(() => engine.eval([5, 6, 7])).toThrow(expect.objectContaining({ code: 'non_finite', hint: expect.stringMatching(/damaged/) }));
      expect(engine.nPast).toBe(0);
      expect(() => engine.eval([5, 6], { allLogits: true })).toThrow(expect.objectContaining({ code: 'non_finite' }));
      // The good model still computes afterwards.
      await loadsAndComputes(engine, good);
    });
  }
});

describe('item 7: tokenizer ids beyond the embedding', () => {
  const bigger = byteLevelFixtureVocab(TINY.vocab + 8);
  const cases: [string, (w: import('../../tools/gguf/writer').GgufWriter) => void, RegExp][] = [
    ['more tokens than embedding rows', (w) => w
      .setMetadata('tokenizer.ggml.tokens', gguf.strings(bigger.tokens))
      .setMetadata('tokenizer.ggml.token_type', gguf.i32s(bigger.tokenTypes))
      .setMetadata('tokenizer.ggml.scores', gguf.f32s(new Float32Array(bigger.tokens.length))), /520 tokens but the embedding only 512 rows/],
    ['an end-of-sequence id past the embedding', (w) => w.setMetadata('tokenizer.ggml.eos_token_id', gguf.u32(TINY.vocab + 3)), /eos_token_id/],
    ['a padding id past the embedding', (w) => w.setMetadata('tokenizer.ggml.padding_token_id', gguf.u32(1 << 20)), /padding_token_id/],
  ];
  for (const [label, edit, message] of cases) {
    it(`${label}: refused at inspect and load, not at the first message`, async () => {
      const file = await writeModel(TINY, { metadata: edit });
      const r = engine.inspect(file, { fileSize: file.length });
      if (!r.complete) throw new Error('incomplete');
      expect(r.planError?.code).toBe('bad_header');
      expect(r.planError?.message).toMatch(message);
      await expect(engine.load([file], file.length)).rejects.toMatchObject({ code: 'bad_header', message: expect.stringMatching(message) });
    });
  }

  it('a chat whose tokenizer has more tokens than the loaded model has rows is refused with a typed error', async () => {
    const file = await writeModel(TINY, { metadata: cases[0][1] });
    const r = engine.inspect(file, { fileSize: file.length });
    if (!r.complete) throw new Error('incomplete');
    await engine.load([good], good.length, { nCtx: 64 });
    expect(() => createChat(engine, r.metadata)).toThrow(expect.objectContaining({ code: 'tokenizer_invalid' }));
  });
});
