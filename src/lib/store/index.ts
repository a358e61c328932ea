/**
 * The model store: catalogue, resumable sharded downloads into IndexedDB, import/export, eviction checks, and
 * shard-by-shard loading. The same module runs in the page (downloads, UI) and in the engine worker (open/hold),
 * both over the same IndexedDB; Web Locks and a BroadcastChannel keep the two in step.
 */
export { createModelStore } from './store';
export type {
  DownloadOptions,
  DownloadOutcome,
  ExportedModel,
  HeaderInspector,
  ImportOptions,
  IntegrityCheck,
  ModelState,
  ModelStore,
  ModelView,
  OpenedModel,
  ProgressPhase,
  StoreOptions,
  StoreProgress,
  VerifyResult,
} from './types';
export { BUILTIN_CATALOGUE, estimateMemoryBytes, memoryNeeded, parseCatalogue, type CatalogueEntry, type CatalogueSource } from './catalogue';
export { StoreError, type StoreErrorCode, type StoreErrorDetails } from './errors';
export { sniffGguf, type GgufSniff } from './gguf-sniff';
export { IdbBackend, MemoryBackend, SHARD_DB, SHARD_STORE, MANIFEST_DB, MANIFEST_STORE, type StoreBackend } from './backend';
export { DEFAULT_SHARD_SIZE, DEFAULT_CONCURRENCY, shardKey } from './shards';
export type { ModelManifest, ManifestState } from './manifest';

import { createModelStore } from './store';
import type { ModelStore, StoreOptions } from './types';

let shared: ModelStore | undefined;

/** The store this context uses (one per page or worker); options apply on the first call only. */
export function getModelStore(options?: StoreOptions): ModelStore {
  shared ??= createModelStore(options);
  return shared;
}
