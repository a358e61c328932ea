/**
 * What the lossy memory options (the int8 KV cache, the 6- and 4-bit lm_heads) cost in accuracy, against the exact mode (f16 KV as bitnet.cpp
 * keeps it; input rows read from the file as F16): on every reference model, the logits' largest difference and
 * lowest correlation against bitnet.cpp for both modes; on the demo model's own text (its greedy answers to the test
 * prompts, fed back token by token), the top-1 agreement and the KL divergence of each lossy mode against exact.
 * Usage: npx tsx bench/quality.ts  (prints one JSON object; bench/run.ts includes it in its report)
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeEngine, fileRangeReader, loadModelFile } from '../src/lib/engine/node';
import type { MemoryOptions, WasmEngine } from '../src/lib/engine/wasm-engine';
import { FAMILY_MODELS, FIXTURES, MODELS, compareWithReference, evalSequentialAndBatch, fixtureBytes, type FixtureModel } from '../test/engine/helpers';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const EXACT: MemoryOptions = { inputRowsFromFile: true, kvCache: 'f16' };
const INT8: MemoryOptions = { inputRowsFromFile: true, kvCache: 'int8' };
const HEAD6: MemoryOptions = { inputRowsFromFile: true, kvCache: 'f16', head: 'int6' };
const INT8_HEAD6: MemoryOptions = { inputRowsFromFile: true, kvCache: 'int8', head: 'int6' };
const HEAD4: MemoryOptions = { inputRowsFromFile: true, kvCache: 'f16', head: 'int4' };
const INT8_HEAD4: MemoryOptions = { inputRowsFromFile: true, kvCache: 'int8', head: 'int4' };
const LOSSY = [INT8, HEAD6, INT8_HEAD6, HEAD4, INT8_HEAD4];

async function referenceRow(engine: WasmEngine, name: string, model: FixtureModel, dir: string, memory: MemoryOptions) {
  const bytes = fixtureBytes(dir + model.file);
  await engine.loadModel({ chunks: [bytes], size: bytes.length, ...fileRangeReader(join(FIXTURES, dir + model.file)) }, { nCtx: 256, memory });
  const comparisons = compareWithReference(evalSequentialAndBatch(engine, model.input_ids, model.vocab_size), model, dir);
  engine.unload();
  return {
    model: name, kv_cache: memory.kvCache, head: memory.head ?? 'int8',
    max_abs_diff: Math.max(...comparisons.map((c) => c.maxAbsDiff)),
    min_correlation: Math.min(...comparisons.map((c) => c.minCorrelation)),
  };
}

function logSoftmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(logits, (v) => v - lse);
}

const argmax = (x: ArrayLike<number>) => { let b = 0; for (let i = 1; i < x.length; i++) if (x[i] > x[b]) b = i; return b; };

/** The demo model's greedy continuation of each prompt's ids (exact mode), then both modes' logits over it. */
async function demoText(engine: WasmEngine, lossyModes: MemoryOptions[]) {
  const model = join(root, 'public/models/trit-demo.gguf');
  const { prompts } = JSON.parse(readFileSync(join(root, 'test/demo-model/prompts.json'), 'utf8')) as { prompts: { ids: number[] }[] };
  const texts: number[][] = [];
  await loadModelFile(engine, model, 0, { memory: EXACT });
  const nCtx = engine.info!.nCtx;
  for (const { ids } of prompts) {
    engine.clear();
    const seq = [...ids];
    let logits = engine.eval(ids);
    while (seq.length < nCtx) {
      const next = argmax(logits);
      seq.push(next);
      logits = engine.eval([next]);
    }
    texts.push(seq);
  }
  const logitsOf = async (memory: MemoryOptions) => {
    await loadModelFile(engine, model, 0, { memory });
    return texts.map((seq) => { engine.clear(); return engine.eval(seq, { allLogits: true }); });
  };
  const exact = await logitsOf(EXACT);
  const results = [];
  for (const memory of lossyModes) results.push({ kv_cache: memory.kvCache, head: memory.head ?? 'int8', ...agreement(texts, exact, await logitsOf(memory)) });
  engine.unload();
  return results;
}

function agreement(texts: number[][], exact: Float32Array[], int8: Float32Array[]) {
  const vocab = exact[0].length / texts[0].length;
  let positions = 0, agree = 0, klSum = 0, klMax = 0;
  texts.forEach((seq, i) => {
    for (let p = 0; p < seq.length; p++) {
      const e = exact[i].subarray(p * vocab, (p + 1) * vocab), q = int8[i].subarray(p * vocab, (p + 1) * vocab);
      const le = logSoftmax(e), lq = logSoftmax(q);
      let kl = 0;
      for (let v = 0; v < vocab; v++) kl += Math.exp(le[v]) * (le[v] - lq[v]);
      positions++;
      agree += argmax(e) === argmax(q) ? 1 : 0;
      klSum += kl;
      klMax = Math.max(klMax, kl);
    }
  });
  return { texts: texts.length, positions, top1_agreement: agree / positions, mean_kl: klSum / positions, max_kl: klMax };
}

const engine = await createNodeEngine({ threads: 2 });
const reference: Awaited<ReturnType<typeof referenceRow>>[] = [];
for (const [name, model, dir] of [
  ['small', MODELS.small, ''], ['medium', MODELS.medium, ''],
  ...Object.entries(FAMILY_MODELS).map(([n, m]) => [n, m, 'family/']),
] as [string, FixtureModel, string][]) {
  for (const memory of [EXACT, ...LOSSY]) reference.push(await referenceRow(engine, name, model, dir, memory));
}
const demo = await demoText(engine, LOSSY);
const byHead = (head: string) => ({
  reference: reference.filter((r) => r.head === head),
  demo_text: demo.filter((r) => r.head === head),
});
console.log(JSON.stringify({ int8_kv: byHead('int8'), int6_head: byHead('int6'), int4_head: byHead('int4') }));
process.exit(0);
