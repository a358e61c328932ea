/**
 * One download of one model, from the first request to 'ready': what is missing is fetched by ranges (or streamed
 * when the server cannot do ranges), then the file is checked (the published sha256, else the engine's structural
 * check, and its own sha256 kept) and repaired where a shard arrived wrong. Resuming and repairing are the same job:
 * only what is missing is fetched.
 */
import { serializeError } from '../../errors';
import type { CatalogueEntry } from '../catalogue';
import { fileNameFromUrl, memoryNeeded } from '../catalogue';
import type { StoreContext } from '../context';
import { StoreError, hostOf, insufficientStorage, interrupted, isAbortError, isQuotaError, offlineError, quotaExceeded } from '../errors';
import { shardToBytes } from '../backend';
import { sha256Hex } from '../hash';
import { checkStoredStructure, repairByRefetch, repairNotice, storedFileSha256 } from '../integrity';
import {
  type ModelManifest,
  createManifest,
  markDownloading,
  markError,
  markPaused,
  markReady,
  recordPiece,
  recordShard,
} from '../manifest';
import { ProgressMeter, Throttle } from '../progress';
import { missingShards, storedBytes } from '../shards';
import type { DownloadOptions, DownloadOutcome, IntegrityCheck, ProgressPhase } from '../types';
import { probeSize } from './http';
import { fetchRanged } from './ranged';
import { withRetry } from './retry';
import { streamWithRetry } from './streamed';

export async function checkSpace(ctx: StoreContext, neededBytes: number): Promise<void> {
  if (neededBytes <= 0) return;
  let est;
  try {
    est = await ctx.estimate();
  } catch {
    return; // No estimate (old browsers): the QuotaExceededError path still stops cleanly.
  }
  if (est.quota === undefined) return;
  const free = Math.max(0, est.quota - (est.usage ?? 0));
  if (neededBytes > free) throw insufficientStorage(neededBytes, free);
}

const keptBytes = (m: ModelManifest) => storedBytes(m.shards, m.size, m.shardSize, m.pieces);

/** The manifest to download into: the stored one (reconciled with what IndexedDB really holds), or a new one. */
async function prepare(ctx: StoreContext, id: string, entry: CatalogueEntry | undefined, signal: AbortSignal): Promise<{ manifest: ModelManifest; url: string }> {
  const stored = await ctx.backend.getManifest(id);
  const url = stored?.url ?? (entry ? (ctx.baseUrl ? new URL(entry.url, ctx.baseUrl).href : entry.url) : undefined);
  if (!url) {
    if (stored) throw new StoreError('not_found', `"${stored.name}" was added from a file, so it cannot be downloaded again.`, 'Add the same .gguf file again to repair it.');
    throw new StoreError('not_found', `No model "${id}" in the catalogue.`, 'Add it by its download link first.');
  }
  if (stored) return { manifest: await ctx.reconciled(stored), url };
  const size = entry?.sizeBytes ?? (await withRetry(ctx, () => probeSize(ctx, url, signal), signal));
  const manifest = createManifest(
    {
      id,
      name: entry?.name ?? fileNameFromUrl(url),
      url,
      origin: 'download',
      fileName: entry?.fileName ?? fileNameFromUrl(url),
      size,
      shardSize: ctx.shardSize,
      sha256: entry?.sha256,
      memoryBytes: entry ? memoryNeeded(entry, size) : undefined,
    },
    ctx.now(),
  );
  return { manifest, url };
}

