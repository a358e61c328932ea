/**
 * The model manager's state and policy over the model store: the list, live progress, when to ask before a
 * download (will not fit, metered connection), what each state is called, what deleting means for each model,
 * offering to resume an interrupted download, and the browser's answer about keeping the models. Components only
 * show what this says. Lives for the whole session, so a download keeps reporting while its panel is closed.
 */
import { getModelStore, type ExportedModel, type ModelStore, type ModelView, type StoreProgress } from '../store';
import type { ClassroomModel } from '../store/classroom';
import { takeSharedFile } from '../pwa/share-target';
import type { MemoryProbeResult } from '../engine/protocol';
import { saveFile } from './save-file';
import { deviceMemoryGB, modelFit, storageInfo, type Fit, type StorageInfo } from './device';
import { toUiError, type UiError } from './errors';
import { formatBytes, formatGigabytes } from './format';
import { locale } from './i18n/locale';
import { fill, t } from './strings';

/** A failure as the manager shows it: plain words, and the technical part for "Details". */
export interface ModelError extends UiError {
  detail?: string;
}

/** What the person is asked before a download starts, and why. */
export interface DownloadQuestion {
  id: string;
  name: string;
  reasons: string[];
}

/** The browser's answer to "keep my models": undefined until asked. */
export type PersistOutcome = 'granted' | 'refused' | 'unknown';

/** Which main action a model's card offers. */
export type ModelAction = 'download' | 'resume' | 'repair' | 'retry' | 'none';

/** Downloads at least this large ask first on a metered or cellular connection. */
const METERED_ASK_BYTES = 50_000_000;
/** Errors after which fetching again cannot help: the file itself is the problem. */
const FILE_PROBLEMS: ReadonlySet<string> = new Set(['not_gguf', 'not_runnable', 'range_mismatch']);

interface NetworkInformationLike {
  saveData?: boolean;
  type?: string;
  metered?: boolean;
}

function toModelError(e: unknown): ModelError {
  const detail = (e as { details?: { detail?: unknown } })?.details?.detail;
  return { ...toUiError(e), detail: typeof detail === 'string' ? detail : undefined };
}

export interface ModelsHooks {
  /** Unloads the model the chat has loaded (so it can be deleted). */
  unload?: () => Promise<void>;
  /** The model the chat has loaded, if any. */
  loadedId?: () => string | undefined;
  /** How much memory the engine's tab can get (its worker's probe, engine/memory-probe.ts). */
  probeMemory?: () => Promise<MemoryProbeResult>;
}

/** The test hook of the memory probe: ?trit-memory-mib=N makes the worker's probe report N MiB (e2e tests). */
export function simulatedTabMemory(search = typeof location !== 'undefined' ? location.search : ''): number | undefined {
  const mib = Number(new URLSearchParams(search).get('trit-memory-mib'));
  return Number.isFinite(mib) && mib > 0 ? mib * 1024 ** 2 : undefined;
}

/** Shorter than this, a chat forgets too fast to be worth offering. */
const MIN_USEFUL_CONTEXT = 1024;

export class ModelsState {
  views = $state<ModelView[]>([]);
  progress = $state<Record<string, StoreProgress>>({});
  errors = $state<Record<string, ModelError>>({});
  notices = $state<Record<string, string>>({});
  storage = $state<StorageInfo>({});
  deviceMemoryGB = $state<number | undefined>();
  /** What this tab can really use for a model, as the engine's worker measured it (undefined until it answered). */
  tabMemory = $state<MemoryProbeResult | undefined>();
  importing = $state<string | undefined>();
  importProgress = $state<StoreProgress | undefined>();
  importError = $state<ModelError | undefined>();
  listError = $state<UiError | undefined>();
  question = $state<DownloadQuestion | undefined>();
  persistOutcome = $state<PersistOutcome | undefined>();
  /** Downloads a closed tab or a cut connection stopped, found when the app started online. */
  resumeOffer = $state<ModelView[]>([]);
  /** A model file was shared to the app (Web Share Target): the page shows the model manager, where it imports. */
  sharedArrived = $state(false);

