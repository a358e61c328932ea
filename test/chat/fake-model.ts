/**
 * Deterministic stand-in for the engine: logits are a pure function of the tokens in its cache, so cache
 * bugs (stale or missing tokens) change what it says. It counts every token it evaluates.
 */
import type { LanguageModel } from '../../src/lib/chat';

export type LogitsFn = (context: readonly number[], out: Float32Array) => void;

export class FakeModel implements LanguageModel {
  readonly nVocab: number;
  readonly context: number[] = [];
  /** Every eval call's tokens, in order. */
  readonly calls: number[][] = [];
  evaluated = 0;

  constructor(
    readonly nCtx: number,
    nVocab: number,
    private readonly logits: LogitsFn,
  ) {
    this.nVocab = nVocab;
  }

  get nPast(): number {
    return this.context.length;
  }

  async eval(tokens: readonly number[]): Promise<Float32Array> {
    if (tokens.length === 0) throw new Error('eval of nothing');
    if (this.context.length + tokens.length > this.nCtx) throw new Error(`context overflow: ${this.context.length} + ${tokens.length} > ${this.nCtx}`);
    this.calls.push([...tokens]);
    this.context.push(...tokens);
    this.evaluated += tokens.length;
    const out = new Float32Array(this.nVocab);
    this.logits(this.context, out);
    return out;
  }

  truncate(nPast: number): void {
    if (nPast > this.context.length) throw new Error('truncate beyond the cache');
    this.context.length = nPast;
  }
}

/** FNV-1a over the last `window` tokens. */
export function hashTokens(tokens: readonly number[], window = 16): number {
  let h = 0x811c9dc5;
  for (let i = Math.max(0, tokens.length - window); i < tokens.length; i++) {
    h ^= tokens[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * Logits that make `words` likely (one favoured per step, chosen by a hash of the context, plus hashed noise
 * on the others), and `endToken` once `replyLength` tokens follow the last `marker` sequence.
 */
export function chattyLogits(words: readonly number[], endToken: number, marker: readonly number[], replyLength: number): LogitsFn {
  return (context, out) => {
    out.fill(-20);
    const h = hashTokens(context);
    words.forEach((w, i) => {
      out[w] = ((Math.imul(h ^ (i * 0x9e3779b9), 0x85ebca6b) >>> 0) % 1000) / 250; // 0..4
    });
    out[words[h % words.length]] += 3;
    if (sinceMarker(context, marker) >= replyLength) out[endToken] = 50;
  };
}

/** Logits that spell out `script` token by token after the last `marker`, then `endToken`. */
export function scriptedLogits(script: readonly number[], endToken: number, marker: readonly number[]): LogitsFn {
  return (context, out) => {
    out.fill(0);
    const k = sinceMarker(context, marker);
    out[k < script.length ? script[k] : endToken] = 30;
  };
}

/** Tokens after the last occurrence of `marker` in `context` (Infinity-like large number when absent). */
export function sinceMarker(context: readonly number[], marker: readonly number[]): number {
  for (let end = context.length; end >= marker.length; end--) {
    let ok = true;
    for (let j = 0; j < marker.length && ok; j++) ok = context[end - marker.length + j] === marker[j];
    if (ok) return context.length - end;
  }
  return 1 << 30;
}
