/**
 * Byte-level BPE tokenizer (`tokenizer.ggml.model = gpt2`) built from a GGUF's own metadata:
 * the Llama-3 vocabulary of BitNet-b1.58-2B-4T, and other GPT-2 style vocabularies.
 * See ./README.md for behaviour and where we differ from the reference engine.
 */
import { TritError } from '../errors';
import { BYTE_TO_CHAR, CHAR_TO_BYTE, fromByteLevel, toByteLevel } from './byte-level';
import { PreTokenizer, preTokenizerKindFor, type PreTokenizerKind } from './pretokenizer';

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

const WORD_CACHE_LIMIT = 50_000;
/** Texts of control tokens that end generation in the families we know (llama.cpp marks the same as EOG). */
const EOG_TEXTS = ['<|eot_id|>', '<|eom_id|>', '<|end_of_text|>', '<|im_end|>', '<|endoftext|>', '<|end|>', '</s>', '<end_of_turn>'];

function invalidModel(what: string): TritError {
  return new TritError(
    'tokenizer_invalid',
    `The model file's tokenizer is unusable: ${what}.`,
    'Download the model again; if it still fails, the file is not a supported BitNet GGUF.',
  );
}

function arrayOf(meta: GGUFMetadata, key: string): ArrayLike<unknown> | undefined {
  const v = meta[key];
  if (v === undefined) return undefined;
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return v as unknown as ArrayLike<unknown>;
  throw invalidModel(`${key} is not an array`);
}

function numberOf(meta: GGUFMetadata, key: string): number | undefined {
  const v = meta[key];
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw invalidModel(`${key} is not a number`);
}

