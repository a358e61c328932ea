/** The model store's public shapes: what the UI and the engine worker see. */
import type { SerializedError } from '../errors';
import type { ModelFileCheck } from '../engine/protocol';
import type { StoreBackend } from './backend';
import type { CatalogueEntry, CatalogueSource } from './catalogue';
import type { LockManagerLike } from './locks';
import type { ManifestState } from './manifest';
import type { ProgressSnapshot } from './progress';

export type ModelState = 'available' | ManifestState;

/**
 * How far a stored model's bytes were checked. 'checksum': they match the sha256 the catalogue publishes.
 * 'structure': no checksum was published; the engine's reader checked the GGUF header and tensor table against the
 * file (and the store kept the file's own sha256, so a later check finds corruption). 'none': neither (a model
 * stored before these checks, or a store without the engine's reader).
 */
export type IntegrityCheck = 'checksum' | 'structure' | 'none';

/** Everything the UI shows about one model: catalogue facts merged with what is stored. */
export interface ModelView {
  id: string;
  name: string;
  description?: string;
  source: CatalogueSource | 'import';
  url?: string;
  fileName: string;
  /** Exact size once known (stored models always know it). */
  sizeBytes?: number;
  approxSizeBytes?: number;
  memoryBytes?: number;
  /** See CatalogueEntry: the context memoryBytes is for and the KV cache's bytes per token of it. */
  contextTokens?: number;
  kvBytesPerToken?: number;
  /** See CatalogueEntry: the same with the memory saving within the reference tolerance. */
  leanMemoryBytes?: number;
  leanKvBytesPerToken?: number;
  state: ModelState;
  /** Bytes kept on this device: whole shards plus the received start of unfinished ones. */
  storedBytes: number;
  shardCount: number;
  /** Shards not stored; for a 'partial' model, what a repair fetches. */
  missingShards: number[];
  /** A download of it runs now, in this or another tab. */
  downloading: boolean;
  /** Stopped by a closed tab or a broken connection (not by Pause): worth offering to resume. */
  interrupted: boolean;
  /** The engine has it loaded; it cannot be deleted until unloaded. */
  inUse: boolean;
  /** It has a link to fetch it from again (an imported file has none). */
  canRedownload: boolean;
  sha256?: string;
  /** The stored bytes hashed to the published sha256. */
  verified: boolean;
  integrity: IntegrityCheck;
  /** sha256 of the stored file, kept for later checks. */
  fileSha256?: string;
  repairedShards?: Array<{ index: number; start: number; end: number }>;
  error?: SerializedError;
}

export type ProgressPhase = 'downloading' | 'verifying' | 'repairing' | 'importing' | 'checking';

export interface StoreProgress extends ProgressSnapshot {
  modelId: string;
  phase: ProgressPhase;
  shardsDone: number;
  shardCount: number;
  /** One sentence worth showing, e.g. which shard failed its checksum and is being fetched again. */
  notice?: string;
}

export interface DownloadOptions {
  onProgress?: (p: StoreProgress) => void;
  /** The browser's answer to the request for persistent storage, whenever it comes (a prompt may wait for the
   * person); the download never waits for it. */
  onPersisted?: (persisted: boolean | undefined) => void;
}

export interface DownloadOutcome {
  modelId: string;
  /** 'ready', or 'paused' when pause() stopped it. */
  state: ManifestState;
  /** Whether the browser granted persistent storage, if it had answered by the end (undefined otherwise). */
  persisted: boolean | undefined;
  /** Bytes received from the network by this call (includes re-fetched shards). */
  fetchedBytes: number;
  /** 'ranged' with HTTP Range, 'stream' when the server ignores Range and the file is cut as it arrives. */
  mode: 'ranged' | 'stream' | 'none';
  repairedShards?: Array<{ index: number; start: number; end: number }>;
  integrity?: IntegrityCheck;
}

export interface VerifyResult {
  modelId: string;
  ok: boolean;
  missingShards: number[];
  /** Shards whose stored bytes no longer match the hash taken when they were written. */
  corruptShards: number[];
  sha256?: string;
  expectedSha256?: string;
  state: ManifestState;
  /** What the stored file was compared against: the published checksum, or its own sha256 kept at download. */
  against?: 'published' | 'kept';
}

