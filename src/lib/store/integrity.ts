/**
 * Checking stored bytes and mending them: the whole file's sha256 streamed shard by shard, the engine's structural
 * check over the stored header, verify (which finds shards altered on disk) and repair (which finds the shard that
 * arrived wrong by fetching shards again).
 */
import { serializeError } from '../errors';
import { shardToBytes } from './backend';
import type { StoreContext } from './context';
import { describeSpan, fetchSpan } from './download/http';
import { streamPass } from './download/streamed';
import { StoreError } from './errors';
import { type PrefixReader, checkModelHeader } from './header-check';
import { createFileHasher, sha256Hex } from './hash';
import { type ModelManifest, forgetShards, markError, markReady, recordShard } from './manifest';
import { ProgressMeter, Throttle } from './progress';
import { type ShardSpan, missingShards, shardSpan } from './shards';
import type { IntegrityCheck, StoreProgress, VerifyResult } from './types';

export function spanOf(m: ModelManifest, index: number): ShardSpan {
  return shardSpan(index, m.size, m.shardSize);
}

/** Streams the stored shards through sha256 in file order, one shard in memory at a time; with `checkShards`, also
 * each shard against the sha256 recorded when it was stored. */
export async function hashStored(
  ctx: StoreContext,
  m: ModelManifest,
  signal?: AbortSignal,
  onShard?: (index: number, bytes: number) => void,
  checkShards = true,
): Promise<{ sha256: string; corruptShards: number[]; missing: number[] }> {
  const hasher = await createFileHasher();
  const corruptShards: number[] = [];
  const missing: number[] = [];
  for (let i = 0; i < m.shards.length; i++) {
    if (signal?.aborted) throw signal.reason;
    const blob = await ctx.backend.getShard(m.id, i);
    if (!blob) {
      missing.push(i);
      continue;
    }
    const bytes = await shardToBytes(blob);
    const span = spanOf(m, i);
    if (bytes.length !== span.end - span.start || (checkShards && (await sha256Hex(bytes)) !== m.shards[i])) corruptShards.push(i);
    hasher.update(bytes);
    onShard?.(i, bytes.length);
  }
  return { sha256: hasher.hex(), corruptShards, missing };
}

/** The stored file's sha256 alone: where only the whole file's digest is compared, hashing each shard a second time
 * (WebCrypto, about 2 s for 1.2 GB in Chromium here) finds nothing the digest would not. */
export async function storedFileSha256(ctx: StoreContext, m: ModelManifest, signal?: AbortSignal): Promise<string> {
  return (await hashStored(ctx, m, signal, undefined, false)).sha256;
}

/** The first bytes of a stored model, read from its shards. */
export function storedPrefix(ctx: StoreContext, m: ModelManifest): PrefixReader {
  return async (want) => {
    const out = new Uint8Array(Math.min(want, m.size));
    for (let i = 0, off = 0; off < out.length; i++) {
      const blob = await ctx.backend.getShard(m.id, i);
      if (!blob) throw new StoreError('incomplete', `A piece of "${m.name}" is missing.`, 'Tap Repair to fetch it again.');
      const bytes = await shardToBytes(blob);
      const take = Math.min(bytes.length, out.length - off);
      out.set(bytes.subarray(0, take), off);
      off += take;
    }
    return out;
  };
}

/** The engine's structural check of a stored file (see header-check.ts). */
export function checkStoredStructure(ctx: StoreContext, m: ModelManifest): Promise<IntegrityCheck> {
  return checkModelHeader(ctx.inspect, storedPrefix(ctx, m), m.size, { firstRead: m.shardSize });
}

/**
 * The whole file failed its checksum but each shard matches what was written: some shard arrived corrupt.
 * Without published per-shard hashes the bad one is found by fetching shards again in order and comparing;
 * each differing shard is replaced and the file re-hashed, stopping as soon as it matches.
 */
