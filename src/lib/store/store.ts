/**
 * The model store's front: the operations the UI and the engine worker call. Each is a few lines over the part
 * that does the work: download/ (ranged or streamed fetching with its retry policy), integrity.ts (verify and
 * repair), header-check.ts (the engine's judgement of a file), transfer.ts (import and export), open.ts (reading
 * for the engine), backend.ts (IndexedDB). Web Locks and a BroadcastChannel keep tabs and the worker in step.
 */
import type { SerializedError } from '../errors';
import { type CatalogueEntry, memoryNeeded, userEntryFromUrl } from './catalogue';
import { type StoreContext, createContext } from './context';
import { runDownload } from './download/download';
import { StoreError, offlineError } from './errors';
import { verifyStored } from './integrity';
import { checkLink } from './link';
import { downloadLockName, inUseLockName } from './locks';
import { type ModelManifest, effectiveState, wasInterrupted } from './manifest';
import { openModel } from './open';
import { missingShards, storedBytes } from './shards';
import { exportModel, importFile } from './transfer';
import type { DownloadOptions, DownloadOutcome, IntegrityCheck, ModelStore, ModelView, PublishedFacts, StoreOptions } from './types';

export type * from './types';

const CHANGE_CHANNEL = 'trit-model-store';

function integrityOf(m: ModelManifest | undefined): IntegrityCheck {
  if (!m || m.state !== 'ready') return 'none';
  if (m.sha256 && m.fileSha256 === m.sha256) return 'checksum';
  return m.structureChecked ? 'structure' : 'none';
}