export async function runDownload(
  ctx: StoreContext,
  id: string,
  entry: CatalogueEntry | undefined,
  signal: AbortSignal,
  opts: DownloadOptions,
  persistence: () => Promise<boolean | undefined>,
): Promise<DownloadOutcome> {
  const { manifest, url } = await prepare(ctx, id, entry, signal);
  const missingBefore = missingShards(manifest.shards);
  const remaining = manifest.size - keptBytes(manifest);
  // Refuse before a single byte is fetched, and before a brand-new model leaves an empty entry behind.
  await checkSpace(ctx, remaining);
  // Asked, never awaited: Firefox holds the answer until the person answers its prompt.
  let persisted: boolean | undefined;
  if (missingBefore.length > 0) {
    void persistence().then((granted) => {
      persisted = granted;
      opts.onPersisted?.(granted);
    });
  }

  ctx.lastErrors.delete(id);
  let current = markDownloading(manifest, ctx.now());
  let writes = Promise.resolve();
  const commit = (next: ModelManifest) => {
    current = next;
    // One failed write (a full disk) must not block the writes after it, such as the final 'paused'.
    writes = writes.catch(() => undefined).then(() => ctx.saveManifest(next));
    return writes;
  };
  await commit(current);

  const meter = new ProgressMeter(current.size, current.size - remaining, ctx.now);
  const throttle = new Throttle(ctx.progressIntervalMs, ctx.now);
  let phase: ProgressPhase = 'downloading';
  let fetchedBytes = 0;
  let mode: DownloadOutcome['mode'] = missingBefore.length ? 'ranged' : 'none';
  const emit = (force = false, notice?: string) => {
    if (!opts.onProgress || (!force && !throttle.ready())) return;
    const shardsDone = current.shards.length - missingShards(current.shards).length;
    opts.onProgress({ ...meter.snapshot(), modelId: id, phase, shardsDone, shardCount: current.shards.length, notice });
  };
  const onBytes = (n: number) => {
    fetchedBytes += Math.max(0, n);
    meter.add(n);
    emit();
  };
  const storeShard = async (index: number, bytes: Uint8Array) => {
    const hash = await sha256Hex(bytes);
    try {
      await ctx.backend.putShard(id, index, bytes);
    } catch (e) {
      if (isQuotaError(e)) throw quotaExceeded(keptBytes(current), current.size - keptBytes(current));
      throw e;
    }
    if (current.pieces?.[index] !== undefined) await ctx.backend.deletePieces(id, [index]);
    await commit(recordShard(current, index, hash, ctx.now()));
    return hash;
  };
  const sink = {
    manifest: () => current,
    storeShard: async (index: number, bytes: Uint8Array) => void (await storeShard(index, bytes)),
    loadPiece: async (index: number) => {
      const kept = current.pieces?.[index];
      const blob = kept ? await ctx.backend.getPiece(id, index) : undefined;
      // A piece whose bytes are not all there (cleared by the browser) is fetched again whole.
      return blob && blob.size === kept ? shardToBytes(blob) : new Uint8Array(0);
    },
    savePiece: async (index: number, bytes: Uint8Array) => {
      await ctx.backend.putPiece(id, index, bytes);
      await commit(recordPiece(current, index, bytes.length, ctx.now()));
    },
  };

  try {
    if (missingBefore.length) {
      const ranged = await fetchRanged(ctx, url, sink, signal, onBytes);
      if (ranged.kind === 'range-unusable') {
        // Bytes a server sends for a range it did not honour are never stored as that range: stream the file instead.
        mode = 'stream';
        if (current.pieces && Object.keys(current.pieces).length) {
          await ctx.backend.deletePieces(id);
          await commit({ ...current, pieces: undefined });
        }
        const wanted = (i: number) => current.shards[i] === null;
        const streamed = await streamWithRetry(
          ctx,
          url,
          { size: current.size, shardSize: current.shardSize, wanted, onShard: (s, b) => sink.storeShard(s.index, b), onBytes },
          signal,
          ranged.whole,
        );
        if (streamed.allFresh) current = { ...current, fileSha256: streamed.sha256 };
      }
    }
    emit(true);

    phase = 'verifying';
    emit(true);
    let actual = current.fileSha256 ?? await storedFileSha256(ctx, current, signal);
    let repaired: DownloadOutcome['repairedShards'];
    if (current.sha256 && actual !== current.sha256) {
      phase = 'repairing';
      repaired = [];
      const outcome = await repairByRefetch(ctx, url, current, storeShard, signal, (span) => {
        repaired!.push({ index: span.index, start: span.start, end: span.end });
        emit(true, repairNotice(span));
      });
      mode = mode === 'none' ? outcome.mode : mode;
      actual = outcome.sha256;
      if (actual !== current.sha256) {
        const err = new StoreError(
          'checksum_mismatch',
          `The downloaded file does not match its published checksum (sha256 ${actual.slice(0, 12)}… instead of ${current.sha256.slice(0, 12)}…), even after fetching every differing shard again.`,
          'The server may be sending a different version of the file. Try again later, or download the model from another source.',
          { shards: repaired },
        );
        await writes;
        await commit(markError(current, serializeError(err), ctx.now()));
        throw err;
      }
    }
    current = { ...current, fileSha256: actual };
    // With a published checksum the bytes are the publisher's; without one, the engine's reader judges the file.
    let integrity: IntegrityCheck = current.sha256 ? 'checksum' : 'none';
    if (!current.sha256) {
      phase = 'checking';
      emit(true);
      try {
        integrity = await checkStoredStructure(ctx, current);
      } catch (e) {
        await writes;
        await commit(markError(current, serializeError(e), ctx.now()));
        throw e;
      }
    }
    await writes;
    await commit({ ...markReady(current, ctx.now(), actual, repaired), structureChecked: integrity === 'structure' });
    emit(true);
    return { modelId: id, state: 'ready', persisted, fetchedBytes, mode, repairedShards: repaired, integrity };
  } catch (e) {
    await writes.catch(() => undefined);
    if (current.state === 'error') throw e;
    if (isAbortError(e) || signal.aborted) {
      await commit(markPaused(current, ctx.now()));
      return { modelId: id, state: 'paused', persisted, fetchedBytes, mode };
    }
    const err = finalError(ctx, e, current, fetchedBytes > 0);
    ctx.lastErrors.set(id, serializeError(err));
    // With the disk full even this small write can fail; the manifest then still says 'downloading', shown as paused.
    await commit(markPaused(current, ctx.now(), serializeError(err))).catch(() => undefined);
    throw err;
  }
}

/**
 * The error to report, worded for what is stored now (only then is there something to resume). A host that sent
 * bytes in this download and then stopped answering is a dropped connection, not a blocked host.
 */
function finalError(ctx: StoreContext, e: unknown, m: ModelManifest, hostAnswered: boolean): StoreError {
  const kept = keptBytes(m);
  if (isQuotaError(e)) return quotaExceeded(kept, m.size - kept);
  const connection = !(e instanceof StoreError) || e.code === 'network' || e.code === 'host_unreachable';
  if (connection && !ctx.isOnline()) return offlineError('Finishing the download');
  if (e instanceof StoreError && e.code === 'host_unreachable' && hostAnswered) return interrupted(`${hostOf(m.url ?? '')} stopped answering`, kept);
  if (e instanceof StoreError && e.code === 'network') return interrupted(e.details.detail ?? e.message, kept);
  if (e instanceof StoreError) return e;
  return interrupted(e instanceof Error ? e.message : String(e), kept);
}