export async function repairByRefetch(
  ctx: StoreContext,
  url: string,
  m: ModelManifest,
  storeShard: (index: number, bytes: Uint8Array) => Promise<string>,
  signal: AbortSignal,
  onRepaired: (span: ShardSpan) => void,
): Promise<{ sha256: string; mode: 'ranged' | 'stream' }> {
  let latest = m;
  const store = async (index: number, bytes: Uint8Array) => {
    latest = recordShard(latest, index, await storeShard(index, bytes), ctx.now());
  };
  let sha = '';
  for (let i = 0; i < m.shards.length; i++) {
    const span = spanOf(m, i);
    const result = await fetchSpan(ctx, url, span, m.size, signal, () => undefined);
    if (result.kind === 'cut') throw result.error;
    if (result.kind === 'range-unusable') {
      // No usable Range: one full pass, replacing every shard that differs, then a final check.
      const onShard = async (s: ShardSpan, b: Uint8Array) => {
        if ((await sha256Hex(b)) === latest.shards[s.index]) return;
        await store(s.index, b);
        onRepaired(s);
      };
      await streamPass(ctx, url, { size: m.size, shardSize: m.shardSize, wanted: () => true, onShard, onBytes: () => undefined }, signal, result.whole);
      return { sha256: await storedFileSha256(ctx, latest, signal), mode: 'stream' };
    }
    if ((await sha256Hex(result.bytes)) === latest.shards[i]) continue;
    await store(i, result.bytes);
    onRepaired(span);
    sha = await storedFileSha256(ctx, latest, signal);
    if (sha === m.sha256) return { sha256: sha, mode: 'ranged' };
  }
  return { sha256: sha || await storedFileSha256(ctx, latest, signal), mode: 'ranged' };
}

export function repairNotice(span: ShardSpan): string {
  return `${describeSpan(span)} did not match the published checksum and was fetched again.`;
}

/** Re-reads every stored shard: finds shards altered or lost on disk, and a file that no longer matches its sha256
 * (the published one, or the one kept when it was stored). */
export async function verifyStored(ctx: StoreContext, id: string, onProgress?: (p: StoreProgress) => void): Promise<VerifyResult> {
  let m = await ctx.backend.getManifest(id);
  if (!m) throw new StoreError('not_found', `Model "${id}" is not stored.`, 'Download or import it first.');
  m = await ctx.reconciled(m);
  const missing = missingShards(m.shards);
  if (missing.length) {
    return { modelId: id, ok: false, missingShards: missing, corruptShards: [], expectedSha256: m.sha256, state: m.state };
  }
  const meter = new ProgressMeter(m.size, 0, ctx.now);
  const throttle = new Throttle(ctx.progressIntervalMs, ctx.now);
  const shardCount = m.shards.length;
  const result = await hashStored(ctx, m, undefined, (i, n) => {
    meter.add(n);
    if (onProgress && throttle.ready()) onProgress({ ...meter.snapshot(), modelId: id, phase: 'verifying', shardsDone: i + 1, shardCount });
  });
  const expected = m.sha256 ?? m.fileSha256;
  let next = m;
  if (result.corruptShards.length || result.missing.length) {
    next = forgetShards(m, [...result.corruptShards, ...result.missing], ctx.now());
  } else if (expected && result.sha256 !== expected) {
    // Every shard is as written, so the bytes arrived wrong: a repair must fetch again to find which.
    const err = new StoreError('checksum_mismatch', 'The stored file does not match its checksum.', m.url ? 'Tap Repair to fetch the differing parts again.' : 'Import the file again.');
    next = markError(m, serializeError(err), ctx.now());
  } else if (m.state === 'ready' || m.state === 'partial' || (m.state === 'error' && m.error?.code === 'checksum_mismatch')) {
    next = markReady(m, ctx.now(), result.sha256, m.repairedShards);
    // A model stored before the engine judged files (or without its reader) gets that check now.
    if (!m.sha256 && !m.structureChecked && ctx.inspect) {
      try {
        next = { ...next, structureChecked: (await checkStoredStructure(ctx, next)) === 'structure' };
      } catch (e) {
        next = markError(m, serializeError(e), ctx.now());
      }
    }
  }
  if (next !== m) await ctx.saveManifest(next);
  return {
    modelId: id,
    ok: next.state !== 'error' && result.corruptShards.length === 0 && result.missing.length === 0 && (!expected || result.sha256 === expected),
    missingShards: missingShards(next.shards),
    corruptShards: result.corruptShards,
    sha256: result.sha256,
    expectedSha256: expected,
    state: next.state,
    against: m.sha256 ? 'published' : m.fileSha256 ? 'kept' : undefined,
  };
}
