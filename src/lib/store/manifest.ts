import type { SerializedError } from '../errors';
import { missingShards, shardCount } from './shards';

export type ManifestState = 'downloading' | 'paused' | 'partial' | 'ready' | 'error';

/** What the store records about one stored (or partly stored) model file. Lives in IndexedDB next to the shards. */
export interface ModelManifest {
  id: string;
  name: string;
  /** Where the bytes come from; absent for imported files, which cannot be re-fetched. */
  url?: string;
  origin: 'download' | 'import';
  fileName: string;
  size: number;
  shardSize: number;
  /** Expected sha256 of the whole file, from the catalogue. */
  sha256?: string;
  /** sha256 of the stored file, once computed (after a verified download, a streamed download, or an import). */
  fileSha256?: string;
  /** Per shard: sha256 (hex) of the bytes stored, or null while missing. */
  shards: Array<string | null>;
  /** Per unfinished shard: bytes of its start kept as a piece (see StoreBackend.putPiece). */
  pieces?: Record<number, number>;
  /** The engine's GGUF reader accepted the stored file's header and tensor table. */
  structureChecked?: boolean;
  state: ManifestState;
  /** Why the last attempt stopped, when it did not finish. */
  error?: SerializedError;
  /** Shards found corrupt by the last verification and fetched again, for the UI to report. */
  repairedShards?: Array<{ index: number; start: number; end: number }>;
  memoryBytes?: number;
  createdAt: number;
  updatedAt: number;
}

export type NewManifest = Pick<ModelManifest, 'id' | 'name' | 'url' | 'origin' | 'fileName' | 'size' | 'shardSize' | 'sha256' | 'memoryBytes'>;

export function createManifest(m: NewManifest, now: number): ModelManifest {
  return {
    ...m,
    shards: new Array<string | null>(shardCount(m.size, m.shardSize)).fill(null),
    state: 'paused',
    createdAt: now,
    updatedAt: now,
  };
}

/** Transitions return a new manifest; nothing mutates a manifest in place, so a failed write leaves the old one intact. */
function touch(m: ModelManifest, patch: Partial<ModelManifest>, now: number): ModelManifest {
  return { ...m, ...patch, updatedAt: now };
}

export function markDownloading(m: ModelManifest, now: number): ModelManifest {
  return touch(m, { state: 'downloading', error: undefined }, now);
}

export function recordShard(m: ModelManifest, index: number, hash: string, now: number): ModelManifest {
  if (index < 0 || index >= m.shards.length) throw new RangeError(`shard ${index} is outside 0..${m.shards.length - 1}`);
  const shards = m.shards.slice();
  shards[index] = hash;
  const { [index]: _done, ...pieces } = m.pieces ?? {};
  // A changed shard invalidates any whole-file hash computed before.
  return touch(m, { shards, pieces, fileSha256: m.shards[index] === hash ? m.fileSha256 : undefined }, now);
}

/** Records the received start of unfinished shard `index` (0 bytes forgets it). */
export function recordPiece(m: ModelManifest, index: number, bytes: number, now: number): ModelManifest {
  const { [index]: _old, ...pieces } = m.pieces ?? {};
  return touch(m, { pieces: bytes > 0 ? { ...pieces, [index]: bytes } : pieces }, now);
}

export function forgetShards(m: ModelManifest, indexes: Iterable<number>, now: number): ModelManifest {
  const shards = m.shards.slice();
  let changed = false;
  for (const i of indexes) {
    if (shards[i] !== null) {
      shards[i] = null;
      changed = true;
    }
  }
  if (!changed) return m;
  // A model that was complete and lost shards (eviction, a cleared key) is partial, so the UI offers repair.
  const state: ManifestState = m.state === 'ready' ? 'partial' : m.state;
  return touch(m, { shards, state, fileSha256: undefined }, now);
}

export function markPaused(m: ModelManifest, now: number, error?: SerializedError): ModelManifest {
  return touch(m, { state: isComplete(m) ? m.state : 'paused', error }, now);
}

export function markReady(m: ModelManifest, now: number, fileSha256: string | undefined, repairedShards?: ModelManifest['repairedShards']): ModelManifest {
  if (!isComplete(m)) throw new Error(`model ${m.id} cannot be ready with shards missing`);
  return touch(m, { state: 'ready', error: undefined, fileSha256: fileSha256 ?? m.fileSha256, repairedShards, pieces: undefined }, now);
}

export function markError(m: ModelManifest, error: SerializedError, now: number): ModelManifest {
  return touch(m, { state: 'error', error }, now);
}

export function isComplete(m: ModelManifest): boolean {
  return missingShards(m.shards).length === 0;
}

/**
 * Aligns a manifest with the shard keys really present in IndexedDB. Shards the manifest counts but the database
 * lost (browser eviction, a user clearing data) become missing. Keys present but not counted (a write that landed
 * just before the tab closed, before its manifest update) stay missing too: their hash is unknown, so they are
 * fetched again rather than trusted.
 */
export function reconcile(m: ModelManifest, present: ReadonlySet<number>, now: number): ModelManifest {
  const lost: number[] = [];
  m.shards.forEach((hash, i) => {
    if (hash !== null && !present.has(i)) lost.push(i);
  });
  return forgetShards(m, lost, now);
}

/**
 * The state to show for a manifest found on disk: 'downloading' with no live download anywhere means the tab
 * that ran it closed or crashed, so it is an interrupted (paused) download.
 */
export function effectiveState(m: ModelManifest, downloadLive: boolean): ManifestState {
  if (m.state === 'downloading' && !downloadLive) return 'paused';
  return m.state;
}

/** Failures that a resume may get past once the connection is back (not a full disk, a refusal or a bad file). */
const CONNECTION_CODES: ReadonlySet<string> = new Set(['network', 'offline', 'host_unreachable']);

/**
 * Stopped by a closed tab or a broken connection rather than by Pause: a download worth offering to resume when
 * the app starts online.
 */
export function wasInterrupted(m: ModelManifest, downloadLive: boolean): boolean {
  if (downloadLive || !m.url || isComplete(m)) return false;
  if (m.state === 'downloading') return true;
  return m.state === 'paused' && m.error !== undefined && CONNECTION_CODES.has(m.error.code);
}
