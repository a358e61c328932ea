/**
 * The tokenizer a GGUF carries, built from its own metadata: byte-level BPE (`tokenizer.ggml.model = gpt2`: the
 * Llama-3 vocabulary of BitNet-b1.58-2B-4T and Llama3-8B-1.58, Falcon3, Falcon-E) or SentencePiece (`llama`:
 * 1bitLLM's bitnet_b1_58 models). This class handles what both share: special tokens, BOS, end-of-generation
 * tokens and decoding. See ./README.md for behaviour and where we differ from the reference engine.
 */
import { TritError } from '../errors';
import { BpeModel } from './bpe';
import { preTokenizerKindFor, type PreTokenizerKind } from './pretokenizer';
import { SentencePieceModel } from './sentencepiece';
import {
  arrayOf,
  readVocabulary,
  specialId,
  TokenType,
  unsupportedTokenizer,
  type GGUFMetadata,
  type TokenizerModel,
  type Vocabulary,
} from './vocab';

export { TokenType, type GGUFMetadata };

export interface EncodeOptions {
  /** Prepend the BOS token; defaults to the file's `tokenizer.ggml.add_bos_token`. */
  addBos?: boolean;
  /** Turn control-token text such as `<|eot_id|>` into those tokens. Off by default: only templates may do it. */
  parseSpecial?: boolean;
}

export interface DecodeOptions {
  /** Render control tokens as their text (default: they decode to nothing). */
  special?: boolean;
}

/** `tokenizer.ggml.model` values Trit reads: byte-level BPE and SentencePiece. */
export type TokenizerKind = 'gpt2' | 'llama';

/** Texts of control tokens that end generation in the families we know (llama.cpp marks the same as EOG). */
const EOG_TEXTS = ['<|eot_id|>', '<|eom_id|>', '<|end_of_text|>', '<|im_end|>', '<|endoftext|>', '<|end|>', '</s>', '<end_of_turn>'];
/** llama.cpp's defaults when a file has no special-token keys: gpt2 bos = eos = 11 (Falcon's <|endoftext|>);
 * SentencePiece bos 1, eos 2, unk 0. */
const GPT2_DEFAULT_SPECIAL = 11;

const utf8Encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

export class Tokenizer {
  readonly kind: TokenizerKind;
  readonly vocabSize: number;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  /** Tokens that end a generated turn (EOS, EOT and the family's other end markers). */
  readonly endOfGeneration: ReadonlySet<number>;
  readonly addBosByDefault: boolean;
  /** The BPE pre-tokenizer; undefined for SentencePiece, which has none. */
  readonly preTokenizer: PreTokenizerKind | undefined;
  /** Set when the file named no pre-tokenizer and we chose one; says which and why. */
  readonly preTokenizerNote?: string;

  private readonly tokens: string[];
  private readonly types: Uint8Array;
  private readonly idOf: Map<string, number>;
  private readonly model: TokenizerModel;
  private readonly alwaysSpecial: RegExp | undefined;
  private readonly allSpecial: RegExp | undefined;

  private constructor(init: {
    kind: TokenizerKind;
    vocab: Vocabulary;
    model: TokenizerModel;
    bosId?: number;
    eosId?: number;
    extraEog: number[];
    addBos: boolean;
    pre?: PreTokenizerKind;
    preNote?: string;
  }) {
    const { tokens, types, idOf } = init.vocab;
    this.kind = init.kind;
    this.tokens = tokens;
    this.types = types;
    this.idOf = idOf;
    this.vocabSize = tokens.length;
    this.model = init.model;
    this.bosId = init.bosId;
    this.eosId = init.eosId;
    const eog = new Set<number>(init.extraEog);
    if (init.eosId !== undefined) eog.add(init.eosId);
    for (const t of EOG_TEXTS) {
      const id = idOf.get(t);
      if (id !== undefined && types[id] === TokenType.control) eog.add(id);
    }
    this.endOfGeneration = eog;
    this.addBosByDefault = init.addBos && init.bosId !== undefined;
    this.preTokenizer = init.pre;
    this.preTokenizerNote = init.preNote;

    const userDefined: string[] = [];
    const control: string[] = [];
    for (let i = 0; i < tokens.length; i++) {
      if (types[i] === TokenType.userDefined) userDefined.push(tokens[i]);
      else if (types[i] === TokenType.control) control.push(tokens[i]);
    }
    this.alwaysSpecial = alternation(userDefined);
    this.allSpecial = alternation([...userDefined, ...control]);
  }

  /**
   * Reads the tokenizer from GGUF metadata. Throws TritError('tokenizer_unsupported') for tokenizer models other
   * than byte-level BPE and SentencePiece or an unknown pre-tokenizer (named in the message), ('tokenizer_invalid')
   * for a malformed vocabulary.
   */
  static fromGGUFMetadata(meta: GGUFMetadata): Tokenizer {
    const model = meta['tokenizer.ggml.model'];
    if (model === 'gpt2') return Tokenizer.bpe(meta);
    if (model === 'llama') return Tokenizer.sentencePiece(meta);
    throw unsupportedTokenizer(
      `This model uses the "${String(model)}" tokenizer; Trit supports byte-level BPE ("gpt2") and SentencePiece ("llama") vocabularies.`,
    );
  }

