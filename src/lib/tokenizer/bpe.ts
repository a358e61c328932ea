/**
 * Byte-level BPE (`tokenizer.ggml.model = gpt2`): text is split by the file's pre-tokenizer, each piece is written
 * in the GPT-2 byte alphabet and merged by the ranked merge list. See ./README.md.
 */
import { TritError } from '../errors';
import { BYTE_TO_CHAR, CHAR_TO_BYTE, fromByteLevel, toByteLevel } from './byte-level';
import { MinHeap } from './heap';
import { PreTokenizer, type PreTokenizerKind } from './pretokenizer';
import { invalidModel, type TokenizerModel, type Vocabulary } from './vocab';

const WORD_CACHE_LIMIT = 50_000;
const utf8 = new TextEncoder();

export class BpeModel implements TokenizerModel {
  private readonly vocabSize: number;
  /** Pair key (left * vocabSize + right) -> merge rank. */
  private readonly mergeRank = new Map<number, number>();
  /** Merge rank -> id of the merged token. */
  private readonly mergeResult: Int32Array;
  private readonly byteToken = new Int32Array(256).fill(-1);
  private readonly pre: PreTokenizer;
  private readonly wordCache = new Map<string, number[]>();
  private readonly bytesOf: (Uint8Array | undefined)[];

  constructor(
    private readonly vocab: Vocabulary,
    merges: ArrayLike<unknown>,
    pre: PreTokenizerKind,
  ) {
    const { tokens, idOf } = vocab;
    this.vocabSize = tokens.length;
    this.mergeResult = new Int32Array(merges.length);
    for (let rank = 0; rank < merges.length; rank++) {
      const m = merges[rank];
      if (typeof m !== 'string') throw invalidModel('a merge is not text');
      const sp = m.indexOf(' ', 1);
      if (sp < 0) throw invalidModel(`merge "${m}" has no separator`);
      const left = idOf.get(m.slice(0, sp));
      const right = idOf.get(m.slice(sp + 1));
      const merged = idOf.get(m.slice(0, sp) + m.slice(sp + 1));
      // A merge whose parts are not in the vocabulary can never fire; llama.cpp ignores such entries too.
      if (left === undefined || right === undefined || merged === undefined) continue;
      const key = left * this.vocabSize + right;
      if (!this.mergeRank.has(key)) this.mergeRank.set(key, rank);
      this.mergeResult[rank] = merged;
    }
    for (let b = 0; b < 256; b++) this.byteToken[b] = idOf.get(BYTE_TO_CHAR[b]) ?? -1;
    this.pre = new PreTokenizer(pre);
    this.bytesOf = new Array(tokens.length);
  }

  tokenBytes(id: number): Uint8Array {
    let bytes = this.bytesOf[id];
    if (!bytes) {
      bytes = fromByteLevel(this.vocab.tokens[id]) ?? utf8.encode(this.vocab.tokens[id]);
      this.bytesOf[id] = bytes;
    }
    return bytes;
  }

  encodeText(text: string, out: number[]): void {
    for (const piece of this.pre.split(text)) {
      const word = toByteLevel(piece);
      if (this.pre.ignoreMerges) {
        const whole = this.vocab.idOf.get(word);
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
