import { describe, expect, it } from 'vitest';
import { Prng, Sampler, StopStringFilter, argmax } from '../../src/lib/chat';
import { TritError } from '../../src/lib/errors';

function randomLogits(n: number, seed: number): Float32Array {
  const rng = new Prng(seed);
  return Float32Array.from({ length: n }, () => rng.nextFloat() * 10 - 5);
}

const base = { temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05, repeatPenalty: 1, repeatLastN: 64 };

describe('Prng', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const xs = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(xs);
    const f = new Prng(1).nextFloat();
    expect(f).toBeGreaterThanOrEqual(0);
    expect(f).toBeLessThan(1);
  });
});

describe('Sampler', () => {
  it('is greedy at temperature 0', () => {
    const l = randomLogits(5000, 1);
    expect(new Sampler({ ...base, temperature: 0 }).sample(l)).toBe(argmax(l));
  });

  it('gives the same tokens for the same seed, and other tokens for another seed', () => {
    const logits = Array.from({ length: 50 }, (_, i) => randomLogits(3000, i).map((x) => x / 3));
    const run = (seed: number) => {
      const s = new Sampler({ ...base, temperature: 1.2, topK: 0, topP: 1, minP: 0, seed });
      return logits.map((l) => s.sample(l));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('top-k 1 and a tiny top-p both reduce to the most likely token', () => {
    const l = randomLogits(2000, 3);
    for (let seed = 0; seed < 20; seed++) {
      expect(new Sampler({ ...base, temperature: 5, topK: 1, seed }).sample(l)).toBe(argmax(l));
      expect(new Sampler({ ...base, temperature: 5, topK: 0, topP: 1e-6, minP: 0, seed }).sample(l)).toBe(argmax(l));
    }
  });

  it('top-k keeps only the k best tokens', () => {
    const l = randomLogits(1000, 4);
    const best5 = Array.from(l.keys()).sort((a, b) => l[b] - l[a]).slice(0, 5);
    const s = new Sampler({ ...base, temperature: 10, topK: 5, topP: 1, minP: 0, seed: 1 });
    const seen = new Set(Array.from({ length: 300 }, () => s.sample(l)));
    expect([...seen].every((t) => best5.includes(t))).toBe(true);
    expect(seen.size).toBe(5);
  });

  it('min-p drops tokens far less likely than the best', () => {
    const l = new Float32Array([0, Math.log(0.5), Math.log(0.01), Math.log(0.2)]);
    const s = new Sampler({ ...base, temperature: 1, topK: 0, topP: 1, minP: 0.1, seed: 5 });
    const seen = new Set(Array.from({ length: 500 }, () => s.sample(l)));
    expect(seen).toEqual(new Set([0, 1, 3]));
  });

  it('draws in proportion to the probabilities', () => {
    const l = new Float32Array([0, Math.log(3)]);
    const s = new Sampler({ ...base, temperature: 1, topK: 0, topP: 1, minP: 0, seed: 123 });
    let ones = 0;
    for (let i = 0; i < 4000; i++) ones += s.sample(l);
    expect(ones / 4000).toBeGreaterThan(0.72);
    expect(ones / 4000).toBeLessThan(0.78);
  });

  it('penalises recently seen tokens, only within the window', () => {
    const l = new Float32Array([2, 1.9, -1]);
    const s = new Sampler({ ...base, temperature: 0, repeatPenalty: 1.5, repeatLastN: 2 });
    expect(s.sample(l, [0])).toBe(1);
    expect(s.sample(l, [0, 2, 2])).toBe(0); // token 0 is outside the last 2
    expect(l[0]).toBe(2); // the engine's logits are left untouched
  });

  it('rejects impossible settings with a typed error', () => {
    expect(() => new Sampler({ topP: 0 })).toThrow(TritError);
    expect(() => new Sampler({ topK: -1 })).toThrow(TritError);
  });
});

describe('StopStringFilter', () => {
  it('stops at a stop string split across deltas and never shows it', () => {
    const f = new StopStringFilter(['<END>']);
    const shown: string[] = [];
    let stopped = false;
    for (const d of ['Hello', ' wor', 'ld <E', 'N', 'D> after']) {
      const r = f.push(d);
      shown.push(r.text);
      if (r.stopped) {
        stopped = true;
        break;
      }
    }
    expect(stopped).toBe(true);
    expect(shown.join('')).toBe('Hello world ');
    expect(shown[2]).toBe('ld '); // "<E" was held back
  });

  it('releases held text that turned out not to be a stop string', () => {
    const f = new StopStringFilter(['###']);
    expect(f.push('a #').text).toBe('a ');
    expect(f.push('# b').text).toBe('## b');
    expect(f.push('#').text).toBe('');
    expect(f.flush()).toBe('#');
  });
});
