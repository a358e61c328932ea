/**
 * The parts of a GGUF's tokenizer metadata every tokenizer model shares: tokens, their types, and typed errors for
 * a malformed vocabulary. The models themselves (byte-level BPE, SentencePiece) live in bpe.ts and sentencepiece.ts.
 */
import { TritError } from '../errors';

/** llama.cpp's token types (`tokenizer.ggml.token_type`). */
export const TokenType = {
  normal: 1,
  unknown: 2,
  control: 3,
  userDefined: 4,
  unused: 5,
  byte: 6,
} as const;

/** GGUF metadata as the engine's reader hands it over. */
export type GGUFMetadata = Record<string, unknown>;

/** How a tokenizer model turns plain text (no special tokens in it) into ids, and normal tokens back into bytes. */
export interface TokenizerModel {
  /**
   * Appends the ids of `text`. `fragmentStart` is true when the text opens the input or follows a special token
   * (SentencePiece puts its leading space there).
   */
  encodeText(text: string, out: number[], fragmentStart: boolean): void;
  /** Bytes a normal or byte token stands for. */
  tokenBytes(id: number): Uint8Array;
}

export interface Vocabulary {
  tokens: string[];
  types: Uint8Array;
  /** Text -> the first id with that text. */
  idOf: Map<string, number>;
}

export function invalidModel(what: string): TritError {
  return new TritError(
    'tokenizer_invalid',
    `The model file's tokenizer is unusable: ${what}.`,
    'Download the model again; if it still fails, the file is not a supported BitNet GGUF.',
  );
}

export function unsupportedTokenizer(message: string): TritError {
  return new TritError(
    'tokenizer_unsupported',
    message,
    'Choose a model from the BitNet family (BitNet-b1.58-2B-4T, Falcon3 or Falcon-E 1.58-bit, Llama3-8B-1.58, bitnet_b1_58-large).',
  );
}

export function arrayOf(meta: GGUFMetadata, key: string): ArrayLike<unknown> | undefined {
  const v = meta[key];
  if (v === undefined) return undefined;
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return v as unknown as ArrayLike<unknown>;
  throw invalidModel(`${key} is not an array`);
}

export function numberOf(meta: GGUFMetadata, key: string): number | undefined {
  const v = meta[key];
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw invalidModel(`${key} is not a number`);
}

export function readVocabulary(meta: GGUFMetadata): Vocabulary {
  const rawTokens = arrayOf(meta, 'tokenizer.ggml.tokens');
  if (!rawTokens || rawTokens.length === 0) throw invalidModel('tokenizer.ggml.tokens is missing');
  const tokens = Array.from(rawTokens, (t) => {
    if (typeof t !== 'string') throw invalidModel('a token is not text');
    return t;
  });
  const types = new Uint8Array(tokens.length).fill(TokenType.normal);
  const rawTypes = arrayOf(meta, 'tokenizer.ggml.token_type');
  if (rawTypes) {
    if (rawTypes.length !== tokens.length) throw invalidModel('token_type and tokens differ in length');
    for (let i = 0; i < tokens.length; i++) types[i] = Number(rawTypes[i]);
  }
  const idOf = new Map<string, number>();
  for (let i = 0; i < tokens.length; i++) if (!idOf.has(tokens[i])) idOf.set(tokens[i], i);
  return { tokens, types, idOf };
}

/** A special-token id from the metadata, checked against the vocabulary; `fallback` when the key is absent. */
export function specialId(meta: GGUFMetadata, key: string, vocabSize: number, fallback?: number): number | undefined {
  const id = numberOf(meta, key);
  if (id === undefined) return fallback !== undefined && fallback < vocabSize ? fallback : undefined;
  if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw invalidModel(`${key} ${id} is outside the vocabulary`);
  return id;
}
