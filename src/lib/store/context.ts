/**
 * What every part of the store shares: the backend, the network, the clock, the settings resolved once, and the
 * one way to save a manifest (which also tells every tab and worker that the model changed).
 */
import type { SerializedError } from '../errors';
import { type StoreBackend, IdbBackend } from './backend';
import { BUILTIN_CATALOGUE, type CatalogueEntry } from './catalogue';
import { localNetworkFetch } from './classroom';
import { type LockManagerLike, defaultLocks } from './locks';
import { type ModelManifest, reconcile } from './manifest';
import { DEFAULT_CONCURRENCY, DEFAULT_SHARD_SIZE } from './shards';
import type { HeaderInspector, StorageEstimateLike, StoreOptions } from './types';

export interface StoreContext {
  backend: StoreBackend;
  fetch: typeof fetch;
  now: () => number;
  locks: LockManagerLike;
  catalogue: readonly CatalogueEntry[];
  shardSize: number;
  concurrency: number;
  retryDelaysMs: number[];
  progressIntervalMs: number;
  isOnline: () => boolean;
  estimate: () => Promise<StorageEstimateLike>;
  persist: () => Promise<boolean | undefined>;
  persisted: () => Promise<boolean | undefined>;
  inspect: HeaderInspector | undefined;
  baseUrl: string | undefined;
  /** The last failure per model, kept here too because with a full disk it cannot always be written to the manifest. */
  lastErrors: Map<string, SerializedError>;
  changed(id: string): void;
  saveManifest(m: ModelManifest): Promise<void>;
  /** Eviction check: aligns the manifest with the shard keys really present, saving it when something was lost. */
  reconciled(m: ModelManifest): Promise<ModelManifest>;
}

function storageManager(): StorageManager | undefined {
  return typeof navigator !== 'undefined' ? navigator.storage : undefined;
}

export function createContext(options: StoreOptions, changed: (id: string) => void): StoreContext {
  const backend = options.backend ?? new IdbBackend();
  const now = options.now ?? (() => Date.now());
  const ctx: StoreContext = {
    backend,
    // Requests to the room's network say so, as Local Network Access asks (a classroom share); others go as they are.
    fetch: options.fetch ?? localNetworkFetch,
    now,
    locks: options.locks ?? defaultLocks(),
    catalogue: options.catalogue ?? BUILTIN_CATALOGUE,
    shardSize: options.shardSize ?? DEFAULT_SHARD_SIZE,
    concurrency: Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY),
    retryDelaysMs: options.retryDelaysMs ?? [1000, 3000, 8000],
    progressIntervalMs: options.progressIntervalMs ?? 250,
    isOnline: options.isOnline ?? (() => (typeof navigator === 'undefined' ? true : navigator.onLine !== false)),
    estimate: options.estimate ?? (async () => (storageManager()?.estimate ? storageManager()!.estimate() : {})),
    persist: options.persist ?? (async () => (storageManager()?.persist ? storageManager()!.persist() : undefined)),
    persisted: options.persisted ?? (async () => (storageManager()?.persisted ? storageManager()!.persisted() : undefined)),
    inspect: options.inspect,
    baseUrl: options.baseUrl ?? (typeof location !== 'undefined' ? location.href : undefined),
    lastErrors: new Map(),
    changed,
    async saveManifest(m) {
      await backend.putManifest(m);
      changed(m.id);
    },
    async reconciled(m) {
      const next = reconcile(m, await backend.shardIndexes(m.id), now());
      if (next !== m) await ctx.saveManifest(next);
      return next;
    },
  };
  return ctx;
}
