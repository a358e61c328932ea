/**
 * Picks the next token from logits. The order follows llama.cpp's default chain: repetition penalty,
 * top-k, top-p, min-p, temperature, then a draw from the seeded PRNG. Temperature 0 means greedy (argmax
 * after the penalty). With the same seed, settings and logits, the same tokens come out.
 */
import { TritError } from '../errors';
import { Prng, randomSeed } from './prng';
import type { SamplingSettings } from './types';

/** The sampling part of the API's SamplingSettings: 0 temperature = greedy; topK 0, topP 1, minP 0 and
 * repeatPenalty 1 switch a step off (llama.cpp's repetition rule: divide positive logits, multiply negative). */
export type SamplerSettings = Omit<SamplingSettings, 'maxTokens' | 'stop'>;

export const DEFAULT_SAMPLER_SETTINGS: SamplerSettings = {
  temperature: 0.8,
  topK: 40,
  topP: 0.95,
  minP: 0.05,
  repeatPenalty: 1.1,
  repeatLastN: 64,
};

/**
 * Candidates whose logit is this far below the best have probability below e^-30 (~1e-13) of it: they are
 * left out before sorting for top-p, which keeps a 128k vocabulary cheap without changing any real outcome.
 */
const NEGLIGIBLE_LOGIT_GAP = 30;

function invalid(what: string): TritError {
  return new TritError('invalid_sampling', `Invalid sampling setting: ${what}.`, 'Reset the sampling settings to their defaults.');
}

export class Sampler {
  readonly settings: SamplerSettings;
  readonly seed: number;
  private readonly rng: Prng;

  constructor(settings: Partial<SamplerSettings> = {}) {
    const s = { ...DEFAULT_SAMPLER_SETTINGS, ...settings };
    if (!Number.isFinite(s.temperature)) throw invalid('temperature must be a number');
    if (!Number.isInteger(s.topK) || s.topK < 0) throw invalid('top-k must be a whole number ≥ 0');
    if (!(s.topP > 0 && s.topP <= 1)) throw invalid('top-p must be in (0, 1]');
    if (!(s.minP >= 0 && s.minP < 1)) throw invalid('min-p must be in [0, 1)');
    if (!(s.repeatPenalty > 0)) throw invalid('repetition penalty must be > 0');
    if (!Number.isInteger(s.repeatLastN) || s.repeatLastN < 0) throw invalid('repetition window must be a whole number ≥ 0');
    this.settings = s;
    this.seed = s.seed === undefined ? randomSeed() : s.seed >>> 0;
    this.rng = new Prng(this.seed);
  }

  /** `recent`: the context so far (prompt and generated tokens); only its last repeatLastN count. */
  sample(logits: Float32Array, recent: readonly number[] = []): number {
    const s = this.settings;
    const n = logits.length;
    let l = logits;
    if (s.repeatPenalty !== 1 && s.repeatLastN > 0 && recent.length > 0) {
      l = logits.slice();
      const seen = new Set<number>();
      for (let i = Math.max(0, recent.length - s.repeatLastN); i < recent.length; i++) seen.add(recent[i]);
      for (const id of seen) {
        if (id < 0 || id >= n) continue;
        l[id] = l[id] > 0 ? l[id] / s.repeatPenalty : l[id] * s.repeatPenalty;
      }
    }

    if (s.temperature <= 0) return argmax(l);

    let cand = s.topK > 0 && s.topK < n ? topK(l, s.topK) : undefined;
    if (s.topP < 1) {
      if (!cand) {
        const best = l[argmax(l)];
        cand = [];
        for (let i = 0; i < n; i++) if (l[i] >= best - NEGLIGIBLE_LOGIT_GAP) cand.push(i);
      }
      cand.sort((a, b) => l[b] - l[a] || a - b);
      cand = topP(l, cand, s.topP);
    }
    if (s.minP > 0) {
      const ids = cand ?? allIds(n);
      let best = -Infinity;
      for (const i of ids) if (l[i] > best) best = l[i];
      const floor = best + Math.log(s.minP);
      const kept = ids.filter((i) => l[i] >= floor);
      cand = kept.length > 0 ? kept : ids;
    }
    return this.draw(l, cand, s.temperature);
  }

  private draw(l: Float32Array, cand: number[] | undefined, temperature: number): number {
    const count = cand ? cand.length : l.length;
    const at = (k: number) => (cand ? cand[k] : k);
    let best = -Infinity;
    for (let k = 0; k < count; k++) best = Math.max(best, l[at(k)]);
    const weights = new Float64Array(count);
    let total = 0;
    for (let k = 0; k < count; k++) {
      total += Math.exp((l[at(k)] - best) / temperature);
      weights[k] = total;
    }
    const r = this.rng.nextFloat() * total;
    // First cumulative weight above r (binary search over the running sums).
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (weights[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return at(lo);
  }
}

function allIds(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Index of the largest value; the lowest index wins ties. NaN never wins. */
export function argmax(l: Float32Array): number {
  let best = 0;
  let bestV = -Infinity;
  for (let i = 0; i < l.length; i++) {
    if (l[i] > bestV) {
      bestV = l[i];
      best = i;
    }
  }
  return best;
}

/** The k highest logits' ids, highest first (ties: lower id first). */
function topK(l: Float32Array, k: number): number[] {
  // Min-heap of the best k so far, ordered so that the worst kept candidate is at the root.
  const heap: number[] = [];
  const worse = (a: number, b: number) => l[a] < l[b] || (l[a] === l[b] && a > b);
  const siftDown = (i: number) => {
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) return;
      const right = left + 1;
      const c = right < heap.length && worse(heap[right], heap[left]) ? right : left;
      if (!worse(heap[c], heap[i])) return;
      [heap[c], heap[i]] = [heap[i], heap[c]];
      i = c;
    }
  };
  for (let i = 0; i < l.length; i++) {
    if (Number.isNaN(l[i])) continue;
    if (heap.length < k) {
      heap.push(i);
      for (let j = heap.length - 1; j > 0; ) {
        const p = (j - 1) >> 1;
        if (!worse(heap[j], heap[p])) break;
        [heap[j], heap[p]] = [heap[p], heap[j]];
        j = p;
      }
    } else if (worse(heap[0], i)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => l[b] - l[a] || a - b);
}

/** Smallest prefix of the (sorted, best first) candidates whose probability reaches p. */
function topP(l: Float32Array, sorted: number[], p: number): number[] {
  const best = l[sorted[0]];
  let total = 0;
  const w = sorted.map((i) => {
    const e = Math.exp(l[i] - best);
    total += e;
    return e;
  });
  let acc = 0;
  for (let k = 0; k < sorted.length; k++) {
    acc += w[k] / total;
    if (acc >= p) return sorted.slice(0, k + 1);
  }
  return sorted;
}
