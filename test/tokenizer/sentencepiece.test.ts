import { describe, expect, it } from 'vitest';
import { StreamingDecoder, Tokenizer, type GGUFMetadata } from '../../src/lib/tokenizer';
import { TritError } from '../../src/lib/errors';
import { readGgufMetadata } from './gguf-metadata';

const llama2 = readGgufMetadata(new URL('../fixtures/tokenizer/ggml-vocab-llama-spm.gguf', import.meta.url));
const tok = Tokenizer.fromGGUFMetadata(llama2);
const [BOS, EOS] = [1, 2];

/** A tiny SentencePiece vocabulary: <unk>, <s>, </s>, then pieces with scores. */
function tinyVocab(pieces: [string, number][], extra: GGUFMetadata = {}): GGUFMetadata {
  return {
    'tokenizer.ggml.model': 'llama',
    'tokenizer.ggml.tokens': ['<unk>', '<s>', '</s>', ...pieces.map((p) => p[0])],
    'tokenizer.ggml.scores': [0, 0, 0, ...pieces.map((p) => p[1])],
    'tokenizer.ggml.token_type': [2, 3, 3, ...pieces.map(() => 1)],
    ...extra,
  };
}

describe('SentencePiece tokenizer', () => {
  it('adds BOS by default, with the leading space before the text', () => {
    expect(tok.encode('Hello world')).toEqual([BOS, 15043, 3186]);
    expect(tok.tokenText(15043)).toBe('▁Hello');
    expect(tok.encode('')).toEqual([BOS]);
    expect(tok.encode('', { addBos: false })).toEqual([]);
  });

  it('never makes control tokens from user text; templates can ask for them', () => {
    const text = 'Hi</s><s> there';
    const plain = tok.encode(text, { addBos: false });
    expect(plain).not.toContain(BOS);
    expect(plain).not.toContain(EOS);
    expect(tok.decode(plain)).toBe(' ' + text);
    // With special parsing each text fragment after a special token gets its own leading space, as in llama.cpp.
    const special = tok.encode(text, { addBos: false, parseSpecial: true });
    expect(special).toEqual([...tok.encode('Hi', { addBos: false }), EOS, BOS, ...tok.encode(' there', { addBos: false })]);
  });

  it('falls back to byte tokens for characters without a piece, and streams them back whole', () => {
    const ids = tok.encode('🦙!', { addBos: false });
    expect(ids.slice(0, 5).map((id) => tok.tokenText(id))).toEqual(['▁', '<0xF0>', '<0x9F>', '<0xA6>', '<0x99>']);
    expect(tok.decode(ids)).toBe(' 🦙!');
    const dec = new StreamingDecoder(tok);
    const deltas = ids.map((id) => dec.push(id));
    expect(deltas.slice(1, 4)).toEqual(['', '', '']);
    expect(deltas.join('') + dec.flush()).toBe(' 🦙!');
  });

  it('merges the highest-scoring pair first, leftmost on ties', () => {
    // "▁ab": ▁a (score -1) beats ab (-2), so "▁a" + "b", not "▁" + "ab".
    const t = Tokenizer.fromGGUFMetadata(tinyVocab([['▁', -5], ['a', -5], ['b', -5], ['▁a', -1], ['ab', -2]], { 'tokenizer.ggml.unknown_token_id': 0 }));
    expect(t.encode('ab', { addBos: false }).map((id) => t.tokenText(id))).toEqual(['▁a', 'b']);
    const swapped = Tokenizer.fromGGUFMetadata(tinyVocab([['▁', -5], ['a', -5], ['b', -5], ['▁a', -2], ['ab', -1]]));
    expect(swapped.encode('ab', { addBos: false }).map((id) => swapped.tokenText(id))).toEqual(['▁', 'ab']);
    // Equal scores: the leftmost pair merges first.
    const tie = Tokenizer.fromGGUFMetadata(tinyVocab([['▁', -5], ['a', -5], ['b', -5], ['▁a', -1], ['ab', -1]]));
    expect(tie.encode('ab', { addBos: false }).map((id) => tie.tokenText(id))).toEqual(['▁a', 'b']);
  });

  it('writes <unk> for unknown characters when the vocabulary has no byte tokens', () => {
    const t = Tokenizer.fromGGUFMetadata(tinyVocab([['▁', -5], ['a', -5], ['▁a', -1]]));
    expect(t.encode('a€a', { addBos: false })).toEqual([5, 0, 4]);
    expect(t.decode([5, 0, 4])).toBe(' aa');
  });

  it('honours add_space_prefix = false', () => {
    const t = Tokenizer.fromGGUFMetadata({ ...llama2, 'tokenizer.ggml.add_space_prefix': false });
    expect(t.encode('Hello', { addBos: false }).map((id) => t.tokenText(id))).not.toContain('▁Hello');
    expect(t.decode(t.encode('Hello world', { addBos: false }))).toBe('Hello world');
  });

  it('refuses a SentencePiece vocabulary with neither byte tokens nor an unknown token', () => {
    const meta = tinyVocab([['a', -1]], { 'tokenizer.ggml.token_type': [1, 3, 3, 1] });
    try {
      Tokenizer.fromGGUFMetadata(meta);
      expect.unreachable();
    } catch (e) {
      expect((e as TritError).code).toBe('tokenizer_unsupported');
      expect((e as TritError).message).toMatch(/byte tokens/);
    }
  });

  it("reads bitnet_b1_58-large's file: user-defined tokens from the file, </s> ends generation", () => {
    const meta = readGgufMetadata(new URL('../fixtures/family/bitnet-large.gguf', import.meta.url));
    const t = Tokenizer.fromGGUFMetadata(meta);
    expect(t.kind).toBe('llama');
    expect(t.endOfGeneration).toEqual(new Set([2]));
    expect(t.addBosByDefault).toBe(true);
    // `</line>` is a user-defined token (type 4): matched in any text, as llama.cpp does.
    const line = t.tokenId('</line>')!;
    expect(t.encode('a</line>b', { addBos: false })).toContain(line);
    expect(t.decode(t.encode('a</line>b', { addBos: false }))).toBe(' a</line> b');
  });
});
