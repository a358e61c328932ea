// Every BitNet-family reference model (test/fixtures/family) against bitnet.cpp's logits, token by token and as one
// batch, at 1 and 2 threads: the criterion of test/fixtures/REFERENCE.md at every position. The same check as
// test/engine/reference.test.ts makes for 2B-4T, through the same helpers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../src/lib/engine/node';
import type { WasmEngine } from '../../src/lib/engine/wasm-engine';
import { FAMILY_MODELS, compareWithReference, evalSequentialAndBatch, fixtureBytes } from '../engine/helpers';

let engine: WasmEngine;
beforeAll(async () => { engine = await createNodeEngine({ threads: 2 }); });
afterAll(() => engine?.unload());

for (const [name, model] of Object.entries(FAMILY_MODELS)) {
  describe(`${name} (${model.architecture}) vs bitnet.cpp`, () => {
    const bytes = fixtureBytes(`family/${model.file}`);
    for (const threads of [1, 2]) {
      it(`passes the criterion token by token and as a batch on ${threads} thread(s)`, async () => {
        engine.setThreads(threads);
        const info = await engine.load([bytes], bytes.length, { nCtx: 64 });
        expect(info.nVocab).toBe(model.vocab_size);
        const ours = evalSequentialAndBatch(engine, model.input_ids, model.vocab_size);
        for (const c of compareWithReference(ours, model, 'family/')) {
          console.log(`${name} t=${threads}: corr>=${c.minCorrelation.toFixed(5)} maxdiff=${c.maxAbsDiff.toFixed(4)}`);
          expect(c.minCorrelation).toBeGreaterThanOrEqual(0.998);
          expect(c.maxAbsDiff).toBeLessThanOrEqual(0.35);
          expect(c.top1Mismatches).toEqual([]);
        }
      });
    }
  });
}
