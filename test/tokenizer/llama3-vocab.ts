/**
 * Test helper: GGUF-style tokenizer metadata for the Llama-3 vocabulary (the one BitNet-b1.58-2B-4T uses),
 * built from the `llama3-tokenizer-js` dev dependency, which also serves as an independent encoding oracle.
 */
import llama3Tokenizer from 'llama3-tokenizer-js';
import type { GGUFMetadata } from '../../src/lib/tokenizer';

export const oracle = llama3Tokenizer;

let cached: GGUFMetadata | undefined;

export function llama3Metadata(): GGUFMetadata {
  if (cached) return cached;
  const tokens = oracle.vocabById.slice();
  // The package numbers merges 1, 3, 5, ... in file order; its Map keeps that order.
  const merges = Array.from(oracle.merges.entries())
    .sort((a, b) => a[1] - b[1])
    .map(([pair]) => pair);
  cached = {
    'general.architecture': 'bitnet-b1.58',
    'tokenizer.ggml.model': 'gpt2',
    'tokenizer.ggml.tokens': tokens,
    // Like the official file: the 256 tokens after the 128,000 regular ones are control tokens.
    'tokenizer.ggml.token_type': tokens.map((_, i) => (i >= 128000 ? 3 : 1)),
    'tokenizer.ggml.merges': merges,
    'tokenizer.ggml.bos_token_id': 128000,
    'tokenizer.ggml.eos_token_id': 128001,
    'tokenizer.ggml.add_bos_token': true,
  };
  return cached;
}
