/**
 * Pre-tokenization: splitting text into the pieces BPE runs on, chosen by the GGUF's `tokenizer.ggml.pre`.
 * The patterns are llama.cpp's (src/llama-vocab.cpp, `llm_tokenizer_bpe`), which follow the HuggingFace
 * tokenizer.json of each model family. Several patterns are applied in sequence, each one splitting the
 * pieces the previous one produced; text a pattern does not match stays a piece of its own (nothing is dropped).
 */
import { TritError } from '../errors';

/** Unicode White_Space, as Python's `regex` and Oniguruma use it. JS `\s` differs (it has U+FEFF, lacks U+0085). */
const WS = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const s = `[${WS}]`;
const S = `[^${WS}]`;

/** Llama 3 (tiktoken cl100k-style) pattern; `(?i:'s|...)` spelled out because JS has no inline flags. */
const LLAMA3 =
  `(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}` +
  `| ?[^${WS}\\p{L}\\p{N}]+[\\r\\n]*|${s}*[\\r\\n]+|${s}+(?!${S})|${s}+`;

const GPT2 = `'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^${WS}\\p{L}\\p{N}]+|${s}+(?!${S})`;

export type PreTokenizerKind = 'llama3' | 'gpt2' | 'falcon3' | 'default';

interface PreTokenizerSpec {
  patterns: string[];
  /** Llama 3's tokenizer.json sets `ignore_merges`: a piece that is itself a vocabulary entry is taken whole. */
  ignoreMerges: boolean;
}

const SPECS: Record<PreTokenizerKind, PreTokenizerSpec> = {
  llama3: { patterns: [LLAMA3], ignoreMerges: true },
  gpt2: { patterns: [GPT2], ignoreMerges: false },
  // Falcon3 and Falcon-E in bitnet.cpp's llama.cpp fork (LLAMA_VOCAB_PRE_TYPE_FALCON_3 / _FALCON_E, one rule set):
  // punctuation runs first, then GPT-2's rules, then every digit alone. (Upstream llama.cpp maps "falcon3" to the
  // Llama-3 rules instead; we follow the reference engine these files were made for.)
  falcon3: {
    patterns: ['[\\p{P}\\$\\+<=>\\^~\\|`]+', GPT2, '[0-9]'],
    ignoreMerges: false,
  },
  // llama.cpp's fallback when a file names no pre-tokenizer it knows.
  default: {
    patterns: ['[\\p{P}\\$\\+<=>\\^~\\|]+', GPT2, '\\p{N}+', '[0-9][0-9][0-9]'],
    ignoreMerges: false,
  },
};

/** `tokenizer.ggml.pre` values (as llama.cpp's converter writes them) that mean each kind. */
const PRE_NAMES: Record<string, PreTokenizerKind> = {
  'llama-bpe': 'llama3',
  llama3: 'llama3',
  'llama-v3': 'llama3',
  falcon3: 'falcon3',
  falcon_e: 'falcon3',
  pixtral: 'llama3',
  'gpt-2': 'gpt2',
  gpt2: 'gpt2',
  default: 'default',
};

export function preTokenizerKindFor(pre: string): PreTokenizerKind {
  const kind = Object.hasOwn(PRE_NAMES, pre) ? PRE_NAMES[pre] : undefined;
  if (!kind) {
    throw new TritError(
      'tokenizer_unsupported',
      `This model's pre-tokenizer "${pre}" is not supported (Trit knows ${Object.keys(PRE_NAMES).join(', ')}).`,
      'Choose a model from the BitNet family (BitNet-b1.58-2B-4T, Falcon3, Falcon-E, Llama3-8B-1.58, bitnet_b1_58-large).',
    );
  }
  return kind;
}

export class PreTokenizer {
  readonly kind: PreTokenizerKind;
  readonly ignoreMerges: boolean;
  private readonly regexes: RegExp[];

  constructor(kind: PreTokenizerKind) {
    this.kind = kind;
    const spec = SPECS[kind];
    this.ignoreMerges = spec.ignoreMerges;
    this.regexes = spec.patterns.map((p) => new RegExp(p, 'gu'));
  }

  /** Splits `text` into pieces whose concatenation is `text`. */
  split(text: string): string[] {
    let pieces = [text];
    for (const re of this.regexes) {
      const next: string[] = [];
      for (const piece of pieces) splitOne(piece, re, next);
      pieces = next;
    }
    return pieces;
  }
}

function splitOne(text: string, re: RegExp, out: string[]): void {
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (end === start) {
      re.lastIndex++; // an empty match must not stall the scan
      continue;
    }
    if (start > last) out.push(text.slice(last, start));
    out.push(m[0]);
    last = end;
  }
  if (last < text.length) out.push(text.slice(last));
}
