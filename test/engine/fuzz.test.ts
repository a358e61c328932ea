// A seeded run of the structure-aware fuzzer (scripts/fuzz.ts) over the small fixture: every mutant ends in a model
// with finite logits or a typed engine error, and the engine still computes the valid model bit for bit afterwards.
// Long runs: npm run fuzz -- --cases 10000 --seed S.
import { describe, expect, it } from 'vitest';
import { fuzz, headerFields, mutate, rng } from '../../scripts/fuzz';
import { MODELS, fixtureBytes } from './helpers';

const file = fixtureBytes(MODELS.small.file);

describe('fuzzing the engine with mutants of a valid model', () => {
  it('finds every header field of the fixture, and mutants are reproducible from their seed', () => {
    const fields = headerFields(file);
    expect(fields.filter((f) => f.kind === 'offset').length).toBe(2 + 11 * 2); // tensors of the 2-layer fixture
    const a = mutate(file, fields, rng(7)), b = mutate(file, fields, rng(7));
    expect(a.description).toBe(b.description);
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(Buffer.from(a.bytes).equals(Buffer.from(file))).toBe(false);
  });

  it('300 mutants: no trap, no hang, no untyped error, no non-finite success; the valid model unchanged after', async () => {
    const report = await fuzz(file, 300, 20261130);
    console.log(`fuzz: ${JSON.stringify(report.counts)}`);
    expect(report.failures.map((f) => `${f.outcome}: ${f.description}: ${f.detail}`)).toEqual([]);
    expect(report.counts.finite + report.counts['typed-error']).toBe(300);
    expect(report.counts['typed-error']).toBeGreaterThan(30); // the mutants do reach the checks
    expect(report.unchangedAfter).toBe(true);
  }, 300_000);
});
