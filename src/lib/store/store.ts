import { serializeError, type SerializedError } from '../errors';
import { type StoreBackend, IdbBackend, shardToBytes } from './backend';
import {
  BUILTIN_CATALOGUE,
  type CatalogueEntry,
  type CatalogueSource,
  estimateMemoryBytes,
  fileNameFromUrl,
  memoryNeeded,
  userEntryFromUrl,
} from './catalogue';
import {
  StoreError,
  formatBytes,
  insufficientStorage,
  isAbortError,
  isQuotaError,
  networkError,
  offlineError,
  quotaExceeded,
} from './errors';
import { checkGgufHeader } from './gguf-check';
import { createFileHasher, sha256Hex } from './hash';
import { type LockManagerLike, defaultLocks, downloadLockName, inUseLockName } from './locks';
import {
  type ManifestState,
  type ModelManifest,
  createManifest,
  effectiveState,
  forgetShards,
  isComplete,
  markDownloading,
  markError,
  markPaused,
  markReady,
  recordShard,
  reconcile,
} from './manifest';
import { ProgressMeter, type ProgressSnapshot, Throttle } from './progress';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_SHARD_SIZE,
  type ShardSpan,
  missingShards,
  parseContentRange,
  rangeHeader,
  shardSpan,
  storedBytes,
} from './shards';

export type ModelState = 'available' | ManifestState;

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
  state: ModelState;
  storedBytes: number;
  shardCount: number;
  /** Shards not stored; for a 'partial' model, what a repair fetches. */
  missingShards: number[];
  /** A download of it runs now, in this or another tab. */
  downloading: boolean;
  /** The engine has it loaded; it cannot be deleted until unloaded. */
  inUse: boolean;
  sha256?: string;
  /** The stored bytes hashed to the published sha256. */
  verified: boolean;
  repairedShards?: Array<{ index: number; start: number; end: number }>;
  error?: SerializedError;
}

export type ProgressPhase = 'downloading' | 'verifying' | 'repairing' | 'importing';

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
}

export interface DownloadOutcome {
  modelId: string;
  /** 'ready', or 'paused' when pause() stopped it. */
  state: ManifestState;
  /** Whether the browser granted persistent storage (undefined where the API is missing). */
  persisted: boolean | undefined;
  /** Bytes received from the network by this call (includes re-fetched shards). */
  fetchedBytes: number;
  /** 'ranged' with HTTP Range, 'stream' when the server ignores Range and the file is cut as it arrives. */
  mode: 'ranged' | 'stream' | 'none';
  repairedShards?: Array<{ index: number; start: number; end: number }>;
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
}

export interface ImportOptions {
  name?: string;
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
  /** Deep validation of an imported file's header by the engine's GGUF reader; rejects when the engine cannot use it. */
  inspect?: (headerBytes: Uint8Array) => Promise<unknown>;
  /** Base for relative catalogue URLs (the app's own origin in the browser). */
  baseUrl?: string;
  /** Waits between attempts at one shard after a network error. */
  retryDelaysMs?: number[];
  progressIntervalMs?: number;
}

