import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Tokenizer } from '../../src/lib/tokenizer';
import { llama3Metadata } from './llama3-vocab';

// llama.cpp's test-tokenizer-0 format: inputs separated by "\n__ggml_vocab_test__\n", one output line of ids each.
const inputs = readFileSync(new URL('../fixtures/tokenizer/llama-bpe.inp', import.meta.url), 'utf8')
  .split('\n__ggml_vocab_test__\n')
  .slice(0, -1);
const outputs = readFileSync(new URL('../fixtures/tokenizer/llama-bpe.out', import.meta.url), 'utf8')
  .split('\n')
  .slice(0, inputs.length)
  .map((line) => line.trim().split(/\s+/).filter(Boolean).map(Number));

describe('llama.cpp llama-bpe tokenizer vectors', () => {
  const tok = Tokenizer.fromGGUFMetadata(llama3Metadata());

  it('has one expected output per input', () => {
    expect(inputs.length).toBe(46);
    expect(outputs.length).toBe(inputs.length);
  });

  it.each(inputs.map((text, i) => [i, JSON.stringify(text).slice(0, 60), text] as const))(
    'vector %i %s',
    (i, _label, text) => {
      expect(tok.encode(text, { addBos: false })).toEqual(outputs[i]);
      // Byte-level BPE is lossless: decoding gives the input back.
      expect(tok.decode(outputs[i])).toBe(text);
    },
  );
});