  private static bpe(meta: GGUFMetadata): Tokenizer {
    const vocab = readVocabulary(meta);
    const n = vocab.tokens.length;
    // llama.cpp's gpt2 default (11) only where that token is a control token, so a vocabulary with an ordinary
    // token at 11 never ends a reply on it.
    const fallback = vocab.types[GPT2_DEFAULT_SPECIAL] === TokenType.control ? GPT2_DEFAULT_SPECIAL : undefined;
    const bosId = specialId(meta, 'tokenizer.ggml.bos_token_id', n, fallback);
    const eosId = specialId(meta, 'tokenizer.ggml.eos_token_id', n, fallback);
    const preRaw = meta['tokenizer.ggml.pre'];
    let pre: PreTokenizerKind;
    let preNote: string | undefined;
    const llama3Vocab = vocab.idOf.has('<|begin_of_text|>') && vocab.idOf.has('<|eot_id|>');
    if (typeof preRaw === 'string' && preRaw.length > 0) {
      pre = preTokenizerKindFor(preRaw);
    } else if (llama3Vocab) {
      // BitNet-b1.58-2B-4T's file names no pre-tokenizer, but its vocabulary was trained with Llama 3's rules.
      pre = 'llama3';
      preNote = 'The model names no pre-tokenizer; its Llama-3 vocabulary is split with the Llama-3 rules.';
    } else {
      pre = 'default';
      preNote = "The model names no pre-tokenizer; using llama.cpp's generic fallback rules.";
    }
    const addBosRaw = meta['tokenizer.ggml.add_bos_token'];
    const addBos = typeof addBosRaw === 'boolean' ? addBosRaw : pre === 'llama3';
    const bpe = new BpeModel(vocab, arrayOf(meta, 'tokenizer.ggml.merges') ?? [], pre);
    return new Tokenizer({ kind: 'gpt2', vocab, model: bpe, bosId, eosId, extraEog: extraEog(meta, n), addBos, pre, preNote });
  }

  private static sentencePiece(meta: GGUFMetadata): Tokenizer {
    const vocab = readVocabulary(meta);
    const n = vocab.tokens.length;
    const bosId = specialId(meta, 'tokenizer.ggml.bos_token_id', n, 1);
    const eosId = specialId(meta, 'tokenizer.ggml.eos_token_id', n, 2);
    const unkId = specialId(meta, 'tokenizer.ggml.unknown_token_id', n, 0);
    const addBosRaw = meta['tokenizer.ggml.add_bos_token'];
    const addBos = typeof addBosRaw === 'boolean' ? addBosRaw : true;
    const spm = new SentencePieceModel(vocab, meta, unkId);
    return new Tokenizer({ kind: 'llama', vocab, model: spm, bosId, eosId, extraEog: extraEog(meta, n), addBos });
  }

  /** Id of a token given its exact vocabulary text, if present. */
  tokenId(text: string): number | undefined {
    return this.idOf.get(text);
  }

  tokenText(id: number): string {
    this.checkId(id);
    return this.tokens[id];
  }

  tokenType(id: number): number {
    this.checkId(id);
    return this.types[id];
  }

  isControl(id: number): boolean {
    return this.tokenType(id) === TokenType.control;
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    const out: number[] = [];
    if ((opts.addBos ?? this.addBosByDefault) && this.bosId !== undefined) out.push(this.bosId);
    const specials = opts.parseSpecial ? this.allSpecial : this.alwaysSpecial;
    if (!specials) {
      if (text) this.model.encodeText(text, out, true);
      return out;
    }
    // Text between special tokens is encoded on its own; each such fragment starts afresh (SentencePiece's
    // leading space goes before it, as in llama.cpp).
    let last = 0;
    specials.lastIndex = 0;
    for (let m = specials.exec(text); m !== null; m = specials.exec(text)) {
      if (m.index > last) this.model.encodeText(text.slice(last, m.index), out, true);
      out.push(this.idOf.get(m[0])!);
      last = m.index + m[0].length;
    }
    if (last < text.length) this.model.encodeText(text.slice(last), out, true);
    return out;
  }

  /** Raw bytes a token stands for (control tokens: their text only when `special`). */
  tokenToBytes(id: number, opts: DecodeOptions = {}): Uint8Array {
    this.checkId(id);
    const type = this.types[id];
    if (type === TokenType.control || type === TokenType.unknown || type === TokenType.unused) {
      return opts.special && type === TokenType.control ? utf8Encoder.encode(this.tokens[id]) : EMPTY;
    }
    // User-defined tokens are stored as plain text; the model knows how its normal and byte tokens are written.
    return type === TokenType.userDefined ? utf8Encoder.encode(this.tokens[id]) : this.model.tokenBytes(id);
  }

  decode(ids: readonly number[], opts: DecodeOptions = {}): string {
    const parts = ids.map((id) => this.tokenToBytes(id, opts));
    const total = parts.reduce((n, p) => n + p.length, 0);
    const all = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return new TextDecoder().decode(all);
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new TritError('token_out_of_range', `Token id ${id} is outside the vocabulary.`, 'Reload the model and try again.');
    }
  }
}

function extraEog(meta: GGUFMetadata, n: number): number[] {
  return [specialId(meta, 'tokenizer.ggml.eot_token_id', n), specialId(meta, 'tokenizer.ggml.eom_token_id', n)].filter(
    (x): x is number => x !== undefined,
  );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** One regex matching any of `texts`, longest first so `<|eot_id|>` wins over a shorter prefix token. */
function alternation(texts: string[]): RegExp | undefined {
  const usable = texts.filter((t) => t.length > 0);
  if (usable.length === 0) return undefined;
  usable.sort((a, b) => b.length - a.length);
  return new RegExp(usable.map(escapeRegExp).join('|'), 'gu');
}