export interface ModelStore {
  list(): Promise<ModelView[]>;
  get(id: string): Promise<ModelView | undefined>;
  addByUrl(url: string, name?: string): Promise<ModelView>;
  /** Removes a user-added catalogue entry (and its stored data). */
  removeEntry(id: string): Promise<void>;
  /** Downloads what is missing (so it also resumes and repairs). Resolves when ready or paused. */
  download(id: string, opts?: DownloadOptions): Promise<DownloadOutcome>;
  pause(id: string): void;
  resume(id: string, opts?: DownloadOptions): Promise<DownloadOutcome>;
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

const CHANGE_CHANNEL = 'trit-model-store';

/** Thrown inside the ranged downloader when the server answers 200 to a Range request. Carries that response: it is
 * the whole file from byte 0, so it becomes the single stream instead of being thrown away. */
class RangeIgnored extends Error {
  constructor(readonly response: Response) {
    super('the server ignores Range');
  }
}

/** Failures worth another attempt at the same shard: the network, the server's bad moment, a corrupt transfer. */
class RetryableError extends Error {
  constructor(
    message: string,
    readonly storeError: StoreError,
  ) {
    super(message);
  }
}

function storageManager(): StorageManager | undefined {
  return typeof navigator !== 'undefined' ? navigator.storage : undefined;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function httpError(status: number, url: string): StoreError {
  if (status === 404 || status === 410) {
    return new StoreError('http', `The model file is no longer at ${url} (HTTP ${status}).`, 'Check the link, or choose another model.', {
      httpStatus: status,
    });
  }
  if (status === 401 || status === 403) {
    return new StoreError('http', `The server refused the download (HTTP ${status}).`, 'The link may need a login or may have expired; use a public link.', {
      httpStatus: status,
    });
  }
  return new StoreError('http', `The server answered HTTP ${status}.`, 'Try again later; stored pieces are kept.', { httpStatus: status });
}

function spanOf(m: ModelManifest, index: number): ShardSpan {
  return shardSpan(index, m.size, m.shardSize);
}

function describeSpan(s: ShardSpan): string {
  return `shard ${s.index} (bytes ${s.start}–${s.end - 1})`;
}

export function createModelStore(options: StoreOptions = {}): ModelStore {
  const backend = options.backend ?? new IdbBackend();
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = options.now ?? (() => Date.now());
  const locks = options.locks ?? defaultLocks();
  const catalogue = options.catalogue ?? BUILTIN_CATALOGUE;
  const shardSizeDefault = options.shardSize ?? DEFAULT_SHARD_SIZE;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const retryDelays = options.retryDelaysMs ?? [1000, 3000, 8000];
  const progressInterval = options.progressIntervalMs ?? 250;
  const isOnline = options.isOnline ?? (() => (typeof navigator === 'undefined' ? true : navigator.onLine !== false));
  const estimate =
    options.estimate ?? (async (): Promise<StorageEstimateLike> => (storageManager()?.estimate ? storageManager()!.estimate() : {}));
  const persist = options.persist ?? (async () => (storageManager()?.persist ? storageManager()!.persist() : undefined));
  const persisted = options.persisted ?? (async () => (storageManager()?.persisted ? storageManager()!.persisted() : undefined));
  const baseUrl = options.baseUrl ?? (typeof location !== 'undefined' ? location.href : undefined);

  const active = new Map<string, { controller: AbortController; done: Promise<DownloadOutcome> }>();
  const listeners = new Set<(id: string) => void>();
  // The last failure per model, kept here too because with a full disk it cannot always be written to the manifest.
  const lastErrors = new Map<string, SerializedError>();
  const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(CHANGE_CHANNEL) : undefined;
  channel?.addEventListener('message', (ev: MessageEvent) => {
    if (typeof ev.data?.modelId === 'string') for (const l of listeners) l(ev.data.modelId);
  });

  function changed(id: string) {
    for (const l of listeners) l(id);
    channel?.postMessage({ modelId: id });
  }

  async function saveManifest(m: ModelManifest) {
    await backend.putManifest(m);
    changed(m.id);
  }

  function resolveUrl(url: string): string {
    return baseUrl ? new URL(url, baseUrl).href : url;
  }

  async function allEntries(): Promise<CatalogueEntry[]> {
    return [...catalogue, ...(await backend.getUserEntries())];
  }

  async function findEntry(id: string): Promise<CatalogueEntry | undefined> {
    return (await allEntries()).find((e) => e.id === id);
  }

  /** Eviction check: aligns the manifest with the shard keys really present, and saves it when something was lost. */
  async function reconciled(m: ModelManifest): Promise<ModelManifest> {
    const present = await backend.shardIndexes(m.id);
    const next = reconcile(m, present, now());
    if (next !== m) await saveManifest(next);
    return next;
  }

  function view(entry: CatalogueEntry | undefined, m: ModelManifest | undefined, held: Set<string>): ModelView {
    const id = (entry?.id ?? m?.id)!;
    const downloading = active.has(id) || held.has(downloadLockName(id));
    const size = m?.size ?? entry?.sizeBytes;
    return {
      id,
      name: entry?.name ?? m!.name,
      description: entry?.description,
      source: entry?.source ?? 'import',
      url: entry?.url ?? m?.url,
      fileName: entry?.fileName ?? m!.fileName,
      sizeBytes: size,
      approxSizeBytes: entry?.approxSizeBytes,
      memoryBytes: m?.memoryBytes ?? (entry ? memoryNeeded(entry, size) : undefined),
      state: m ? effectiveState(m, downloading) : 'available',
      storedBytes: m ? storedBytes(m.shards, m.size, m.shardSize) : 0,
      shardCount: m?.shards.length ?? 0,
      missingShards: m ? missingShards(m.shards) : [],
      downloading,
      inUse: held.has(inUseLockName(id)),
      sha256: m?.sha256 ?? entry?.sha256,
      verified: !!(m && m.state === 'ready' && m.sha256 && m.fileSha256 === m.sha256),
      repairedShards: m?.repairedShards,
      error: m?.error ?? (m && m.state !== 'ready' ? lastErrors.get(id) : undefined),
    };
  }

  async function list(): Promise<ModelView[]> {
    const [entries, manifests, held] = await Promise.all([allEntries(), backend.listManifests(), locks.heldNames()]);
    const byId = new Map<string, ModelManifest>();
    // A live download here owns its manifest; reconciling it mid-write could save a stale copy.
    for (const m of manifests) byId.set(m.id, active.has(m.id) ? m : await reconciled(m));
    const views = entries.map((e) => view(e, byId.get(e.id), held));
    for (const m of byId.values()) if (!entries.some((e) => e.id === m.id)) views.push(view(undefined, m, held));
    return views;
  }

  async function get(id: string): Promise<ModelView | undefined> {
    return (await list()).find((v) => v.id === id);
  }

  async function addByUrl(url: string, name?: string): Promise<ModelView> {
    const entry = userEntryFromUrl(url, name);
    const users = await backend.getUserEntries();
    if (!catalogue.some((e) => e.id === entry.id) && !users.some((e) => e.id === entry.id)) {
      await backend.putUserEntries([...users, entry]);
      changed(entry.id);
    }
    return (await get(entry.id))!;
  }

  async function removeEntry(id: string) {
    await deleteModel(id);
    const users = await backend.getUserEntries();
    await backend.putUserEntries(users.filter((e) => e.id !== id));
    changed(id);
  }

  /** The file size from the server, without fetching the body (HEAD, or a one-byte range as a fallback). */
  async function probeSize(url: string, signal: AbortSignal): Promise<number> {
    try {
      const head = await fetchImpl(url, { method: 'HEAD', signal, cache: 'no-store' });
      const len = Number(head.headers.get('Content-Length'));
      if (head.ok && Number.isSafeInteger(len) && len > 0) return len;
      if (!head.ok && head.status !== 405 && head.status !== 501) throw httpError(head.status, url);
    } catch (e) {
      if (e instanceof StoreError || isAbortError(e)) throw e;
      throw networkError(`could not reach ${new URL(url).host}`);
    }
    const res = await fetchImpl(url, { headers: { Range: 'bytes=0-0' }, signal, cache: 'no-store' });
    await res.body?.cancel();
    const total = res.status === 206 ? parseContentRange(res.headers.get('Content-Range'))?.total : Number(res.headers.get('Content-Length'));
    if (!res.ok) throw httpError(res.status, url);
    if (!total || !Number.isSafeInteger(total)) {
      throw new StoreError('size_unknown', 'The server does not say how big the model file is.', 'Use a link from a server that sends the file size (Hugging Face does).');
    }
    return total;
  }

  async function checkSpace(neededBytes: number) {
    if (neededBytes <= 0) return;
    let est: StorageEstimateLike;
    try {
      est = await estimate();
    } catch {
      return; // No estimate (old browsers): the QuotaExceededError path still stops cleanly.
    }
    if (est.quota === undefined) return;
    const free = Math.max(0, est.quota - (est.usage ?? 0));
    if (neededBytes > free) throw insufficientStorage(neededBytes, free);
  }

  async function requestPersistence(): Promise<boolean | undefined> {
    try {
      if (await persisted()) return true;
      return await persist();
    } catch {
      return undefined;
    }
  }

  function download(id: string, opts: DownloadOptions = {}): Promise<DownloadOutcome> {
    const running = active.get(id);
    if (running) return running.done;
    if (!isOnline()) return Promise.reject(offlineError('Downloading a model'));
    const controller = new AbortController();
    const done = (async () => {
      const result = await locks.tryExclusive(downloadLockName(id), () => runDownload(id, controller.signal, opts));
      if (!result.acquired) {
        throw new StoreError('busy', 'This model is already downloading in another tab or window.', 'Follow its progress there, or close that tab and tap Resume here.');
      }
      return result.value;
    })().finally(() => active.delete(id));
    active.set(id, { controller, done });
    return done;
  }

  async function runDownload(id: string, signal: AbortSignal, opts: DownloadOptions): Promise<DownloadOutcome> {
    let manifest = await backend.getManifest(id);
    const entry = await findEntry(id);
    const url = manifest?.url ?? (entry ? resolveUrl(entry.url) : undefined);
    if (!url) {
      if (manifest) {
        throw new StoreError('not_found', `"${manifest.name}" was imported from a file, so it cannot be downloaded again.`, 'Import the same .gguf file again to repair it.');
      }
      throw new StoreError('not_found', `No model "${id}" in the catalogue.`, 'Add it by its download link first.');
    }
    if (!manifest) {
      const size = entry?.sizeBytes ?? (await probeSize(url, signal));
      manifest = createManifest(
        {
          id,
          name: entry?.name ?? fileNameFromUrl(url),
          url,
          origin: 'download',
          fileName: entry?.fileName ?? fileNameFromUrl(url),
          size,
          shardSize: shardSizeDefault,
          sha256: entry?.sha256,
          memoryBytes: entry ? memoryNeeded(entry, size) : undefined,
        },
        now(),
      );
    } else {
      manifest = await reconciled(manifest);
    }

    const missingBefore = missingShards(manifest.shards);
    const remaining = manifest.size - storedBytes(manifest.shards, manifest.size, manifest.shardSize);
    // Refuse before a single byte is fetched, and before a brand-new model leaves an empty entry behind.
    await checkSpace(remaining);
    const persistedResult = missingBefore.length > 0 ? await requestPersistence() : undefined;

    lastErrors.delete(id);
    let current = markDownloading(manifest, now());
    let writes = Promise.resolve();
    const commit = (next: ModelManifest) => {
      current = next;
      const snapshot = next;
      // One failed write (a full disk) must not block the writes after it, such as the final 'paused'.
      writes = writes.catch(() => undefined).then(() => saveManifest(snapshot));
      return writes;
    };
    await commit(current);

    const meter = new ProgressMeter(current.size, current.size - remaining, now);
    const throttle = new Throttle(progressInterval, now);
    let phase: ProgressPhase = 'downloading';
    let fetchedBytes = 0;
    let mode: DownloadOutcome['mode'] = missingBefore.length ? 'ranged' : 'none';
    const emit = (force = false, notice?: string) => {
      if (!opts.onProgress || (!force && !throttle.ready())) return;
      opts.onProgress({
        ...meter.snapshot(),
        modelId: id,
        phase,
        shardsDone: current.shards.length - missingShards(current.shards).length,
        shardCount: current.shards.length,
        notice,
      });
    };
    const onBytes = (n: number) => {
      fetchedBytes += Math.max(0, n);
      meter.add(n);
      emit();
    };

    const storeShard = async (index: number, bytes: Uint8Array) => {
      const hash = await sha256Hex(bytes);
      try {
        await backend.putShard(id, index, bytes);
      } catch (e) {
        if (isQuotaError(e)) {
          const stored = storedBytes(current.shards, current.size, current.shardSize);
          throw quotaExceeded(stored, current.size - stored);
        }
        throw e;
      }
      await commit(recordShard(current, index, hash, now()));
      return hash;
    };

    try {
      if (missingBefore.length) {
        const streamed = await fetchMissing(url, () => current, storeShard, signal, onBytes);
        mode = streamed.mode;
        if (streamed.fileSha256) current = { ...current, fileSha256: streamed.fileSha256 };
      }
      emit(true);

      let repaired: DownloadOutcome['repairedShards'];
      if (current.sha256) {
        phase = 'verifying';
        let actual = current.fileSha256 ?? (await hashStored(current, signal)).sha256;
        if (actual !== current.sha256) {
          phase = 'repairing';
          repaired = [];
          const outcome = await repairByRefetch(url, current, storeShard, signal, (span) => {
            repaired!.push({ index: span.index, start: span.start, end: span.end });
            emit(true, `${describeSpan(span)} did not match the published checksum and was fetched again.`);
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
            await commit(markError(current, serializeError(err), now()));
            throw err;
          }
        }
        current = { ...current, fileSha256: actual };
      }
      await writes;
      await commit(markReady(current, now(), current.fileSha256, repaired));
      emit(true);
      return { modelId: id, state: 'ready', persisted: persistedResult, fetchedBytes, mode, repairedShards: repaired };
    } catch (e) {
      await writes.catch(() => undefined);
      if (isAbortError(e) || signal.aborted) {
        await commit(markPaused(current, now()));
        return { modelId: id, state: 'paused', persisted: persistedResult, fetchedBytes, mode };
      }
      const stored = storedBytes(current.shards, current.size, current.shardSize);
      const err =
        e instanceof StoreError
          ? e
          : e instanceof RetryableError
            ? e.storeError
            : isQuotaError(e)
              ? quotaExceeded(stored, current.size - stored)
              : networkError(e instanceof Error ? e.message : String(e));
      lastErrors.set(id, serializeError(err));
      // With the disk full even this small write can fail; the manifest then still says 'downloading', shown as paused.
      if (current.state !== 'error') await commit(markPaused(current, now(), serializeError(err))).catch(() => undefined);
      throw err;
    }
  }

  /** Reads one shard's bytes from a ranged response; the body is checked against the requested span. */
  async function readBody(res: Response, span: ShardSpan, onBytes: (n: number) => void): Promise<Uint8Array> {
    const expected = span.end - span.start;
    const buf = new Uint8Array(expected);
    let off = 0;
    const reader = res.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (off + value.length > expected) {
          throw new StoreError('range_mismatch', `The server sent more bytes than asked for ${describeSpan(span)}.`, 'The server mishandles partial downloads; try again later or use another source.');
        }
        buf.set(value, off);
        off += value.length;
        onBytes(value.length);
      }
    } catch (e) {
      onBytes(-off);
      if (e instanceof StoreError || isAbortError(e)) throw e;
      throw new RetryableError(String(e), networkError(`the connection dropped during ${describeSpan(span)}`));
    }
    if (off !== expected) {
      onBytes(-off);
      throw new RetryableError('short body', networkError(`the connection dropped during ${describeSpan(span)}`));
    }
    return buf;
  }

  async function fetchRanged(url: string, span: ShardSpan, size: number, signal: AbortSignal, onBytes: (n: number) => void): Promise<Uint8Array> {
    let res: Response;
    try {
      res = await fetchImpl(url, { headers: { Range: rangeHeader(span) }, signal, cache: 'no-store' });
    } catch (e) {
      if (isAbortError(e)) throw e;
      throw new RetryableError(String(e), networkError(`could not reach the server for ${describeSpan(span)}`));
    }
    if (res.status === 200) throw new RangeIgnored(res);
    if (res.status !== 206) {
      await res.body?.cancel();
      const err = httpError(res.status, url);
      if (res.status >= 500 || res.status === 429) throw new RetryableError(`HTTP ${res.status}`, err);
      throw err;
    }
    // Cross-origin servers may not expose Content-Range; when they do, it must be exactly the span asked for.
    const cr = parseContentRange(res.headers.get('Content-Range'));
    if (cr && (cr.start !== span.start || cr.end !== span.end || (cr.total !== undefined && cr.total !== size))) {
      await res.body?.cancel();
      throw new StoreError(
        'range_mismatch',
        cr.total !== undefined && cr.total !== size
          ? `The file on the server changed size (${formatBytes(cr.total)} now, ${formatBytes(size)} before).`
          : `The server sent bytes ${cr.start}–${cr.end - 1} when asked for ${describeSpan(span)}.`,
        'Delete the partial download and start it again.',
      );
    }
    return readBody(res, span, onBytes);
  }

  /**
   * Fetches every missing shard. Ranged: the first missing shard alone (which also tells whether the server honours
   * Range), then the rest `concurrency` at a time, each stored the moment it arrives. A server that ignores Range
   * gets one stream for the whole file, cut into shards as it arrives; shards already stored are skipped over.
   */
  async function fetchMissing(
    url: string,
    manifest: () => ModelManifest,
    storeShard: (index: number, bytes: Uint8Array) => Promise<string>,
    signal: AbortSignal,
    onBytes: (n: number) => void,
  ): Promise<{ mode: 'ranged' | 'stream'; fileSha256?: string }> {
    const queue = missingShards(manifest().shards);
    const internal = new AbortController();
    const onOuterAbort = () => internal.abort(signal.reason);
    signal.addEventListener('abort', onOuterAbort, { once: true });
    let rangeIgnored = false;
    let openStream: Response | undefined;

    const fetchOne = async (index: number) => {
      const span = spanOf(manifest(), index);
      for (let attempt = 0; ; attempt++) {
        try {
          const bytes = await fetchRanged(url, span, manifest().size, internal.signal, onBytes);
          await storeShard(index, bytes);
          return;
        } catch (e) {
          if (!(e instanceof RetryableError) || attempt >= retryDelays.length) throw e;
          if (!isOnline()) throw offlineError('Finishing the download');
          await abortableSleep(retryDelays[attempt], internal.signal);
        }
      }
    };

    try {
      const first = queue.shift()!;
      try {
        await fetchOne(first);
      } catch (e) {
        if (!(e instanceof RangeIgnored)) throw e;
        rangeIgnored = true;
        openStream = e.response;
      }
      if (!rangeIgnored) {
        let firstError: unknown;
        const worker = async () => {
          while (queue.length && !internal.signal.aborted) await fetchOne(queue.shift()!);
        };
        // Settle every worker before returning, so no shard write lands after the download reports its outcome.
        await Promise.allSettled(
          Array.from({ length: Math.min(concurrency, queue.length) }, () =>
            worker().catch((e) => {
              if (e instanceof RangeIgnored) {
                rangeIgnored = true;
                void e.response.body?.cancel();
              } else if (firstError === undefined && !(isAbortError(e) && !signal.aborted && internal.signal.aborted)) firstError = e;
              internal.abort(e);
            }),
          ),
        );
        if (!rangeIgnored && firstError !== undefined) throw firstError;
        if (!rangeIgnored && signal.aborted) throw signal.reason;
      }
    } finally {
      signal.removeEventListener('abort', onOuterAbort);
    }
    if (!rangeIgnored) return { mode: 'ranged' };
    if (signal.aborted) {
      void openStream?.body?.cancel();
      throw signal.reason;
    }

    for (let attempt = 0; ; attempt++) {
      try {
        const existing = openStream;
        openStream = undefined;
        const sha = await streamPass(url, manifest().size, manifest().shardSize, signal, async (span, bytes) => {
          if (manifest().shards[span.index] === null) await storeShard(span.index, bytes);
        }, (index) => manifest().shards[index] === null, onBytes, existing);
        return { mode: 'stream', fileSha256: sha.allFresh ? sha.sha256 : undefined };
      } catch (e) {
        if (!(e instanceof RetryableError) || attempt >= retryDelays.length) throw e;
        if (!isOnline()) throw offlineError('Finishing the download');
        await abortableSleep(retryDelays[attempt], signal);
      }
    }
  }

  /**
   * One plain GET of the whole file, cut into shards as it arrives (for servers without Range). Shards the caller
   * does not want are hashed into the file hash and dropped, so memory stays at one shard.
   */
  async function streamPass(
    url: string,
    size: number,
    shardSize: number,
    signal: AbortSignal,
    onShard: (span: ShardSpan, bytes: Uint8Array) => Promise<void>,
    wanted: (index: number) => boolean,
    onBytes: (n: number) => void,
    existing?: Response,
  ): Promise<{ sha256: string; allFresh: boolean }> {
    let res: Response;
    try {
      res = existing ?? (await fetchImpl(url, { signal, cache: 'no-store' }));
    } catch (e) {
      if (isAbortError(e)) throw e;
      throw new RetryableError(String(e), networkError('could not reach the server'));
    }
    if (!res.ok) {
      await res.body?.cancel();
      const err = httpError(res.status, url);
      if (res.status >= 500 || res.status === 429) throw new RetryableError(`HTTP ${res.status}`, err);
      throw err;
    }
    const length = Number(res.headers.get('Content-Length'));
    if (res.headers.get('Content-Length') !== null && length !== size) {
      await res.body?.cancel();
      throw new StoreError('range_mismatch', `The file on the server changed size (${formatBytes(length)} now, ${formatBytes(size)} before).`, 'Delete the partial download and start it again.');
    }
    const hasher = createFileHasher();
    let allFresh = true;
    let offset = 0;
    let span = shardSpan(0, size, shardSize);
    let keep = wanted(0);
    let buf: Uint8Array | undefined = keep ? new Uint8Array(span.end - span.start) : undefined;
    let countedInShard = 0;
    const reader = res.body!.getReader();
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
      if (e instanceof StoreError || isAbortError(e)) throw e;
      throw new RetryableError(String(e), networkError(`the connection dropped at ${formatBytes(offset)} of ${formatBytes(size)}`));
    }
    if (offset !== size) {
      onBytes(-countedInShard);
      throw new RetryableError('short body', networkError(`the connection dropped at ${formatBytes(offset)} of ${formatBytes(size)}`));
    }
    return { sha256: hasher.hex(), allFresh };
  }

