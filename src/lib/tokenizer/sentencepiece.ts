/**
 * SentencePiece (`tokenizer.ggml.model = llama`), as llama.cpp's `llm_tokenizer_spm` runs it: spaces become "▁",
 * a space is put before the text (the "add space prefix" rule, on by default), the characters are merged pairwise,
 * highest piece score first (leftmost on ties), and whatever does not end up a piece is written as byte tokens
 * `<0xNN>` (byte fallback). There is no pre-tokenizer: the whole text is one sequence.
 */
import { Heap } from './heap';
import { arrayOf, invalidModel, TokenType, unsupportedTokenizer, type GGUFMetadata, type TokenizerModel, type Vocabulary } from './vocab';

const SPACE = '\u2581';
const utf8 = new TextEncoder();

interface Bigram {
  left: number;
  right: number;
  score: number;
  /** Length of the merged text when queued; a different sum later means a side was merged since. */
  size: number;
}

/** Highest score first, then the leftmost pair (llama.cpp's llm_bigram_spm comparator). */
const before = (a: Bigram, b: Bigram) => a.score > b.score || (a.score === b.score && a.left < b.left);

export class SentencePieceModel implements TokenizerModel {
  private readonly scores: Float32Array;
  /** Byte -> its `<0xNN>` token, -1 when the vocabulary has none (then unknown characters become `<unk>`). */
  private readonly byteToken = new Int32Array(256).fill(-1);
  private readonly hasByteFallback: boolean;
  private readonly addSpacePrefix: boolean;
  private readonly bytesOf: (Uint8Array | undefined)[];

  constructor(
    private readonly vocab: Vocabulary,
    meta: GGUFMetadata,
    private readonly unkId: number | undefined,
  ) {
    const n = vocab.tokens.length;
    this.scores = new Float32Array(n);
    const raw = arrayOf(meta, 'tokenizer.ggml.scores');
    if (raw) {
      if (raw.length !== n) throw invalidModel('scores and tokens differ in length');
      for (let i = 0; i < n; i++) this.scores[i] = Number(raw[i]);
    }
    let bytes = 0;
    for (let b = 0; b < 256; b++) {
      const id = vocab.idOf.get(byteTokenText(b));
      if (id !== undefined && vocab.types[id] === TokenType.byte) {
        this.byteToken[b] = id;
        bytes++;
      }
    }
    this.hasByteFallback = bytes === 256;
    if (!this.hasByteFallback && (unkId === undefined || vocab.types[unkId] !== TokenType.unknown)) {
      throw unsupportedTokenizer(
        "This model's SentencePiece vocabulary has neither byte tokens (<0x00>..<0xFF>) nor an unknown token, so it cannot write every character.",
      );
    }
    const prefix = meta['tokenizer.ggml.add_space_prefix'];
    this.addSpacePrefix = typeof prefix === 'boolean' ? prefix : true;
    this.bytesOf = new Array(n);
  }

  tokenBytes(id: number): Uint8Array {
    let bytes = this.bytesOf[id];
    if (!bytes) {
      const text = this.vocab.tokens[id];
      const byte = this.vocab.types[id] === TokenType.byte ? parseByteToken(text) : undefined;
      bytes = byte !== undefined ? Uint8Array.of(byte) : utf8.encode(text.replaceAll(SPACE, ' '));
      this.bytesOf[id] = bytes;
    }
    return bytes;
  }

  encodeText(text: string, out: number[], fragmentStart: boolean): void {
    if (this.addSpacePrefix && fragmentStart) text = ' ' + text;
    const symbols = Array.from(text.replaceAll(' ', SPACE));
    const n = symbols.length;
    if (n === 0) return;
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const queue = new Heap<Bigram>(before);
    const tryPair = (left: number, right: number) => {
      if (left < 0 || right < 0) return;
      const merged = symbols[left] + symbols[right];
      const id = this.pieceId(merged);
      if (id !== undefined) queue.push({ left, right, score: this.scores[id], size: merged.length });
    };
    for (let i = 1; i < n; i++) tryPair(i - 1, i);
    while (queue.size > 0) {
      const b = queue.pop();
      const l = symbols[b.left];
      const r = symbols[b.right];
      if (l.length === 0 || r.length === 0 || l.length + r.length !== b.size) continue;
      symbols[b.left] = l + r;
      symbols[b.right] = '';
      next[b.left] = next[b.right];
      if (next[b.right] >= 0) prev[next[b.right]] = b.left;
      tryPair(prev[b.left], b.left);
      tryPair(b.left, next[b.left]);
    }
    for (let i = 0; i >= 0; i = next[i]) {
      const id = this.pieceId(symbols[i]);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      // Byte fallback: a character with no piece of its own is written as its UTF-8 bytes (or <unk> without them).
      if (this.hasByteFallback) for (const byte of utf8.encode(symbols[i])) out.push(this.byteToken[byte]);
      else out.push(this.unkId!);
    }
  }

  /** A piece text may become: normal and user-defined tokens only, so no control or byte token comes from text. */
  private pieceId(text: string): number | undefined {
    const id = this.vocab.idOf.get(text);
    if (id === undefined) return undefined;
    const type = this.vocab.types[id];
    return type === TokenType.normal || type === TokenType.userDefined ? id : undefined;
  }
}

function byteTokenText(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}

function parseByteToken(text: string): number | undefined {
  const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(text);
  return m ? parseInt(m[1], 16) : undefined;
}