export function createModelStore(options: StoreOptions = {}): ModelStore {
  const listeners = new Set<(id: string) => void>();
  const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(CHANGE_CHANNEL) : undefined;
  channel?.addEventListener('message', (ev: MessageEvent) => {
    if (typeof ev.data?.modelId === 'string') for (const l of listeners) l(ev.data.modelId);
  });
  const ctx: StoreContext = createContext(options, (id) => {
    for (const l of listeners) l(id);
    channel?.postMessage({ modelId: id });
  });
  const { backend, locks } = ctx;
  const active = new Map<string, { controller: AbortController; done: Promise<DownloadOutcome> }>();
  let persistRequest: Promise<boolean | undefined> | undefined;

  async function allEntries(): Promise<CatalogueEntry[]> {
    return [...ctx.catalogue, ...(await backend.getUserEntries())];
  }

  function view(entry: CatalogueEntry | undefined, m: ModelManifest | undefined, held: Set<string>): ModelView {
    const id = (entry?.id ?? m?.id)!;
    const downloading = active.has(id) || held.has(downloadLockName(id));
    const size = m?.size ?? entry?.sizeBytes;
    const error: SerializedError | undefined = m?.error ?? (m && m.state !== 'ready' ? ctx.lastErrors.get(id) : undefined);
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
      contextTokens: entry?.contextTokens,
      kvBytesPerToken: entry?.kvBytesPerToken,
      leanMemoryBytes: entry?.leanMemoryBytes,
      leanKvBytesPerToken: entry?.leanKvBytesPerToken,
      state: m ? effectiveState(m, downloading) : 'available',
      storedBytes: m ? storedBytes(m.shards, m.size, m.shardSize, m.pieces) : 0,
      shardCount: m?.shards.length ?? 0,
      missingShards: m ? missingShards(m.shards) : [],
      downloading,
      interrupted: m ? wasInterrupted(m, downloading) : false,
      inUse: held.has(inUseLockName(id)),
      canRedownload: !!(entry?.url ?? m?.url),
      sha256: m?.sha256 ?? entry?.sha256,
      verified: integrityOf(m) === 'checksum',
      integrity: integrityOf(m),
      fileSha256: m?.fileSha256,
      repairedShards: m?.repairedShards,
      error,
    };
  }

  async function list(): Promise<ModelView[]> {
    const [entries, manifests, held] = await Promise.all([allEntries(), backend.listManifests(), locks.heldNames()]);
    const byId = new Map<string, ModelManifest>();
    // A live download here owns its manifest; reconciling it mid-write could save a stale copy.
    for (const m of manifests) byId.set(m.id, active.has(m.id) ? m : await ctx.reconciled(m));
    const views = entries.map((e) => view(e, byId.get(e.id), held));
    for (const m of byId.values()) if (!entries.some((e) => e.id === m.id)) views.push(view(undefined, m, held));
    return views;
  }

  async function get(id: string): Promise<ModelView | undefined> {
    return (await list()).find((v) => v.id === id);
  }

  async function addByUrl(url: string, name?: string, published?: PublishedFacts): Promise<ModelView> {
    // Facts a source publishes (a classroom share's sha256 and size) make the download verified like a catalogue one.
    const entry = { ...userEntryFromUrl(url, name), ...published };
    const known = ctx.catalogue.some((e) => e.id === entry.id) || (await backend.getUserEntries()).some((e) => e.id === entry.id);
    if (!known) {
      const checked = await checkLink(ctx, entry);
      await backend.putUserEntries([...(await backend.getUserEntries()), checked]);
      ctx.changed(entry.id);
    }
    return (await get(entry.id))!;
  }

  async function removeEntry(id: string) {
    await deleteModel(id);
    const users = await backend.getUserEntries();
    await backend.putUserEntries(users.filter((e) => e.id !== id));
    ctx.changed(id);
  }

  /** One request per session: the browser's answer does not change while the page lives, and a prompt shows once. */
  function requestPersistence(): Promise<boolean | undefined> {
    persistRequest ??= (async () => {
      try {
        if (await ctx.persisted()) return true;
        return await ctx.persist();
      } catch {
        return undefined;
      }
    })();
    return persistRequest;
  }

  function download(id: string, opts: DownloadOptions = {}): Promise<DownloadOutcome> {
    const running = active.get(id);
    if (running) return running.done;
    if (!ctx.isOnline()) return Promise.reject(offlineError('Downloading a model'));
    const controller = new AbortController();
    const done = (async () => {
      const entry = (await allEntries()).find((e) => e.id === id);
      const result = await locks.tryExclusive(downloadLockName(id), () => runDownload(ctx, id, entry, controller.signal, opts, requestPersistence));
      if (!result.acquired) {
        throw new StoreError('busy', 'This model is already downloading in another tab or window.', 'Follow its progress there, or close that tab and tap Resume here.');
      }
      return result.value;
    })().finally(() => active.delete(id));
    active.set(id, { controller, done });
    return done;
  }

  function pause(id: string) {
    active.get(id)?.controller.abort(new DOMException('Download paused', 'AbortError'));
  }

  async function interruptedDownloads(): Promise<ModelView[]> {
    return (await list()).filter((v) => v.interrupted);
  }

  async function resumeInterrupted(opts?: DownloadOptions): Promise<DownloadOutcome[]> {
    const results = await Promise.allSettled((await interruptedDownloads()).map((v) => download(v.id, opts)));
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
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
        await backend.deleteShards(id, [...(await backend.shardIndexes(id))]);
        await backend.deletePieces(id);
        await backend.deleteManifest(id);
        ctx.changed(id);
      });
      if (!dl.acquired) throw new StoreError('busy', `"${name}" is downloading in another tab.`, 'Pause it there first, then delete.');
    });
    if (!result.acquired) {
      throw new StoreError('in_use', `"${name}" is loaded in the chat.`, 'Tap Unload (or use another model) first, then delete it.');
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
    interruptedDownloads,
    resumeInterrupted,
    import: async (file, opts = {}) => (await get(await importFile(ctx, file, opts, deleteModel)))!,
    export: (id) => exportModel(ctx, id),
    verify: (id, opts = {}) => verifyStored(ctx, id, opts.onProgress),
    delete: deleteModel,
    open: (id) => openModel(ctx, id),
    hold: (id) => locks.holdShared(inUseLockName(id)),
    requestPersistence,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