  /** Streams the stored shards through sha256 in file order, one shard in memory at a time. */
  async function hashStored(
    m: ModelManifest,
    signal?: AbortSignal,
    onShard?: (index: number, bytes: number) => void,
  ): Promise<{ sha256: string; corruptShards: number[]; missing: number[] }> {
    const hasher = createFileHasher();
    const corruptShards: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < m.shards.length; i++) {
      if (signal?.aborted) throw signal.reason;
      const blob = await backend.getShard(m.id, i);
      if (!blob) {
        missing.push(i);
        continue;
      }
      const bytes = await shardToBytes(blob);
      const span = spanOf(m, i);
      if (bytes.length !== span.end - span.start || (await sha256Hex(bytes)) !== m.shards[i]) corruptShards.push(i);
      hasher.update(bytes);
      onShard?.(i, bytes.length);
    }
    return { sha256: hasher.hex(), corruptShards, missing };
  }

  /**
   * The whole file failed its checksum but each shard matches what was written: some shard arrived corrupt.
   * Without published per-shard hashes the bad one is found by fetching shards again in order and comparing;
   * each differing shard is replaced and the file re-hashed, stopping as soon as it matches.
   */
  async function repairByRefetch(
    url: string,
    m: ModelManifest,
    storeShard: (index: number, bytes: Uint8Array) => Promise<string>,
    signal: AbortSignal,
    onRepaired: (span: ShardSpan) => void,
  ): Promise<{ sha256: string; mode: 'ranged' | 'stream' }> {
    const expected = m.sha256!;
    let latest = m;
    const store = async (index: number, bytes: Uint8Array) => {
      const hash = await storeShard(index, bytes);
      latest = recordShard(latest, index, hash, now());
      return hash;
    };
    let sha = '';
    for (let i = 0; i < m.shards.length; i++) {
      const span = spanOf(m, i);
      let bytes: Uint8Array;
      try {
        bytes = await fetchRanged(url, span, m.size, signal, () => undefined);
      } catch (e) {
        if (!(e instanceof RangeIgnored)) throw e instanceof RetryableError ? e.storeError : e;
        // No Range: one full pass, replacing every shard that differs, then a final check.
        await streamPass(url, m.size, m.shardSize, signal, async (s, b) => {
          if ((await sha256Hex(b)) !== latest.shards[s.index]) {
            await store(s.index, b);
            onRepaired(s);
          }
        }, () => true, () => undefined, e.response);
        return { sha256: (await hashStored(latest, signal)).sha256, mode: 'stream' };
      }
      if ((await sha256Hex(bytes)) === latest.shards[i]) continue;
      await store(i, bytes);
      onRepaired(span);
      sha = (await hashStored(latest, signal)).sha256;
      if (sha === expected) return { sha256: sha, mode: 'ranged' };
    }
    return { sha256: sha || (await hashStored(latest, signal)).sha256, mode: 'ranged' };
  }

  function pause(id: string) {
    active.get(id)?.controller.abort(new DOMException('Download paused', 'AbortError'));
  }

  async function resumeInterrupted(opts?: DownloadOptions): Promise<DownloadOutcome[]> {
    const views = await list();
    const interrupted = views.filter(
      (v) => !v.downloading && v.state === 'paused' && v.url && (v.error === undefined || v.error.code === 'network' || v.error.code === 'offline'),
    );
    const results = await Promise.allSettled(interrupted.map((v) => download(v.id, opts)));
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  async function verify(id: string, opts: { onProgress?: (p: StoreProgress) => void } = {}): Promise<VerifyResult> {
    let m = await backend.getManifest(id);
    if (!m) throw new StoreError('not_found', `Model "${id}" is not stored.`, 'Download or import it first.');
    m = await reconciled(m);
    const missing = missingShards(m.shards);
    if (missing.length) {
      return { modelId: id, ok: false, missingShards: missing, corruptShards: [], expectedSha256: m.sha256, state: m.state };
    }
    const meter = new ProgressMeter(m.size, 0, now);
    const throttle = new Throttle(progressInterval, now);
    const result = await hashStored(m, undefined, (i, n) => {
      meter.add(n);
      if (opts.onProgress && throttle.ready()) {
        opts.onProgress({ ...meter.snapshot(), modelId: id, phase: 'verifying', shardsDone: i + 1, shardCount: m!.shards.length });
      }
    });
    const expected = m.sha256 ?? m.fileSha256;
    let next = m;
    if (result.corruptShards.length || result.missing.length) {
      next = forgetShards(m, [...result.corruptShards, ...result.missing], now());
    } else if (expected && result.sha256 !== expected) {
      // Every shard is as written, so the bytes arrived wrong: a repair must fetch again to find which.
      const err = new StoreError('checksum_mismatch', 'The stored file does not match its checksum.', 'Tap Repair to fetch the differing parts again.');
      next = markError(m, serializeError(err), now());
    } else if (m.state === 'ready' || m.state === 'partial' || m.state === 'error') {
      next = markReady(m, now(), result.sha256, m.repairedShards);
    }
    if (next !== m) await saveManifest(next);
    return {
      modelId: id,
      ok: result.corruptShards.length === 0 && result.missing.length === 0 && (!expected || result.sha256 === expected),
      missingShards: missingShards(next.shards),
      corruptShards: result.corruptShards,
      sha256: result.sha256,
      expectedSha256: expected,
      state: next.state,
    };
  }

  async function importFile(file: Blob & { name?: string }, opts: ImportOptions = {}): Promise<ModelView> {
    const size = file.size;
    const fileName = file.name || 'model.gguf';
    const shardSize = shardSizeDefault;
    // The first shard holds the whole GGUF header for every BitNet model (the 2B-4T header with its tokenizer is ~8 MB).
    const head = new Uint8Array(await file.slice(0, Math.min(size, shardSize)).arrayBuffer());
    checkGgufHeader(head);
    if (options.inspect) {
      try {
        await options.inspect(head);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new StoreError('not_gguf', `Trit cannot use this model file: ${why}`, (e as { hint?: string }).hint ?? 'Choose a BitNet b1.58 .gguf file (I2_S), such as ggml-model-i2_s.gguf.');
      }
    }
    await checkSpace(size);
    const stem = fileName.replace(/\.gguf$/i, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'model';
    const id = `file-${stem}-${size.toString(36)}`;
    await deleteModel(id);

    let m = markDownloading(
      createManifest({ id, name: opts.name ?? fileName, origin: 'import', fileName, size, shardSize, memoryBytes: estimateMemoryBytes(size) }, now()),
      now(),
    );
    await saveManifest(m);
    const meter = new ProgressMeter(size, 0, now);
    const throttle = new Throttle(progressInterval, now);
    const hasher = createFileHasher();
    const reader = file.stream().getReader();
    let index = 0;
    let span = size > 0 ? shardSpan(0, size, shardSize) : undefined;
    let buf = span ? new Uint8Array(span.end - span.start) : undefined;
    let filled = 0;
    try {
      for (;;) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        const { done, value } = await reader.read();
        if (done) break;
        let pos = 0;
        while (pos < value.length) {
          const take = Math.min(value.length - pos, buf!.length - filled);
          buf!.set(value.subarray(pos, pos + take), filled);
          filled += take;
          pos += take;
          if (filled === buf!.length) {
            hasher.update(buf!);
            const hash = await sha256Hex(buf!);
            try {
              await backend.putShard(id, index, buf!);
            } catch (e) {
              if (isQuotaError(e)) throw quotaExceeded(index * shardSize, size - index * shardSize);
              throw e;
            }
            m = recordShard(m, index, hash, now());
            await saveManifest(m);
            meter.add(buf!.length);
            if (opts.onProgress && throttle.ready()) {
              opts.onProgress({ ...meter.snapshot(), modelId: id, phase: 'importing', shardsDone: index + 1, shardCount: m.shards.length });
            }
            index++;
            if (index < m.shards.length) {
              span = shardSpan(index, size, shardSize);
              buf = new Uint8Array(span.end - span.start);
              filled = 0;
            }
          }
        }
      }
      if (!isComplete(m)) throw new StoreError('not_gguf', 'The file ended before its stated size.', 'Copy the file again; it may be incomplete.');
      await saveManifest(markReady(m, now(), hasher.hex()));
    } catch (e) {
      await reader.cancel().catch(() => undefined);
      // A half-imported file is of no use (the original is at hand to try again), so nothing of it is kept.
      await deleteModel(id).catch(() => undefined);
      throw e;
    }
    return (await get(id))!;
  }

  async function requireComplete(id: string): Promise<ModelManifest> {
    let m = await backend.getManifest(id);
    if (!m) throw new StoreError('not_found', `Model "${id}" is not stored on this device.`, 'Download or import it first.');
    m = await reconciled(m);
    const missing = missingShards(m.shards);
    if (missing.length || m.state !== 'ready') {
      const shards = missing.map((i) => spanOf(m!, i));
      throw new StoreError(
        'incomplete',
        missing.length
          ? `"${m.name}" is missing ${missing.length} of ${m.shards.length} pieces (the browser may have cleared them to save space).`
          : `"${m.name}" has not finished downloading.`,
        m.url ? 'Tap Repair to fetch only the missing pieces (needs the network).' : 'Import the file again to repair it.',
        { shards },
      );
    }
    return m;
  }

  async function exportModel(id: string): Promise<ExportedModel> {
    const m = await requireComplete(id);
    const parts: Blob[] = [];
    for (let i = 0; i < m.shards.length; i++) {
      const blob = await backend.getShard(id, i);
      if (!blob) throw new StoreError('incomplete', `A piece of "${m.name}" vanished during export.`, 'Tap Repair, then export again.');
      parts.push(blob);
    }
    return { fileName: m.fileName, size: m.size, blob: new Blob(parts, { type: 'application/octet-stream' }) };
  }

  async function open(id: string): Promise<OpenedModel> {
    const openedAt = now();
    const m = await requireComplete(id);
    const opened: OpenedModel = {
      id,
      fileName: m.fileName,
      size: m.size,
      shardCount: m.shards.length,
      readMs: undefined,
      elapsedMs: () => now() - openedAt,
      chunks: async function* () {
        let readMs = 0;
        const read = async (i: number) => {
          const t0 = now();
          const blob = await backend.getShard(id, i);
          if (!blob) {
            await saveManifest(forgetShards((await backend.getManifest(id)) ?? m, [i], now()));
            throw new StoreError('incomplete', `A piece of "${m.name}" was cleared by the browser while loading.`, 'Tap Repair to fetch it again (needs the network).', {
              shards: [spanOf(m, i)],
            });
          }
          const bytes = await shardToBytes(blob);
          readMs += now() - t0;
          return bytes;
        };
        // Read one shard ahead so IndexedDB works while the engine copies the previous one into wasm memory.
        let next: Promise<Uint8Array> | undefined = read(0);
        for (let i = 0; i < m.shards.length; i++) {
          const current: Uint8Array = await next!;
          next = i + 1 < m.shards.length ? read(i + 1) : undefined;
          next?.catch(() => undefined);
          yield current;
        }
        opened.readMs = readMs;
      },
    };
    return opened;
  }

  async function deleteModel(id: string): Promise<void> {
    const running = active.get(id);
    if (running) {
      running.controller.abort(new DOMException('Deleted', 'AbortError'));
      await running.done.catch(() => undefined);
    }
    const name = (await backend.getManifest(id))?.name ?? id;
    const result = await locks.tryExclusive(inUseLockName(id), async () => {
      const dl = await locks.tryExclusive(downloadLockName(id), async () => {
        const present = await backend.shardIndexes(id);
        await backend.deleteShards(id, [...present]);
        await backend.deleteManifest(id);
        changed(id);
      });
      if (!dl.acquired) {
        throw new StoreError('busy', `"${name}" is downloading in another tab.`, 'Pause it there first, then delete.');
      }
    });
    if (!result.acquired) {
      throw new StoreError('in_use', `"${name}" is loaded and may be answering right now.`, 'Stop the reply and unload the model (or switch to another), then delete it.');
    }
  }

  return {
    list,
    get,
    addByUrl,
    removeEntry,
    download,
    pause,
    resume: download,
    resumeInterrupted,
    import: importFile,
    export: exportModel,
    verify,
    delete: deleteModel,
    open,
    hold: (id) => locks.holdShared(inUseLockName(id)),
    requestPersistence,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
