/**
 * Models that travel as files: import (a .gguf from the device, a USB stick, another device) streamed into shards,
 * and export back to one file composed from the stored shards.
 */
import { TritError } from '../errors';
import { estimateMemoryBytes } from './catalogue';
import type { StoreContext } from './context';
import { checkSpace } from './download/download';
import { StoreError, type StoreErrorCode, isQuotaError, quotaExceeded } from './errors';
import { createFileHasher, sha256Hex } from './hash';
import { checkModelHeader } from './header-check';
import { type ModelManifest, createManifest, isComplete, markDownloading, markReady, recordShard } from './manifest';
import { ProgressMeter, Throttle } from './progress';
import { missingShards, shardSpan } from './shards';
import type { ExportedModel, ImportOptions } from './types';

/** Imports a file; resolves to the new model's id. Nothing of a refused or half-imported file is kept. */
export async function importFile(
  ctx: StoreContext,
  file: Blob & { name?: string },
  opts: ImportOptions,
  deleteModel: (id: string) => Promise<void>,
): Promise<string> {
  if (opts.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(opts.sha256.trim().toLowerCase())) {
    throw new TritError('bad_request', 'A sha256 checksum is 64 digits and letters a to f; this one is not.', 'Copy it again from the classroom computer, or leave the checksum empty.');
  }
  const size = file.size;
  const fileName = file.name || 'model.gguf';
  const shardSize = ctx.shardSize;
  // The engine's reader judges the header before anything is stored; a file cut short fails its tensor check here.
  const integrity = await checkModelHeader(ctx.inspect, async (n) => new Uint8Array(await file.slice(0, n).arrayBuffer()), size, { firstRead: shardSize });
  await checkSpace(ctx, size);
  const stem = fileName.replace(/\.gguf$/i, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'model';
  const id = `file-${stem}-${size.toString(36)}`;
  await deleteModel(id);

  let m: ModelManifest = markDownloading(
    createManifest({ id, name: opts.name ?? fileName, origin: 'import', fileName, size, shardSize, memoryBytes: estimateMemoryBytes(size) }, ctx.now()),
    ctx.now(),
  );
  await ctx.saveManifest(m);
  const meter = new ProgressMeter(size, 0, ctx.now);
  const throttle = new Throttle(ctx.progressIntervalMs, ctx.now);
  const hasher = await createFileHasher();
  const reader = file.stream().getReader();
  let index = 0;
  let buf = size > 0 ? new Uint8Array(shardSpan(0, size, shardSize).end) : undefined;
  let filled = 0;
  const storeShard = async (bytes: Uint8Array) => {
    // Written while hashed: IndexedDB works in the browser's own threads while this one hashes the same bytes.
    const stored = ctx.backend.putShard(id, index, bytes);
    stored.catch(() => undefined); // awaited below; this keeps a failure while hashing from also going unhandled
    hasher.update(bytes);
    const hash = await sha256Hex(bytes);
    try {
      await stored;
    } catch (e) {
      if (isQuotaError(e)) throw quotaExceeded(index * shardSize, size - index * shardSize);
      throw e;
    }
    m = recordShard(m, index, hash, ctx.now());
    await ctx.saveManifest(m);
    meter.add(bytes.length);
    if (opts.onProgress && throttle.ready()) {
      opts.onProgress({ ...meter.snapshot(), modelId: id, phase: 'importing', shardsDone: index + 1, shardCount: m.shards.length });
    }
    index++;
    if (index < m.shards.length) {
      const span = shardSpan(index, size, shardSize);
      buf = new Uint8Array(span.end - span.start);
      filled = 0;
    }
  };
  try {
    for (;;) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      const { done, value } = await reader.read();
      if (done) break;
      for (let pos = 0; pos < value.length; ) {
        const take = Math.min(value.length - pos, buf!.length - filled);
        buf!.set(value.subarray(pos, pos + take), filled);
        filled += take;
        pos += take;
        if (filled === buf!.length) await storeShard(buf!);
      }
    }
    if (!isComplete(m)) throw new StoreError('not_gguf', 'The file ended before its stated size.', 'Copy the file again; it may be incomplete.');
    const actual = hasher.hex();
    const expected = opts.sha256?.trim().toLowerCase();
    if (expected && actual !== expected) {
      throw new StoreError('checksum_mismatch', `This file does not match the checksum you gave (sha256 ${actual.slice(0, 12)}… instead of ${expected.slice(0, 12)}…).`,
        'Copy the file to the USB stick again (it may have been cut short or damaged), and check the checksum you typed.');
    }
    // A checksum given with the file makes it checked like a published one.
    m = expected ? { ...m, sha256: expected } : m;
    await ctx.saveManifest({ ...markReady(m, ctx.now(), actual), structureChecked: integrity === 'structure' });
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    // A half-imported file is of no use (the original is at hand to try again), so nothing of it is kept.
    await deleteModel(id).catch(() => undefined);
    throw e;
  }
  return id;
}

/** A stored model complete on this device, or a plain error saying what is missing. */
export async function requireComplete(ctx: StoreContext, id: string): Promise<ModelManifest> {
  let m = await ctx.backend.getManifest(id);
  if (!m) throw new StoreError('not_found', `Model "${id}" is not stored on this device.`, 'Download or import it first.');
  m = await ctx.reconciled(m);
  const missing = missingShards(m.shards);
  // Every byte is there but the file failed a check (the engine refused it, a checksum differs): say that.
  if (!missing.length && m.state === 'error' && m.error) {
    throw new StoreError(m.error.code as StoreErrorCode, m.error.message, m.error.hint);
  }
  if (missing.length || m.state !== 'ready') {
    const stored = m;
    const shards = missing.map((i) => shardSpan(i, stored.size, stored.shardSize));
    throw new StoreError(
      'incomplete',
      missing.length
        ? `"${m.name}" is missing ${missing.length} of ${m.shards.length} pieces (the browser may have cleared them to save space).`
        : `"${m.name}" has not finished downloading.`,
      m.url ? 'Tap Repair to fetch only the missing pieces (needs the internet).' : 'Add the file again to repair it.',
      { shards },
    );
  }
  return m;
}

export async function exportModel(ctx: StoreContext, id: string): Promise<ExportedModel> {
  const m = await requireComplete(ctx, id);
  const parts: Blob[] = [];
  for (let i = 0; i < m.shards.length; i++) {
    const blob = await ctx.backend.getShard(id, i);
    if (!blob) throw new StoreError('incomplete', `A piece of "${m.name}" vanished during export.`, 'Tap Repair, then export again.');
    parts.push(blob);
  }
  return { fileName: m.fileName, size: m.size, blob: new Blob(parts, { type: 'application/octet-stream' }) };
}
