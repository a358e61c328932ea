/**
 * Whether a file is a model the engine runs, asked of the engine's own GGUF reader (the app has one parser: the
 * engine's, cpp/src/gguf.cpp) through the store's `inspect` option. Used at import, at the end of a download and
 * when a link is added. The store itself only sniffs the magic and version (gguf-sniff.ts).
 */
import { TritError } from '../errors';
import { StoreError } from './errors';
import { sniffGguf } from './gguf-sniff';
import type { HeaderInspector, IntegrityCheck } from './types';

/** Reads the first `bytes` bytes of the file from wherever it is: a File, the stored shards, a Range request. */
export type PrefixReader = (bytes: number) => Promise<Uint8Array>;

/** No BitNet header comes near this (2B-4T's, with its 128k-entry tokenizer, is about 8 MB). */
const MAX_HEADER_BYTES = 64 << 20;

const CHOOSE_BITNET = 'Choose a BitNet b1.58 .gguf file (I2_S), such as ggml-model-i2_s.gguf.';

export interface HeaderCheckOptions {
  /** Bytes to read first. */
  firstRead: number;
  /** Stop reading at this many bytes and accept what was seen so far (a link is checked by its first bytes only). */
  readLimit?: number;
}

/**
 * Resolves to 'structure' when the engine's reader accepted the whole header and tensor table (every tensor inside
 * `size` bytes, an architecture and tensor types it runs), 'none' when only the magic could be checked (no reader,
 * or a link's header longer than `readLimit`). Throws a StoreError saying what is wrong otherwise.
 */
export async function checkModelHeader(
  inspect: HeaderInspector | undefined,
  read: PrefixReader,
  size: number,
  opts: HeaderCheckOptions,
): Promise<IntegrityCheck> {
  let head = await read(Math.min(size, opts.firstRead));
  sniffGguf(head);
  if (!inspect) return 'none';
  for (;;) {
    let verdict;
    try {
      verdict = await inspect(head, size);
    } catch (e) {
      throw unreadable(e);
    }
    if (verdict.complete && verdict.runnable) return 'structure';
    if (verdict.complete) {
      throw new StoreError('not_runnable', `Trit cannot use this model file: ${verdict.reason}`, verdict.hint || CHOOSE_BITNET, { detail: verdict.code });
    }
    const want = verdict.needBytes;
    if (want <= head.length || want > size || want > MAX_HEADER_BYTES) {
      throw new StoreError('not_gguf', `Trit cannot use this model file: its header does not fit in the file (${want} bytes of ${size}).`, CHOOSE_BITNET);
    }
    if (opts.readLimit !== undefined && want > opts.readLimit) return 'none';
    head = await read(want);
  }
}

function unreadable(e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const why = e instanceof Error ? e.message : String(e);
  const code = e instanceof TritError ? e.code : undefined;
  return new StoreError('not_gguf', `Trit cannot use this model file: ${why}`, (e as { hint?: string }).hint ?? CHOOSE_BITNET, { detail: code });
}