  private store: ModelStore | undefined;

  constructor(
    private readonly open: () => ModelStore = () => getModelStore(),
    private readonly hooks: ModelsHooks = {},
  ) {}

  start(): void {
    this.deviceMemoryGB = deviceMemoryGB();
    void this.hooks.probeMemory?.().then((m) => (this.tabMemory = m), () => undefined);
    try {
      this.store = this.open();
    } catch (e) {
      this.listError = toUiError(e);
      return;
    }
    this.store.subscribe(() => void this.refresh());
    void this.refresh().then(() => this.findInterrupted());
    void this.receiveShared();
  }

  /** A .gguf shared to the installed app is imported like any file: the engine's reader checks it first. */
  private async receiveShared(): Promise<void> {
    const file = await takeSharedFile().catch(() => undefined);
    if (!file) return;
    this.sharedArrived = true;
    await this.importFile(file);
  }

  get available(): boolean {
    return this.store !== undefined;
  }

  view(id: string): ModelView | undefined {
    return this.views.find((v) => v.id === id);
  }

  async refresh(): Promise<void> {
    if (!this.store) return;
    try {
      const [views, storage] = await Promise.all([this.store.list(), storageInfo()]);
      this.views = views;
      this.storage = storage;
      this.listError = undefined;
    } catch (e) {
      this.listError = toUiError(e);
    }
  }

  // ---- what to say and offer ----

  get freeStorage(): number | undefined {
    const { quotaBytes, usedBytes } = this.storage;
    return quotaBytes !== undefined && usedBytes !== undefined ? quotaBytes - usedBytes : undefined;
  }

  sizeOf(v: ModelView): number | undefined {
    return v.sizeBytes ?? v.approxSizeBytes;
  }

  /** In the engine's order (memory-budget.ts): as made, then with memory saving, then with a shorter context. */
  fit(v: ModelView): Fit {
    const whole = this.fitWith(v, v.memoryBytes);
    if (whole !== 'too-big') return whole;
    if (v.leanMemoryBytes && this.fitWith(v, v.leanMemoryBytes) !== 'too-big') return 'memory-saving';
    return this.shorterContext(v) ? 'shorter-context' : whole;
  }

  /** The verdict for `v` if it needed `memoryBytes`: the tab's measured memory, the device's figure and free storage. */
  private fitWith(v: ModelView, memoryBytes: number | undefined): Fit {
    const remaining = v.state === 'ready' ? undefined : Math.max(0, (this.sizeOf(v) ?? 0) - v.storedBytes);
    const byDevice = modelFit(memoryBytes, remaining, this.deviceMemoryGB, this.freeStorage);
    const usable = this.tabMemory?.usableBytes;
    if (!usable || !memoryBytes) return byDevice;
    // The probe knows this tab; the device's figure only adds the storage check (and a worse verdict wins).
    const byTab: Fit = memoryBytes > usable ? 'too-big' : memoryBytes > usable * 0.8 ? 'tight' : 'fits';
    const order: Fit[] = ['fits', 'tight', 'too-big'];
    return byDevice === 'unknown' ? byTab : order[Math.max(order.indexOf(byTab), order.indexOf(byDevice))];
  }

  /**
   * For a model too large here with its whole context: the longest shorter context (halving, down to
   * MIN_USEFUL_CONTEXT tokens) with which it fits, when the catalogue says what its KV cache takes per token. The
   * engine shrinks the context the same way when it loads (`WasmEngine.loadModel` with the tab's memory budget).
   */
  shorterContext(v: ModelView): number | undefined {
    if (!v.contextTokens || this.memoryAtContext(v, 0) === undefined) return undefined;
    for (let tokens = v.contextTokens / 2; tokens >= MIN_USEFUL_CONTEXT; tokens /= 2) {
      if (this.fitWith(v, this.memoryAtContext(v, tokens)) !== 'too-big') return tokens;
    }
    return undefined;
  }

