import { describe, expect, it } from 'vitest';
import { Tokenizer } from '../../src/lib/tokenizer';
import { readGgufMetadata, readVocabVectors } from './gguf-metadata';

const fixture = (name: string) => new URL(`../fixtures/tokenizer/${name}`, import.meta.url);
const meta = readGgufMetadata(fixture('ggml-vocab-llama-spm.gguf'));
const vectors = readVocabVectors(fixture('ggml-vocab-llama-spm.gguf.inp'), fixture('ggml-vocab-llama-spm.gguf.out'));

describe("llama.cpp's SentencePiece (Llama-2 vocabulary) tokenizer vectors", () => {
  const tok = Tokenizer.fromGGUFMetadata(meta);

  it('reads a SentencePiece vocabulary with its special tokens', () => {
    expect(tok.kind).toBe('llama');
    expect(tok.preTokenizer).toBeUndefined();
    expect(tok.vocabSize).toBe(32000);
    expect([tok.bosId, tok.eosId]).toEqual([1, 2]);
    expect(tok.addBosByDefault).toBe(true);
    expect(tok.endOfGeneration).toEqual(new Set([2]));
    expect(vectors.length).toBeGreaterThan(30);
  });

  it.each(vectors.map((v, i) => [i, JSON.stringify(v.text).slice(0, 50), v] as const))('vector %i %s', (_i, _label, v) => {
    expect(tok.encode(v.text, { addBos: false })).toEqual(v.ids);
    // Decoding gives the text back with the leading space SentencePiece puts before it.
    if (v.text) expect(tok.decode(v.ids)).toBe(' ' + v.text);
  });
});
