// The two memory savers against bitnet.cpp's logits on every reference model (criterion: test/fixtures/REFERENCE.md):
// the input embedding read from the file row by row (exact F16 rows instead of int8 + residual), and the int8 KV
// cache. Also: a row read that fails is a clear error that leaves the cache as it was, and the int8 attention kernel
// against a float reference of the same codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine, fileRangeReader } from '../../src/lib/engine/node';
import type { MemoryOptions, WasmEngine } from '../../src/lib/engine/wasm-engine';
import { FAMILY_MODELS, FIXTURES, MODELS, compareLogits, compareWithReference, evalSequentialAndBatch, fixtureBytes, type FixtureModel } from './helpers';
import { join } from 'node:path';

let engine: WasmEngine;
beforeAll(async () => { engine = await createNodeEngine({ threads: 2 }); });
afterAll(() => engine?.unload());

const reference: [string, FixtureModel, string][] = [
  ['small', MODELS.small, ''],
  ['medium', MODELS.medium, ''],
  ...Object.entries(FAMILY_MODELS).map(([name, m]): [string, FixtureModel, string] => [name, m, 'family/']),
];

const MODES: Record<string, MemoryOptions> = {
  'input rows from the file': { inputRowsFromFile: true },
  'input rows from the file and an int8 KV cache': { inputRowsFromFile: true, kvCache: 'int8' },
};

for (const [mode, memory] of Object.entries(MODES)) {
  describe(mode, () => {
    for (const [name, model, dir] of reference) {
      it(`${name} passes the reference criterion token by token and as a batch`, async () => {
        const bytes = fixtureBytes(dir + model.file);
        const file = fileRangeReader(join(FIXTURES, dir + model.file));
        const { info } = await engine.loadModel({ chunks: [bytes], size: bytes.length, ...file }, { nCtx: 256, memory });
        expect(info.plan.inputRowsFromFile).toBe(true);
        const ours = evalSequentialAndBatch(engine, model.input_ids, model.vocab_size);
        for (const c of compareWithReference(ours, model, dir)) {
          console.log(`${name} ${mode}: corr>=${c.minCorrelation.toFixed(5)} maxdiff=${c.maxAbsDiff.toFixed(4)}`);
          expect(c.minCorrelation).toBeGreaterThanOrEqual(0.998);
          expect(c.maxAbsDiff).toBeLessThanOrEqual(0.35);
          expect(c.top1Mismatches).toEqual([]);
        }
        engine.unload();
      });
    }
  });
}

describe('input rows from the file', () => {
  it('differ from the resident table only by its rounding, one read per token, and close the file on unload', async () => {
    const model = MODELS.medium;
    const bytes = fixtureBytes(model.file);
    await engine.loadModel({ chunks: [bytes], size: bytes.length }, { nCtx: 64 });
    const resident = engine.eval(model.input_ids, { allLogits: true });
    let reads = 0, closed = 0;
    const readRange = (offset: number, length: number) => { reads++; return bytes.slice(offset, offset + length); };
    const { info } = await engine.loadModel({ chunks: [bytes], size: bytes.length, readRange, close: () => closed++ }, { nCtx: 64 });
    // The tied table keeps its int8 rows for the lm_head but not the residual: n_vocab x n_embd bytes less.
    const residentPlan = engine.inspect(bytes, { fileSize: bytes.length, nCtx: 64, memory: { inputRowsFromFile: false } });
    if (!residentPlan.complete) throw new Error('header incomplete');
    expect(info.plan.weights).toBe(residentPlan.plan!.weights - info.nEmbd * info.nVocab);
    const fromFile = engine.eval(model.input_ids, { allLogits: true });
    expect(reads).toBe(model.input_ids.length);
    // Not the same numbers (the residual's rounding is gone), but within the reference criterion of each other
    // (random-weight models amplify a rounding difference through every layer: REFERENCE.md).
    expect(Buffer.from(fromFile.buffer).equals(Buffer.from(resident.buffer))).toBe(false);
    const c = compareLogits(fromFile, resident, model.vocab_size);
    expect(c.minCorrelation).toBeGreaterThanOrEqual(0.998);
    expect(c.maxAbsDiff).toBeLessThanOrEqual(0.35);
    engine.unload();
    expect(closed).toBe(1);
  });

  it('a row that cannot be read fails the eval with the reader\'s error and leaves the cache as it was', async () => {
    const model = MODELS.small;
    const bytes = fixtureBytes(model.file);
    let broken = false;
    const readRange = (offset: number, length: number) => {
      if (broken) throw Object.assign(new Error('the stored file was cleared'), { code: 'incomplete' });
      return bytes.slice(offset, offset + length);
    };
    await engine.loadModel({ chunks: [bytes], size: bytes.length, readRange }, { nCtx: 256 });
    const first = engine.eval(model.input_ids.slice(0, 4));
    broken = true;
    // 70 tokens: the failure comes in the second batch of 64, after the first batch ran.
    expect(() => engine.eval(Array.from({ length: 70 }, (_, i) => i + 1))).toThrow('the stored file was cleared');
    expect(engine.nPast).toBe(4);
    broken = false;
    engine.truncate(3);
    expect(Array.from(engine.eval(model.input_ids.slice(3, 4)))).toEqual(Array.from(first));
    engine.unload();
  });

  it('a reader that returns too few bytes is a truncated file', async () => {
    const bytes = fixtureBytes(MODELS.small.file);
    const readRange = (offset: number, length: number) => bytes.slice(offset, offset + length - 1);
    await engine.loadModel({ chunks: [bytes], size: bytes.length, readRange }, { nCtx: 16 });
    expect(() => engine.eval([1])).toThrow(expect.objectContaining({ code: 'truncated' }));
    engine.unload();
  });
});