export class Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  /** Tokens that end a generated turn (EOS, EOT and the family's other end markers). */
  readonly endOfGeneration: ReadonlySet<number>;
  readonly addBosByDefault: boolean;
  readonly preTokenizer: PreTokenizerKind;
  /** Set when the file named no pre-tokenizer and we chose one; says which and why. */
  readonly preTokenizerNote?: string;

  private readonly tokens: string[];
  private readonly types: Uint8Array;
  private readonly idOf: Map<string, number>;
  /** Pair key (left * vocabSize + right) -> merge rank. */
  private readonly mergeRank: Map<number, number>;
  /** Merge rank -> id of the merged token. */
  private readonly mergeResult: Int32Array;
  private readonly byteToken: Int32Array;
  private readonly pre: PreTokenizer;
  private readonly alwaysSpecial: RegExp | undefined;
  private readonly allSpecial: RegExp | undefined;
  private readonly wordCache = new Map<string, number[]>();
  private readonly pieceBytes: (Uint8Array | undefined)[];

  private constructor(init: {
    tokens: string[];
    types: Uint8Array;
    merges: ArrayLike<unknown>;
    bosId?: number;
    eosId?: number;
    extraEog: number[];
    addBos: boolean;
    pre: PreTokenizerKind;
    preNote?: string;
  }) {
    const { tokens, types } = init;
    this.tokens = tokens;
    this.types = types;
    this.vocabSize = tokens.length;
    this.idOf = new Map();
    for (let i = 0; i < tokens.length; i++) if (!this.idOf.has(tokens[i])) this.idOf.set(tokens[i], i);

    const n = init.merges.length;
    this.mergeRank = new Map();
    this.mergeResult = new Int32Array(n);
    for (let rank = 0; rank < n; rank++) {
      const m = init.merges[rank];
      if (typeof m !== 'string') throw invalidModel('a merge is not text');
      const sp = m.indexOf(' ', 1);
      if (sp < 0) throw invalidModel(`merge "${m}" has no separator`);
      const left = this.idOf.get(m.slice(0, sp));
      const right = this.idOf.get(m.slice(sp + 1));
      const merged = this.idOf.get(m.slice(0, sp) + m.slice(sp + 1));
      // A merge whose parts are not in the vocabulary can never fire; llama.cpp ignores such entries too.
      if (left === undefined || right === undefined || merged === undefined) continue;
      const key = left * this.vocabSize + right;
      if (!this.mergeRank.has(key)) this.mergeRank.set(key, rank);
      this.mergeResult[rank] = merged;
    }

    this.byteToken = new Int32Array(256).fill(-1);
    for (let b = 0; b < 256; b++) this.byteToken[b] = this.idOf.get(BYTE_TO_CHAR[b]) ?? -1;

    this.bosId = init.bosId;
    this.eosId = init.eosId;
    const eog = new Set<number>(init.extraEog);
    if (init.eosId !== undefined) eog.add(init.eosId);
    for (const t of EOG_TEXTS) {
      const id = this.idOf.get(t);
      if (id !== undefined && types[id] === TokenType.control) eog.add(id);
    }
    this.endOfGeneration = eog;
    this.addBosByDefault = init.addBos && init.bosId !== undefined;
    this.preTokenizer = init.pre;
    this.preTokenizerNote = init.preNote;
    this.pre = new PreTokenizer(init.pre);

    const userDefined: string[] = [];
    const control: string[] = [];
    for (let i = 0; i < tokens.length; i++) {
      if (types[i] === TokenType.userDefined) userDefined.push(tokens[i]);
      else if (types[i] === TokenType.control) control.push(tokens[i]);
    }
    this.alwaysSpecial = alternation(userDefined);
    this.allSpecial = alternation([...userDefined, ...control]);
    this.pieceBytes = new Array(tokens.length);
  }

  /**
   * Reads the tokenizer from GGUF metadata. Throws TritError('tokenizer_unsupported') for tokenizer models
   * other than byte-level BPE, ('tokenizer_invalid') for a malformed vocabulary.
   */
  static fromGGUFMetadata(meta: GGUFMetadata): Tokenizer {
    const model = meta['tokenizer.ggml.model'];
    if (model !== 'gpt2') {
      throw new TritError(
        'tokenizer_unsupported',
        `This model uses the "${String(model)}" tokenizer; Trit supports byte-level BPE ("gpt2") vocabularies.`,
        'Choose a BitNet model with a Llama-3 style vocabulary, such as BitNet-b1.58-2B-4T.',
      );
    }
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
    const merges = arrayOf(meta, 'tokenizer.ggml.merges') ?? [];
    const idIn = (key: string) => {
      const id = numberOf(meta, key);
      if (id === undefined) return undefined;
      if (!Number.isInteger(id) || id < 0 || id >= tokens.length) throw invalidModel(`${key} ${id} is outside the vocabulary`);
      return id;
    };
    const bosId = idIn('tokenizer.ggml.bos_token_id');
    const eosId = idIn('tokenizer.ggml.eos_token_id');
    const extraEog = [idIn('tokenizer.ggml.eot_token_id'), idIn('tokenizer.ggml.eom_token_id')].filter(
      (x): x is number => x !== undefined,
    );

    const preRaw = meta['tokenizer.ggml.pre'];
    let pre: PreTokenizerKind;
    let preNote: string | undefined;
    const llama3Vocab = tokens.includes('<|begin_of_text|>') && tokens.includes('<|eot_id|>');
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
    return new Tokenizer({ tokens, types, merges, bosId, eosId, extraEog, addBos, pre, preNote });
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
      this.encodeText(text, out);
      return out;
    }
    let last = 0;
    specials.lastIndex = 0;
    for (let m = specials.exec(text); m !== null; m = specials.exec(text)) {
      if (m.index > last) this.encodeText(text.slice(last, m.index), out);
      out.push(this.idOf.get(m[0])!);
      last = m.index + m[0].length;
    }
    if (last < text.length) this.encodeText(text.slice(last), out);
    return out;
  }

  /** Raw bytes a token stands for (control tokens: their text only when `special`). */
  tokenToBytes(id: number, opts: DecodeOptions = {}): Uint8Array {
    this.checkId(id);
    const type = this.types[id];
    if (type === TokenType.control || type === TokenType.unknown || type === TokenType.unused) {
      return opts.special && type === TokenType.control ? utf8Encoder.encode(this.tokens[id]) : EMPTY;
    }
    let bytes = this.pieceBytes[id];
    if (!bytes) {
      // User-defined tokens are stored as plain text; normal tokens in the byte-level alphabet.
      bytes =
        type === TokenType.userDefined
          ? utf8Encoder.encode(this.tokens[id])
          : (fromByteLevel(this.tokens[id]) ?? utf8Encoder.encode(this.tokens[id]));
      this.pieceBytes[id] = bytes;
    }
    return bytes;
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

  private encodeText(text: string, out: number[]): void {
    for (const piece of this.pre.split(text)) {
      const word = toByteLevel(piece);
      if (this.pre.ignoreMerges) {
        const whole = this.idOf.get(word);
        if (whole !== undefined) {
          out.push(whole);
          continue;
        }
      }
      const cached = this.wordCache.get(word);
      if (cached) {
        for (const t of cached) out.push(t);
        continue;
      }
      const ids = this.bpe(word);
      if (this.wordCache.size >= WORD_CACHE_LIMIT) this.wordCache.clear();
      this.wordCache.set(word, ids);
      for (const t of ids) out.push(t);
    }
  }

  /**
   * Merges the byte symbols of one piece, always applying the lowest-ranked adjacent pair (leftmost on ties),
   * with a binary heap of candidate pairs so long pieces stay O(n log n).
   */
  private bpe(word: string): number[] {
    const n = word.length;
    const ids = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = word.charCodeAt(i);
      const id = c < 512 && CHAR_TO_BYTE[c] >= 0 ? this.byteToken[CHAR_TO_BYTE[c]] : -1;
      if (id < 0) {
        throw new TritError(
          'tokenizer_invalid',
          `The model's vocabulary has no token for byte character "${word[i]}".`,
          'This model file is not a complete byte-level BPE vocabulary; choose another model.',
        );
      }
      ids[i] = id;
    }
    if (n === 1) return [ids[0]];
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const alive = new Uint8Array(n).fill(1);
    const heap = new MinHeap();
    const V = this.vocabSize;
    // Heap key: rank in the high part, left position in the low 32 bits (ranks < 2^21 keep keys below 2^53).
    const pushPair = (left: number) => {
      const right = next[left];
      if (left < 0 || right < 0) return;
      const rank = this.mergeRank.get(ids[left] * V + ids[right]);
      if (rank !== undefined) heap.push(rank * 4294967296 + left);
    };
    for (let i = 0; i + 1 < n; i++) pushPair(i);
    while (heap.size > 0) {
      const key = heap.pop();
      const rank = Math.floor(key / 4294967296);
      const left = key - rank * 4294967296;
      const right = next[left];
      if (!alive[left] || right < 0) continue;
      // Stale entry: one side was merged since it was queued.
      if (this.mergeRank.get(ids[left] * V + ids[right]) !== rank) continue;
      ids[left] = this.mergeResult[rank];
      alive[right] = 0;
      next[left] = next[right];
      if (next[right] >= 0) prev[next[right]] = left;
      pushPair(prev[left]);
      pushPair(left);
    }
    const out: number[] = [];
    for (let i = 0; i >= 0; i = next[i]) out.push(ids[i]);
    return out;
  }
}

const utf8Encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

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

class MinHeap {
  private readonly a: number[] = [];
  get size(): number {
    return this.a.length;
  }
  push(v: number): void {
    const a = this.a;
    let i = a.length;
    a.push(v);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= v) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && a[r] < a[l] ? r : l;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
