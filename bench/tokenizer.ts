/**
 * Tokenizer speed: encoding a 10,000-word mixed-script text with the Llama-3 vocabulary (BitNet-b1.58-2B-4T's),
 * and the time to build the tokenizer from its 128,256 tokens and ~280k merges.
 * `npx tsx bench/tokenizer.ts [--json]`; `benchmarkTokenizer()` is exported for bench/run.ts.
 */
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '../src/lib/tokenizer';
import { llama3Metadata } from '../test/tokenizer/llama3-vocab';

export interface TokenizerBenchResult {
  words: number;
  tokens: number;
  /** Encoding time of the whole text, fresh tokenizer (cold word cache). */
  ms: number;
  tokensPerSecond: number;
  /** Building the tokenizer from GGUF-style metadata (vocabulary map, merge ranks). */
  loadMs: number;
}

const VOCABULARY = [
  'the', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', 'tokenizer', 'benchmark', 'ternary', 'weights',
  'inference', 'browser', 'offline', 'privacy', 'café', 'naïve', 'Straße', 'привет', 'мир', 'السلام', 'عليكم',
  'नमस्ते', 'दुनिया', '你好', '世界', '日本語', '👋🏽', '🚀', '12345', '3.14159', "don't", "it's", '(parenthesised)',
  'snake_case_name', 'camelCaseName', 'https://example.org/path?q=1', '—', '…', 'ÆØÅ', 'Ελληνικά',
];

/** Deterministic text of `words` words (xorshift-picked, with punctuation and line breaks). */
export function makeBenchText(words = 10_000): string {
  let x = 0x9e3779b9;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  const parts: string[] = [];
  for (let i = 0; i < words; i++) {
    parts.push(VOCABULARY[Math.floor(next() * VOCABULARY.length)]);
    const r = next();
    parts.push(r < 0.05 ? '.\n' : r < 0.12 ? ', ' : ' ');
  }
  return parts.join('');
}

export function benchmarkTokenizer(words = 10_000): TokenizerBenchResult {
  const meta = llama3Metadata();
  const t0 = performance.now();
  const tokenizer = Tokenizer.fromGGUFMetadata(meta);
  const loadMs = performance.now() - t0;
  const text = makeBenchText(words);
  const t1 = performance.now();
  const tokens = tokenizer.encode(text, { addBos: false }).length;
  const ms = performance.now() - t1;
  return { words, tokens, ms, tokensPerSecond: tokens / (ms / 1000), loadMs };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = benchmarkTokenizer();
  if (process.argv.includes('--json')) console.log(JSON.stringify(r));
  else {
    console.log(`tokenizer load: ${r.loadMs.toFixed(0)} ms`);
    console.log(`encode ${r.words} words -> ${r.tokens} tokens in ${r.ms.toFixed(1)} ms (${Math.round(r.tokensPerSecond)} tokens/s)`);
  }
}
