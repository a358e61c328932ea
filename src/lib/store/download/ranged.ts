/**
 * The ranged download: every missing shard by its own HTTP Range request, a few at a time (p-limit), each retried
 * on its own (p-retry) and stored the moment it arrives. A shard cut short keeps what arrived as a piece, so a
 * pause or a dropped connection loses nothing that was received.
 */
import pLimit from 'p-limit';
import type { StoreContext } from '../context';
import { isAbortError } from '../errors';
import type { ModelManifest } from '../manifest';
import { missingShards, shardSpan } from '../shards';
import { fetchSpan } from './http';
import { withRetry } from './retry';

/** Where fetched bytes go: the download job owns the manifest and the backend writes. */
export interface ShardSink {
  manifest(): ModelManifest;
  storeShard(index: number, bytes: Uint8Array): Promise<void>;
  /** The kept start of shard `index` (empty when none). */
  loadPiece(index: number): Promise<Uint8Array>;
  savePiece(index: number, bytes: Uint8Array): Promise<void>;
}

export type RangedOutcome =
  | { kind: 'done' }
  /** The server does not serve ranges as asked; `whole` is a 200 with the whole file, worth streaming from. */
  | { kind: 'range-unusable'; whole?: Response; why: string };

type ShardOutcome = { kind: 'stored' } | { kind: 'skipped' } | Extract<RangedOutcome, { kind: 'range-unusable' }>;

export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export async function fetchRanged(ctx: StoreContext, url: string, sink: ShardSink, signal: AbortSignal, onBytes: (n: number) => void): Promise<RangedOutcome> {
  const queue = missingShards(sink.manifest().shards);
  // One failing shard stops the others (they keep their pieces), without aborting the caller's signal.
  const internal = new AbortController();
  const onOuterAbort = () => internal.abort(signal.reason);
  signal.addEventListener('abort', onOuterAbort, { once: true });

  const fetchShard = async (index: number): Promise<ShardOutcome> => {
    if (internal.signal.aborted) return { kind: 'skipped' };
    const m = sink.manifest();
    const span = shardSpan(index, m.size, m.shardSize);
    const piece = await sink.loadPiece(index);
    const result = await fetchSpan(ctx, url, { index, start: span.start + piece.length, end: span.end }, m.size, internal.signal, onBytes);
    if (result.kind === 'range-unusable') return result;
    if (result.kind === 'cut') {
      if (result.received.length) await sink.savePiece(index, concatBytes(piece, result.received)).catch(() => onBytes(-result.received.length));
      throw result.error;
    }
    await sink.storeShard(index, concatBytes(piece, result.bytes));
    return { kind: 'stored' };
  };
  const job = (index: number) => withRetry(ctx, () => fetchShard(index), internal.signal);

  try {
    // The first shard alone: its answer tells whether the server honours Range at all.
    const first = await job(queue.shift()!);
    if (first.kind === 'range-unusable') return first;
    const limit = pLimit(ctx.concurrency);
    let failure: unknown;
    let unusable: RangedOutcome | undefined;
    // Settle every job before returning, so no shard write lands after the download reports its outcome.
    await Promise.all(
      queue.map((index) =>
        limit(() => job(index)).then(
          (r) => {
            if (r.kind !== 'range-unusable') return;
            void r.whole?.body?.cancel();
            unusable ??= { kind: 'range-unusable', why: r.why };
            internal.abort(new DOMException('Range unusable', 'AbortError'));
          },
          (e) => {
            // The first real failure is the one to report; the aborts it caused in the other jobs are not.
            if (failure === undefined && !(isAbortError(e) && internal.signal.aborted && !signal.aborted)) failure = e;
            internal.abort(e);
          },
        ),
      ),
    );
    if (signal.aborted) throw signal.reason;
    if (unusable) return unusable;
    if (failure !== undefined) throw failure;
    return { kind: 'done' };
  } finally {
    signal.removeEventListener('abort', onOuterAbort);
  }
}
