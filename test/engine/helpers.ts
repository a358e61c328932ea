/** Shared helpers for the engine tests: fixture access and the pass criterion of test/fixtures/REFERENCE.md. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures');

export interface FixtureModel {
  file: string;
  input_ids: number[];
  logits_seq: string;
  logits_batch: string;
  logits_shape: [number, number];
  vocab_size: number;
}

export const MODELS = JSON.parse(readFileSync(join(FIXTURES, 'models.json'), 'utf8')) as Record<'small' | 'medium', FixtureModel>;

/** The BitNet-family reference models (test/fixtures/family: one synthetic file per family with bitnet.cpp's logits). */
export const FAMILY_MODELS = JSON.parse(readFileSync(join(FIXTURES, 'family/models.json'), 'utf8')) as Record<
  'falcon3' | 'llama3' | 'bitnet-large' | 'falcon-e',
  FixtureModel & { architecture: string }
>;

/** A file under test/fixtures ('family/falcon3.gguf' for the family's). */
export function fixtureBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, file)));
}

export function referenceLogits(file: string): Float32Array {
  const b = readFileSync(join(FIXTURES, file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** What a forward-pass check needs of an engine (WasmEngine in Node, the worker's client in a browser). */
interface LogitsEngine {
  eval(ids: number[], options?: { allLogits?: boolean }): Float32Array;
  clear(): void;
}

/** Logits for every position twice: token by token (bitnet.cpp's -b 1, the "seq" mode) and as one batch. The model
 * must be loaded with an empty cache. */
export function evalSequentialAndBatch(engine: LogitsEngine, ids: number[], vocab: number) {
  const sequential = new Float32Array(ids.length * vocab);
  ids.forEach((id, i) => sequential.set(engine.eval([id]), i * vocab));
  engine.clear();
  const batch = engine.eval(ids, { allLogits: true });
  return { sequential, batch };
}

/** Both of ours against both of the reference's files; the criterion of test/fixtures/REFERENCE.md. */
export function compareWithReference(ours: { sequential: Float32Array; batch: Float32Array }, model: FixtureModel, dir = '') {
  const seqRef = referenceLogits(dir + model.logits_seq), batchRef = referenceLogits(dir + model.logits_batch);
  const pairs = [[ours.sequential, seqRef], [ours.sequential, batchRef], [ours.batch, seqRef], [ours.batch, batchRef]];
  return pairs.map(([o, r]) => compareLogits(o, r, model.vocab_size));
}

export interface Comparison {
  minCorrelation: number;
  maxAbsDiff: number;
  /** Positions where the reference's top-2 margin exceeds 0.3 and our top-1 differs. */
  top1Mismatches: number[];
}

function pearson(a: Float32Array, b: Float32Array): number {
  let ma = 0, mb = 0;
  for (let i = 0; i < a.length; i++) { ma += a[i]; mb += b[i]; }
  ma /= a.length; mb /= b.length;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i] - ma, db = b[i] - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

function argmax(a: Float32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

export function compareLogits(ours: Float32Array, reference: Float32Array, vocab: number): Comparison {
  const positions = reference.length / vocab;
  let minCorrelation = 1, maxAbsDiff = 0;
  const top1Mismatches: number[] = [];
  for (let p = 0; p < positions; p++) {
    const o = ours.subarray(p * vocab, (p + 1) * vocab), r = reference.subarray(p * vocab, (p + 1) * vocab);
    minCorrelation = Math.min(minCorrelation, pearson(o, r));
    for (let i = 0; i < vocab; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(o[i] - r[i]));
    const top = argmax(r);
    let second = -Infinity;
    for (let i = 0; i < vocab; i++) if (i !== top && r[i] > second) second = r[i];
    if (r[top] - second > 0.3 && argmax(o) !== top) top1Mismatches.push(p);
  }
  return { minCorrelation, maxAbsDiff, top1Mismatches };
}

/** xorshift32, so test data is random but reproducible. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}