describe('the KV cache picked by the memory budget', () => {
  it('is f16 (exact) where the model fits the budget with it, int8 where only that fits', async () => {
    const bytes = fixtureBytes(MODELS.medium.file);
    const f16 = engine.inspect(bytes, { fileSize: bytes.length, nCtx: 256, memory: { inputRowsFromFile: false } });
    if (!f16.complete) throw new Error('header incomplete');
    const need = f16.plan!.total;
    for (const [budget, int8] of [[need, false], [need - 1, true], [undefined, false]] as const) {
      const { info } = await engine.loadModel({ chunks: [bytes], size: bytes.length }, { nCtx: 256, memoryBudget: budget });
      expect(info.plan.kvInt8).toBe(int8);
    }
    // A choice made by the caller stands.
    const { info } = await engine.loadModel({ chunks: [bytes], size: bytes.length }, { nCtx: 256, memoryBudget: 1, memory: { kvCache: 'f16' } });
    expect(info.plan.kvInt8).toBe(false);
    engine.unload();
  });

  it('takes the least lossy step that fits: 6-bit head, int8 cache, both; the 4-bit head only when asked', async () => {
    const bytes = fixtureBytes(MODELS.medium.file);
    const readRange = (offset: number, length: number) => bytes.slice(offset, offset + length);
    const total = (memory: MemoryOptions) => {
      const r = engine.inspect(bytes, { fileSize: bytes.length, nCtx: 256, memory });
      if (!r.complete) throw new Error('header incomplete');
      return r.plan!.total;
    };
    const steps = [
      { kvInt8: false, headBits: 8, total: total({ inputRowsFromFile: true }) },
      { kvInt8: false, headBits: 6, total: total({ inputRowsFromFile: true, head: 'int6' }) },
      { kvInt8: true, headBits: 8, total: total({ inputRowsFromFile: true, kvCache: 'int8' }) },
      { kvInt8: true, headBits: 6, total: total({ inputRowsFromFile: true, kvCache: 'int8', head: 'int6' }) },
    ];
    // Every budget a step exactly fits (and one byte less) picks the first step, in that order, that fits it.
    const budgets = steps.flatMap((step) => [step.total, step.total - 1]);
    // Here the 6-bit head alone is smaller than the int8 cache alone, so the int8 cache alone is never the pick.
    expect(new Set(budgets.map((b) => steps.findIndex((s) => s.total <= b)))).toEqual(new Set([0, 1, 3, -1]));
    for (const budget of budgets) {
      // Below every step: the last one (the context cannot shrink below 1,024, and 256 is asked here).
      const expected = steps.find((s) => s.total <= budget) ?? steps[steps.length - 1];
      const { info } = await engine.loadModel({ chunks: [bytes], size: bytes.length, readRange }, { nCtx: 256, memoryBudget: budget });
      expect([info.plan.nCtx, info.plan.kvInt8, info.plan.headBits]).toEqual([256, expected.kvInt8, expected.headBits]);
    }
    // A choice made by the caller stands.
    const { info } = await engine.loadModel({ chunks: [bytes], size: bytes.length, readRange }, { nCtx: 256, memoryBudget: 1, memory: { head: 'int8' } });
    expect([info.plan.kvInt8, info.plan.headBits]).toEqual([true, 8]);
    const asked = await engine.loadModel({ chunks: [bytes], size: bytes.length, readRange }, { nCtx: 256, memoryBudget: 1, memory: { head: 'int4' } });
    expect([asked.info.plan.kvInt8, asked.info.plan.headBits]).toEqual([true, 4]);
    engine.unload();
  });

  it('a budget the int8 cache still exceeds shortens the context, halving, down to 1,024 tokens', async () => {
    const bytes = fixtureBytes(MODELS.medium.file);
    const plan = (nCtx: number) => {
      const r = engine.inspect(bytes, { fileSize: bytes.length, nCtx, memory: { inputRowsFromFile: false, kvCache: 'int8' } });
      if (!r.complete) throw new Error('header incomplete');
      return r.plan!.total;
    };
    const load = async (memoryBudget: number) =>
      (await engine.loadModel({ chunks: [bytes], size: bytes.length }, { nCtx: 4096, memoryBudget })).info;
    expect((await load(plan(4096))).nCtx).toBe(4096);
    const at2048 = await load(plan(2048));
    expect([at2048.nCtx, at2048.plan.kvInt8]).toEqual([2048, true]);
    expect((await load(plan(1024) + 1)).nCtx).toBe(1024);
    // Never below 1,024: a budget too small for that keeps 1,024 and is left to the allocation to refuse or not.
    expect((await load(plan(1024) - 1)).nCtx).toBe(1024);
    engine.unload();
  });
});