  /** What `v` needs with a context of `tokens`, in its leanest catalogued mode (memory saving where the catalogue
   * has it), from the catalogue's full-context figure less the KV cache of the tokens dropped; undefined when the
   * catalogue lacks a figure. */
  private memoryAtContext(v: ModelView, tokens: number): number | undefined {
    const memoryBytes = v.leanMemoryBytes ?? v.memoryBytes, contextTokens = v.contextTokens;
    const kvBytesPerToken = v.leanMemoryBytes ? v.leanKvBytesPerToken : v.kvBytesPerToken;
    if (!memoryBytes || !contextTokens || !kvBytesPerToken) return undefined;
    return memoryBytes - kvBytesPerToken * (contextTokens - tokens);
  }

  /** The memory `v` will take on this device, as its verdict runs it: as made, with memory saving, or with the shorter
   * context (the catalogue's figures; undefined when it has none). A card shows this one, not the as-made figure. */
  memoryToRun(v: ModelView): number | undefined {
    const fit = this.fit(v);
    if (fit === 'memory-saving') return v.leanMemoryBytes;
    if (fit === 'shorter-context') return this.memoryAtContext(v, this.shorterContext(v)!);
    return v.memoryBytes;
  }

  /** The verdict in words; '' when nothing is known. */
  fitWords(v: ModelView): string {
    const fit = this.fit(v);
    if (fit === 'shorter-context') {
      return fill(t.fitsShorterContext, { tokens: new Intl.NumberFormat(locale.tag).format(this.shorterContext(v) ?? 0) });
    }
    return { fits: t.fitsDevice, tight: t.tightFit, 'memory-saving': t.fitsSavingMemory, 'too-big': t.doesNotFit, unknown: t.fitUnknown }[fit];
  }

  /** Why `v` cannot run in this tab at all, with the numbers (undefined when it can, or nobody knows yet). */
  tooLargeReason(v: ModelView): string | undefined {
    const usable = this.tabMemory?.usableBytes;
    const fit = this.fit(v);
    if (!usable || !v.memoryBytes || fit === 'memory-saving' || fit === 'shorter-context' || v.memoryBytes <= usable) return undefined;
    return fill(t.tooLargeForTab, { memory: formatBytes(v.memoryBytes), tab: formatBytes(usable) });
  }

  /** The card's state in words that say what really happened. */
  stateText(v: ModelView): string {
    if (v.source === 'demo') return t.bundled;
    if (v.downloading) return t.stateDownloading;
    if (v.state === 'paused') {
      if (v.error && !v.interrupted) return t.stateStopped;
      return v.interrupted ? t.stateInterrupted : t.statePaused;
    }
    return { available: t.stateNotStored, downloading: t.stateDownloading, paused: t.statePaused, partial: t.statePartial, ready: t.stateReady, error: t.stateError }[v.state];
  }

  /** The main action for a model not downloading now. Nothing stored means "Download" again, never "Resume". */
  action(v: ModelView): ModelAction {
    if (v.source === 'demo' || v.downloading || !v.canRedownload) return 'none';
    if (v.state === 'available') return 'download';
    if (v.state === 'partial') return 'repair';
    if (v.state === 'error') return v.error && FILE_PROBLEMS.has(v.error.code) ? 'none' : 'retry';
    if (v.state === 'paused') return v.storedBytes > 0 ? 'resume' : 'download';
    return 'none';
  }

  /** How the stored bytes were checked, in plain words (undefined while not on the device). */
  integrityText(v: ModelView): string | undefined {
    if (v.state !== 'ready' || v.source === 'demo') return undefined;
    return { checksum: t.integrityChecksum, structure: t.integrityStructure, none: t.integrityNone }[v.integrity];
  }

