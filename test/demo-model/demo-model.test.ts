/**
 * Checks the committed demo model public/models/trit-demo.gguf: its metadata is a bitnet-b1.58 model with a gpt2-style
 * vocabulary, a step-by-step TypeScript forward pass over the file reproduces the training framework's logits
 * (test/demo-model/expected-logits.*), and greedy decoding answers the acceptance prompts.
 * The engine's own comparison against the same logits belongs to the engine's tests.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gpt2ByteTokens } from '../../scripts/make-fixture';
import { ReferenceModel } from '../../tools/reference/forward';

const model = new ReferenceModel(new Uint8Array(readFileSync('public/models/trit-demo.gguf')));
const expected = JSON.parse(readFileSync('test/demo-model/expected-logits.json', 'utf8')) as {
  vocab_size: number;
  sequences: { ids: number[] }[];
  tolerance: { max_abs_diff: number; min_pearson: number; top1_must_match_when_margin_above: number };
};
const expectedLogits = new Float32Array(new Uint8Array(readFileSync('test/demo-model/expected-logits.f32')).buffer);
const prompts = JSON.parse(readFileSync('test/demo-model/prompts.json', 'utf8')) as {
  eot_id: number;
  prompts: { prompt: string; ids: number[]; expect_substring: string }[];
};

const tokens = model.metadata.get('tokenizer.ggml.tokens') as string[];
/** GPT-2's byte -> character rule, inverted: printable bytes map to themselves, the others to U+0100 onwards in order. */
const byteOf = new Map<string, number>();
{
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    byteOf.set(String.fromCodePoint(printable ? b : next++), b);
  }
}
function decode(ids: number[]): string {
  const bytes: number[] = [];
  for (const id of ids) for (const ch of tokens[id]!) bytes.push(byteOf.get(ch)!);
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]!; mb += b[i]!; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { const x = a[i]! - ma, y = b[i]! - mb; sab += x * y; saa += x * x; sbb += y * y; }
  return sab / Math.sqrt(saa * sbb);
}

describe('embedded demo model', () => {
  it('is a bitnet-b1.58 GGUF with its own gpt2 byte-level vocabulary and Llama-3 control tokens', () => {
    const kv = model.metadata;
    expect(kv.get('general.architecture')).toBe('bitnet-b1.58');
    expect(kv.get('tokenizer.ggml.model')).toBe('gpt2');
    expect(tokens.length).toBe(model.vocab);
    expect(tokens.slice(0, 256)).toEqual(gpt2ByteTokens());
    const merges = kv.get('tokenizer.ggml.merges') as string[];
    expect(merges.length).toBeGreaterThan(100);
    for (const m of merges) {
      const [l, r] = m.split(' ');
      expect(tokens.includes(l!) && tokens.includes(r!) && tokens.includes(l! + r!), m).toBe(true);
    }
    const bos = kv.get('tokenizer.ggml.bos_token_id') as number;
    expect(tokens[bos]).toBe('<|begin_of_text|>');
    expect(tokens[kv.get('tokenizer.ggml.eos_token_id') as number]).toBe('<|eot_id|>');
    expect(tokens[prompts.eot_id]).toBe('<|eot_id|>');
    const types = kv.get('tokenizer.ggml.token_type') as number[];
    expect(types[bos]).toBe(3);
    expect(types[0]).toBe(1);
  });

  it("matches the training framework's quantised logits within the stated tolerance", () => {
    const V = expected.vocab_size;
    expect(V).toBe(model.vocab);
    let row = 0;
    let worstDiff = 0, worstCorr = 1;
    for (const seq of expected.sequences) {
      const ours = model.logits(seq.ids);
      for (let t = 0; t < seq.ids.length; t++, row++) {
        const ref = expectedLogits.subarray(row * V, (row + 1) * V);
        const got = ours.subarray(t * V, (t + 1) * V);
        let diff = 0;
        for (let v = 0; v < V; v++) diff = Math.max(diff, Math.abs(ref[v]! - got[v]!));
        worstDiff = Math.max(worstDiff, diff);
        worstCorr = Math.min(worstCorr, pearson(ref, got));
        const sorted = Array.from(ref).map((x, i) => [x, i] as const).sort((a, b) => b[0] - a[0]);
        if (sorted[0]![0] - sorted[1]![0] > expected.tolerance.top1_must_match_when_margin_above) {
          let best = 0;
          for (let v = 1; v < V; v++) if (got[v]! > got[best]!) best = v;
          expect(best, `sequence row ${row}`).toBe(sorted[0]![1]);
        }
      }
    }
    expect(row * V).toBe(expectedLogits.length);
    expect(worstDiff).toBeLessThanOrEqual(expected.tolerance.max_abs_diff);
    expect(worstCorr).toBeGreaterThanOrEqual(expected.tolerance.min_pearson);
  });

  it('answers the acceptance prompts greedily (7 plus 5, who it is, ...)', () => {
    const mustPass = ['What is 7 plus 5?', 'Who are you?'];
    let passed = 0;
    for (const p of prompts.prompts) {
      const reply = decode(model.greedy(p.ids, prompts.eot_id, 24));
      const ok = reply.includes(p.expect_substring);
      if (mustPass.includes(p.prompt)) expect(reply, p.prompt).toContain(p.expect_substring);
      passed += ok ? 1 : 0;
    }
    expect(passed).toBeGreaterThanOrEqual(prompts.prompts.length - 2);
  });
});