export interface ImportOptions {
  name?: string;
  /** A sha256 the person was given with the file (typed from the classroom computer): the import must match it. */
  sha256?: string;
  onProgress?: (p: StoreProgress) => void;
  signal?: AbortSignal;
}

export interface ExportedModel {
  fileName: string;
  size: number;
  /** Composed from the stored shard blobs: no copy of the file is made in memory. */
  blob: Blob;
}

export interface OpenedModel {
  id: string;
  fileName: string;
  size: number;
  shardCount: number;
  /** Shards in file order, one in memory at a time (plus one read ahead), for the engine's loadChunk. */
  chunks(): AsyncGenerator<Uint8Array, void, undefined>;
  /** Milliseconds since open() was called: the caller reads it when the engine reports ready. */
  elapsedMs(): number;
  /** Milliseconds spent reading shards from IndexedDB, once chunks() has finished. */
  readMs: number | undefined;
}

export interface StorageEstimateLike {
  quota?: number;
  usage?: number;
}

/** The engine's GGUF reader, asked about the first bytes of a file of `fileSize` bytes. Rejects (with the engine's
 * typed error) when the header is malformed; answers { complete: false, needBytes } when it goes on further. */
export type HeaderInspector = (headerBytes: Uint8Array, fileSize: number) => Promise<ModelFileCheck>;

export interface StoreOptions {
  backend?: StoreBackend;
  fetch?: typeof fetch;
  now?: () => number;
  estimate?: () => Promise<StorageEstimateLike>;
  /** Asks the browser to keep the data (navigator.storage.persist); resolves to whether it agreed. */
  persist?: () => Promise<boolean | undefined>;
  persisted?: () => Promise<boolean | undefined>;
  isOnline?: () => boolean;
  locks?: LockManagerLike;
  catalogue?: readonly CatalogueEntry[];
  shardSize?: number;
  concurrency?: number;
  /** The engine's GGUF reader: a model is ready only when it reads the whole header and tensor table, every tensor
   * inside the file, and can run it. Without it the store checks the GGUF magic and version only. */
  inspect?: HeaderInspector;
  /** Base for relative catalogue URLs (the app's own origin in the browser). */
  baseUrl?: string;
  /** Retries of one shard after a network error: as many as entries, waiting from the first entry's milliseconds
   * up to the last's. */
  retryDelaysMs?: number[];
  progressIntervalMs?: number;
}

/** What a source publishes about a file at a link: the download is checked against it. */
export interface PublishedFacts {
  sha256?: string;
  sizeBytes?: number;
}

export interface ModelStore {
  list(): Promise<ModelView[]>;
  get(id: string): Promise<ModelView | undefined>;
  /** Checks the link first (reads its first bytes): a web page, a missing file or a non-GGUF file is refused. */
  addByUrl(url: string, name?: string, published?: PublishedFacts): Promise<ModelView>;
  /** Removes a user-added catalogue entry (and its stored data). */
  removeEntry(id: string): Promise<void>;
  /** Downloads what is missing (so it also resumes and repairs). Resolves when ready or paused. */
  download(id: string, opts?: DownloadOptions): Promise<DownloadOutcome>;
  pause(id: string): void;
  resume(id: string, opts?: DownloadOptions): Promise<DownloadOutcome>;
  /** Downloads a closed tab or a network cut interrupted (not those paused on purpose). */
  interruptedDownloads(): Promise<ModelView[]>;
  /** Resumes every download a closed tab or a network cut interrupted. */
  resumeInterrupted(opts?: DownloadOptions): Promise<DownloadOutcome[]>;
  import(file: Blob & { name?: string }, opts?: ImportOptions): Promise<ModelView>;
  export(id: string): Promise<ExportedModel>;
  verify(id: string, opts?: { onProgress?: (p: StoreProgress) => void }): Promise<VerifyResult>;
  delete(id: string): Promise<void>;
  open(id: string): Promise<OpenedModel>;
  /** Marks a model in use (loaded in the engine) until the returned function is called; delete refuses meanwhile. */
  hold(id: string): Promise<() => void>;
  requestPersistence(): Promise<boolean | undefined>;
  /** Called after any change to stored models, from this or another tab or worker. */
  subscribe(listener: (modelId: string) => void): () => void;
}