  /** The delete confirmation, true about getting the model back. */
  deletePrompt(v: ModelView): string {
    const back = v.canRedownload ? fill(t.deleteCanRedownload, { size: formatBytes(this.sizeOf(v)) }) : t.deleteImported;
    const loaded = this.isLoaded(v) ? ` ${t.deleteUnloadsFirst}` : '';
    return `${fill(t.deleteModelConfirm, { name: v.name })} ${back}${loaded}`;
  }

  isLoaded(v: ModelView): boolean {
    return this.hooks.loadedId?.() === v.id;
  }

  /** Why to ask before downloading `v` (empty: just download). */
  downloadConcerns(v: ModelView): string[] {
    const reasons: string[] = [];
    const size = this.sizeOf(v);
    const remaining = size !== undefined ? Math.max(0, size - v.storedBytes) : undefined;
    const free = this.freeStorage;
    if (remaining !== undefined && free !== undefined && remaining > free) {
      reasons.push(fill(t.askNoSpace, { size: formatBytes(remaining), free: formatBytes(free) }));
    }
    if (modelFit(v.memoryBytes, undefined, this.deviceMemoryGB, undefined) === 'too-big' && v.memoryBytes && this.deviceMemoryGB) {
      reasons.push(fill(t.askNoMemory, { memory: formatBytes(v.memoryBytes), device: formatGigabytes(this.deviceMemoryGB) }));
    }
    const connection = (typeof navigator !== 'undefined' ? (navigator as Navigator & { connection?: NetworkInformationLike }).connection : undefined) ?? {};
    const metered = connection.saveData === true || connection.type === 'cellular' || connection.metered === true;
    if (metered && (remaining ?? 0) >= METERED_ASK_BYTES) reasons.push(fill(t.askMetered, { size: formatBytes(remaining) }));
    return reasons;
  }

  // ---- actions ----

  private onProgress = (p: StoreProgress) => {
    this.progress[p.modelId] = p;
  };

  private onPersisted = (granted: boolean | undefined) => {
    this.persistOutcome = granted === true ? 'granted' : granted === false ? 'refused' : 'unknown';
    void storageInfo().then((s) => (this.storage = s));
  };

  private async track(id: string, run: (store: ModelStore) => Promise<unknown>): Promise<void> {
    if (!this.store) return;
    delete this.errors[id];
    delete this.notices[id];
    try {
      await run(this.store);
    } catch (e) {
      this.errors[id] = toModelError(e);
    } finally {
      delete this.progress[id];
      await this.refresh();
    }
  }

  /** Downloads (or resumes, or repairs), asking first when there is a reason to. */
  requestDownload(id: string): Promise<void> {
    const v = this.view(id);
    // Refused before a byte is fetched: a model this tab cannot hold would fail only after the whole download.
    const tooLarge = v && this.tooLargeReason(v);
    if (tooLarge) {
      this.errors[id] = { code: 'out_of_memory', message: tooLarge, hint: t.tooLargeForTabHint };
      return Promise.resolve();
    }
    const reasons = v ? this.downloadConcerns(v) : [];
    if (v && reasons.length) {
      this.question = { id, name: v.name, reasons };
      return Promise.resolve();
    }
    return this.download(id);
  }

  answerQuestion(go: boolean): Promise<void> {
    const q = this.question;
    this.question = undefined;
    return q && go ? this.download(q.id) : Promise.resolve();
  }

  /** Also resumes a paused download and repairs a partial one: the store fetches only what is missing. */
  download(id: string): Promise<void> {
    this.resumeOffer = this.resumeOffer.filter((v) => v.id !== id);
    return this.track(id, (s) => s.download(id, { onProgress: this.onProgress, onPersisted: this.onPersisted }));
  }

  pause(id: string): void {
    this.store?.pause(id);
  }

  private async findInterrupted(): Promise<void> {
    if (!this.store || (typeof navigator !== 'undefined' && navigator.onLine === false)) return;
    try {
      this.resumeOffer = await this.store.interruptedDownloads();
    } catch {
      this.resumeOffer = [];
    }
  }

