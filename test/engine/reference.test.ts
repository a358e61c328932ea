// The forward pass against bitnet.cpp's logits for the synthetic fixtures (criterion: test/fixtures/REFERENCE.md),
// token by token and as one batch, at 1 and 2 threads; chunked loading; KV-cache truncation; the full-size memory plan.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../src/lib/engine/node';
import type { WasmEngine } from '../../src/lib/engine/wasm-engine';
import { MODELS, compareWithReference, evalSequentialAndBatch, fixtureBytes } from './helpers';

let engine: WasmEngine;
beforeAll(async () => { engine = await createNodeEngine({ threads: 2 }); });
afterAll(() => engine?.unload());

function* chunksOf(bytes: Uint8Array, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

for (const name of ['small', 'medium'] as const) {
  const model = MODELS[name];
  describe(`${name} model vs bitnet.cpp`, () => {
    const bytes = fixtureBytes(model.file);
    const vocab = model.vocab_size;

    for (const threads of [1, 2]) {
      it(`passes the criterion token by token and as a batch on ${threads} thread(s)`, async () => {
        engine.setThreads(threads);
        await engine.load([bytes], bytes.length, { nCtx: 256 });
        const ours = evalSequentialAndBatch(engine, model.input_ids, vocab);
        const { batch } = ours;
        for (const c of compareWithReference(ours, model)) {
          console.log(`${name} t=${threads}: corr>=${c.minCorrelation.toFixed(5)} maxdiff=${c.maxAbsDiff.toFixed(4)}`);
          expect(c.minCorrelation).toBeGreaterThanOrEqual(0.998);
          expect(c.maxAbsDiff).toBeLessThanOrEqual(0.35);
          expect(c.top1Mismatches).toEqual([]);
        }
        // Last-only logits equal the last row of all-position logits.
        engine.clear();
        const last = engine.eval(model.input_ids);
        expect(Array.from(last)).toEqual(Array.from(batch.subarray((model.input_ids.length - 1) * vocab)));
      });
    }

    it('skips the last layer for tokens without logits and still gives the same logits and cache', async () => {
      // 150 tokens: a first batch of 64 whose last layer is skipped past the cache writes, and a final batch that
      // keeps only its last token there. The next token's logits show the cache is whole.
      engine.setThreads(2);
      await engine.load([bytes], bytes.length, { nCtx: 256 });
      const ids = Array.from({ length: 150 }, (_, i) => (i * 7919 + 11) % (vocab - 8));
      const all = engine.eval(ids, { allLogits: true });
      const nextAfterAll = engine.eval([5]);
      engine.clear();
      const last = engine.eval(ids);
      expect(Buffer.from(last.buffer).equals(Buffer.from(all.slice((ids.length - 1) * vocab).buffer))).toBe(true);
      expect(Buffer.from(engine.eval([5]).buffer).equals(Buffer.from(nextAfterAll.buffer))).toBe(true);
    });

    it('gives identical logits when loaded in odd-sized chunks', async () => {
      engine.setThreads(2);
      await engine.load([bytes], bytes.length, { nCtx: 64 });
      const whole = engine.eval(model.input_ids, { allLogits: true });
      for (const size of [1, 7, 4093, 65537]) {
        if (size === 1 && bytes.length > 1 << 20) continue; // byte-by-byte only for the small model (speed)
        await engine.load(chunksOf(bytes, size), bytes.length, { nCtx: 64 });
        expect(Buffer.from(engine.eval(model.input_ids, { allLogits: true }).buffer).equals(Buffer.from(whole.buffer))).toBe(true);
      }
    });

    it('reuses the KV cache after truncate and refuses to overflow the context', async () => {
      await engine.load([bytes], bytes.length, { nCtx: 16 });
      const ids = model.input_ids.slice(0, 8);
      const full = engine.eval(ids, { allLogits: true });
      engine.truncate(5);
      expect(engine.nPast).toBe(5);
      const again = engine.eval(ids.slice(5), { allLogits: true });
      expect(Array.from(again)).toEqual(Array.from(full.subarray(5 * vocab)));
      expect(() => engine.eval(new Array(9).fill(1))).toThrow(expect.objectContaining({ code: 'context_overflow' }));
      expect(engine.nPast).toBe(8);
      expect(() => engine.eval([vocab])).toThrow(expect.objectContaining({ code: 'bad_argument' }));
    });
  });
}

it('reports memory up front and after loading', async () => {
  const bytes = fixtureBytes(MODELS.medium.file);
  // engine.load gets no readRange, so the table stays in memory: the plan for that load.
  const inspection = engine.inspect(bytes, { fileSize: bytes.length, nCtx: 128, memory: { inputRowsFromFile: false } });
  expect(inspection.complete).toBe(true);
  if (!inspection.complete) return;
  expect(inspection.plan!.kvCache).toBe(2 * 4 * 128 * 2 * 64 * 2); // K and V, f16
  const info = await engine.load([bytes], bytes.length, { nCtx: 128 });
  expect(info.plan).toEqual(inspection.plan);
  // Every tensor as in the file, except the F16 embedding: kept as int8 + int8 residual + one f32 scale per 128.
  const embedding = inspection.tensors.find((t) => t.name === 'token_embd.weight')!;
  const embeddingElements = embedding.bytes / 2;
  expect(info.plan.weights).toBe(inspection.tensors.reduce((a, t) => a + t.bytes, 0) + embeddingElements / 32);
  const stats = engine.memoryStats();
  expect(stats.heapBytes).toBeGreaterThan(info.plan.total);
  engine.unload();
  expect(engine.info).toBeUndefined();
  expect(() => engine.eval([1])).toThrow(expect.objectContaining({ code: 'no_model' }));
});

it('plans the full-size 2B-4T model at 4096 tokens from its header, within what the catalogue tells users', async () => {
  // Only the header is written (tensor data is not needed to plan): the real file's dimensions, vocabulary size and
  // tensor layout, as bench/ and scripts/make-fixture.ts write the full model.
  const { GgufWriter, MemorySink } = await import('../../tools/gguf/writer');
  const { DIM_PRESETS, bitnetTensorSpecs, byteLevelFixtureVocab, declareBitnetModel } = await import('../../scripts/make-fixture');
  const { BUILTIN_CATALOGUE } = await import('../../src/lib/store/catalogue');
  const d = DIM_PRESETS['2b4t'];
  const writer = new GgufWriter(new MemorySink());
  declareBitnetModel(writer, d, byteLevelFixtureVocab(d.vocab), 'synthetic 2B-4T');
  const header = writer.headerBytes();
  const inspection = engine.inspect(header, { nCtx: 4096 });
  expect(inspection.complete).toBe(true);
  if (!inspection.complete) return;
  const last = inspection.tensors[inspection.tensors.length - 1];
  const fileSize = inspection.headerBytes + last.offset + last.bytes;
  const planned = engine.inspect(header, { fileSize, nCtx: 4096 });
  if (!planned.complete) throw new Error('header incomplete');
  expect(planned.planError).toBeUndefined();
  const plan = planned.plan!;
  expect(plan.parameters).toBe(bitnetTensorSpecs(d).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0));
  const kvDim = (d.embd / d.heads) * d.headsKv;
  expect(plan.kvCache).toBe(2 * d.layers * 4096 * kvDim * 2); // K and V, f16
  // The store warns before a download by the catalogue's figure; the engine must not need more than it says.
  const official = BUILTIN_CATALOGUE.find((e) => e.url.endsWith('ggml-model-i2_s.gguf'))!;
  expect(plan.total).toBeLessThanOrEqual(official.memoryBytes!);
  expect(plan.total).toBeLessThan(2 ** 32);
  // And with the memory saving the engine falls back to first (int8 KV cache, 6-bit head: memory-budget.ts).
  const lean = engine.inspect(header, { fileSize, nCtx: 4096, memory: { kvCache: 'int8', head: 'int6' } });
  if (!lean.complete) throw new Error('header incomplete');
  expect([lean.plan!.kvInt8, lean.plan!.headBits]).toEqual([true, 6]);
  expect(lean.plan!.total).toBeLessThanOrEqual(official.leanMemoryBytes!);
  expect(lean.plan!.total).toBeGreaterThan(official.leanMemoryBytes! * 0.97);
  expect(lean.plan!.kvCache / 4096).toBe(official.leanKvBytesPerToken);
});
