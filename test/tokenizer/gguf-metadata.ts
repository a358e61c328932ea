/** Test helper: the metadata of a GGUF file as the tokenizer and chat template read it (the tools' TS reader). */
import { readFileSync } from 'node:fs';
import { parseModel } from '../../tools/reference/forward';
import type { GGUFMetadata } from '../../src/lib/tokenizer';

export function readGgufMetadata(url: URL): GGUFMetadata {
  return Object.fromEntries(parseModel(new Uint8Array(readFileSync(url))).kv);
}

/** llama.cpp's test-tokenizer-0 files: inputs separated by "\n__ggml_vocab_test__\n", one line of ids per input. */
export function readVocabVectors(inp: URL, out: URL): { text: string; ids: number[] }[] {
  const inputs = readFileSync(inp, 'utf8').split('\n__ggml_vocab_test__\n').slice(0, -1);
  const outputs = readFileSync(out, 'utf8')
    .split('\n')
    .slice(0, inputs.length)
    .map((line) => line.trim().split(/\s+/).filter(Boolean).map(Number));
  return inputs.map((text, i) => ({ text, ids: outputs[i] }));
}