  dismissResumeOffer(): void {
    this.resumeOffer = [];
  }

  verify(id: string): Promise<void> {
    return this.track(id, async (s) => {
      const result = await s.verify(id, { onProgress: this.onProgress });
      if (result.ok) this.notices[id] = result.against === 'published' ? t.verifyOkPublished : t.verifyOk;
    });
  }

  async exportModel(id: string): Promise<void> {
    await this.track(id, async (s) => this.save(id, await s.export(id)));
  }

  /** Saves an exported model; a plain download lands wherever the browser keeps downloads, so say where to look. */
  private async save(id: string, exported: ExportedModel): Promise<void> {
    if ((await saveFile(exported.blob, exported.fileName)) === 'download') {
      this.notices[id] = fill(t.exportSaved, { name: this.view(id)?.name ?? exported.fileName, file: exported.fileName });
    }
  }

  /** Whether this browser has a share sheet at all (Web Share); whether it takes files is asked per file. */
  get canShare(): boolean {
    return typeof navigator !== 'undefined' && typeof navigator.canShare === 'function' && typeof navigator.share === 'function';
  }

  /**
   * "Share this model": the device's share sheet (Quick Share, AirDrop, Bluetooth) with the stored file, composed
   * from its shards (no copy in memory). Where the browser does not take files that large, it is saved instead.
   */
  async shareModel(id: string): Promise<void> {
    await this.track(id, async (s) => {
      const exported = await s.export(id);
      const file = new File([exported.blob], exported.fileName, { type: 'application/octet-stream' });
      if (!this.canShare || !navigator.canShare({ files: [file] })) return this.save(id, exported);
      try {
        await navigator.share({ files: [file], title: this.view(id)?.name ?? exported.fileName });
      } catch (e) {
        if ((e as { name?: string }).name !== 'AbortError') throw e; // closing the share sheet is not a failure
      }
    });
  }

  async unload(): Promise<void> {
    await this.hooks.unload?.();
    await this.refresh();
  }

  delete(id: string): Promise<void> {
    return this.track(id, async (s) => {
      const v = this.view(id);
      if (v && this.isLoaded(v)) await this.hooks.unload?.();
      // Models the person added by URL or from a file leave the list too; catalogue models stay, as downloadable.
      if (v && (v.source === 'user' || v.source === 'import')) await s.removeEntry(id);
      else await s.delete(id);
    });
  }

  async addByUrl(url: string): Promise<ModelError | undefined> {
    if (!this.store) return undefined;
    try {
      await this.store.addByUrl(url);
      await this.refresh();
      return undefined;
    } catch (e) {
      return toModelError(e);
    }
  }

  /** Adds a model a classroom computer shares (checked against its sha256) and starts its download. */
  async addFromClassroom(m: ClassroomModel): Promise<ModelError | undefined> {
    if (!this.store) return undefined;
    try {
      const v = await this.store.addByUrl(m.url, m.name, { sha256: m.sha256, sizeBytes: m.size });
      await this.refresh();
      void this.requestDownload(v.id);
      return undefined;
    } catch (e) {
      return toModelError(e);
    }
  }

  /** Imports a file; `sha256`, when given (typed from the classroom computer), must match it. */
  async importFile(file: File, sha256?: string): Promise<ModelView | undefined> {
    if (!this.store) return undefined;
    this.importing = file.name;
    this.importError = undefined;
    try {
      return await this.store.import(file, { sha256: sha256?.trim() || undefined, onProgress: (p) => (this.importProgress = p) });
    } catch (e) {
      this.importError = toModelError(e);
      return undefined;
    } finally {
      this.importing = undefined;
      this.importProgress = undefined;
      await this.refresh();
    }
  }

  async requestPersistence(): Promise<void> {
    if (!this.store) return;
    this.onPersisted(await this.store.requestPersistence());
  }
}