describe('int8 KV cache kernels', () => {
  function quantize(x: Float32Array, headDim: number) {
    const q = new Int8Array(x.length), scales = new Float32Array(x.length / headDim);
    for (let r = 0; r < scales.length; r++) {
      const row = x.subarray(r * headDim, (r + 1) * headDim);
      const amax = row.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      scales[r] = Math.fround(amax / 127);
      const inv = amax > 0 ? Math.fround(127 / amax) : 0;
      row.forEach((v, i) => {
        const t = Math.fround(v * inv);
        let n = Math.round(t);
        if (Math.abs(t % 1) === 0.5) n = 2 * Math.round(t / 2); // half to even, as the engine rounds
        q[r * headDim + i] = Math.max(-127, Math.min(127, n));
      });
    }
    return { q, scales };
  }

  it('rows quantize as absmax / 127, half to even', () => {
    const x = new Float32Array([0.5, -1.27, 0.005, 1.27, 0, 0.635, -0.635, 0.3]);
    const { q, scale } = engine.kvQuantizeRow(x);
    const expected = quantize(x, 8);
    expect(scale).toBe(expected.scales[0]);
    expect(Array.from(q)).toEqual(Array.from(expected.q));
  });

  for (const [group, headDim] of [[4, 128], [3, 96], [1, 6]]) {
    it(`attention over int8 rows equals the float product of the same codes (group ${group}, head_dim ${headDim})`, () => {
      let seed = 7;
      const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff - 0.5; };
      const nKeys = 300;
      const q = Float32Array.from({ length: group * headDim }, rand);
      const k = quantize(Float32Array.from({ length: nKeys * headDim }, rand), headDim);
      const v = quantize(Float32Array.from({ length: nKeys * headDim }, rand), headDim);
      const out = engine.kernelAttentionQ8(q, group, headDim, k, v, 256);
      for (let g = 0; g < group; g++) {
        const scores = Array.from({ length: nKeys }, (_, j) => {
          let s = 0;
          for (let d = 0; d < headDim; d++) s += q[g * headDim + d] * k.q[j * headDim + d] * k.scales[j];
          return s / Math.sqrt(headDim);
        });
        const max = Math.max(...scores);
        const w = scores.map((s) => Math.exp(s - max));
        const sum = w.reduce((a, b) => a + b, 0);
        for (let d = 0; d < headDim; d++) {
          let o = 0;
          for (let j = 0; j < nKeys; j++) o += w[j] * v.q[j * headDim + d] * v.scales[j];
          expect(out[g * headDim + d]).toBeCloseTo(o / sum, 5);
        }
      }
    });
  }
});
