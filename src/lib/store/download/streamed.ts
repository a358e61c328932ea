/**
 * The streamed download, for servers that do not serve ranges: one plain GET of the whole file, cut into shards as
 * it arrives. Shards already stored are hashed into the file hash and dropped, so memory stays at one shard.
 */
import { formatBytes } from '../../units';
import type { StoreContext } from '../context';
import { StoreError, interrupted, isAbortError } from '../errors';
import { createFileHasher } from '../hash';
import { type ShardSpan, shardSpan } from '../shards';
import { openWhole } from './http';
import { withRetry } from './retry';

export interface StreamOptions {
  size: number;
  shardSize: number;
  wanted: (index: number) => boolean;
  onShard: (span: ShardSpan, bytes: Uint8Array) => Promise<void>;
  onBytes: (n: number) => void;
}

/** sha256 of the whole file, and whether every shard of it was stored from this one pass (so the hash is theirs). */
export interface StreamOutcome {
  sha256: string;
  allFresh: boolean;
}

/** Streams the file, retried as a whole after a broken connection; `existing` is a 200 already received. */
export function streamWithRetry(ctx: StoreContext, url: string, opts: StreamOptions, signal: AbortSignal, existing?: Response): Promise<StreamOutcome> {
  let first = existing;
  return withRetry(
    ctx,
    () => {
      const response = first;
      first = undefined;
      return streamPass(ctx, url, opts, signal, response);
    },
    signal,
  );
}

export async function streamPass(ctx: StoreContext, url: string, opts: StreamOptions, signal: AbortSignal, existing?: Response): Promise<StreamOutcome> {
  const { size, shardSize, wanted, onShard, onBytes } = opts;
  const reader = await openWhole(ctx, url, size, signal, existing);
  const hasher = await createFileHasher();
  let allFresh = true;
  let offset = 0;
  let span = shardSpan(0, size, shardSize);
  let keep = wanted(0);
  let buf: Uint8Array | undefined = keep ? new Uint8Array(span.end - span.start) : undefined;
  // Bytes of the unfinished shard: they are dropped (and uncounted) if the stream breaks.
  let countedInShard = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (offset + value.length > size) {
        throw new StoreError('range_mismatch', 'The server sent more bytes than the file size.', 'Delete the partial download and start it again.');
      }
      hasher.update(value);
      let pos = 0;
      while (pos < value.length) {
        const take = Math.min(value.length - pos, span.end - offset);
        if (keep) {
          buf!.set(value.subarray(pos, pos + take), offset - span.start);
          onBytes(take);
          countedInShard += take;
        }
        pos += take;
        offset += take;
        if (offset === span.end) {
          if (keep) await onShard(span, buf!);
          else allFresh = false;
          countedInShard = 0;
          if (offset < size) {
            span = shardSpan(span.index + 1, size, shardSize);
            keep = wanted(span.index);
            buf = keep ? new Uint8Array(span.end - span.start) : undefined;
          }
        }
      }
    }
  } catch (e) {
    onBytes(-countedInShard);
    await reader.cancel().catch(() => undefined);
    if (e instanceof StoreError || isAbortError(e)) throw e;
    throw interrupted(`the connection dropped at ${formatBytes(offset)} of ${formatBytes(size)}`, offset);
  }
  if (offset !== size) {
    onBytes(-countedInShard);
    throw interrupted(`the connection dropped at ${formatBytes(offset)} of ${formatBytes(size)}`, offset);
  }
  return { sha256: hasher.hex(), allFresh };
}
