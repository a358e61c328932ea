/**
 * The model manager's state over the model store: the list with what is stored, live download progress, storage
 * use and persistence. Lives for the whole session, so a download keeps reporting while its panel is closed.
 */
import { getModelStore, type ModelStore, type ModelView, type StoreProgress } from '../store';
import { saveFile } from './save-file';
import { deviceMemoryGB, storageInfo, type StorageInfo } from './device';
import { toUiError, type UiError } from './errors';
import { t } from './strings';

export class ModelsState {
  views = $state<ModelView[]>([]);
  progress = $state<Record<string, StoreProgress>>({});
  errors = $state<Record<string, UiError>>({});
  notices = $state<Record<string, string>>({});
  storage = $state<StorageInfo>({});
  deviceMemoryGB = $state<number | undefined>();
  importing = $state<string | undefined>();
  importProgress = $state<StoreProgress | undefined>();
  importError = $state<UiError | undefined>();
  listError = $state<UiError | undefined>();

  private store: ModelStore | undefined;

  constructor(private readonly open: () => ModelStore = () => getModelStore()) {}

  start(): void {
    this.deviceMemoryGB = deviceMemoryGB();
    try {
      this.store = this.open();
    } catch (e) {
      this.listError = toUiError(e);
      return;
    }
    this.store.subscribe(() => void this.refresh());
    void this.refresh();
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

  private onProgress = (p: StoreProgress) => {
    this.progress[p.modelId] = p;
  };

  private async track(id: string, run: (store: ModelStore) => Promise<unknown>): Promise<void> {
    if (!this.store) return;
    delete this.errors[id];
    delete this.notices[id];
    try {
      await run(this.store);
    } catch (e) {
      this.errors[id] = toUiError(e);
    } finally {
      delete this.progress[id];
      await this.refresh();
    }
  }

  /** Also resumes a paused download and repairs a partial one: the store fetches only what is missing. */
  download(id: string): Promise<void> {
    return this.track(id, (s) => s.download(id, { onProgress: this.onProgress }));
  }

  pause(id: string): void {
    this.store?.pause(id);
  }

  verify(id: string): Promise<void> {
    return this.track(id, async (s) => {
      const result = await s.verify(id, { onProgress: this.onProgress });
      if (result.ok) this.notices[id] = t.verifyOk;
    });
  }

  async exportModel(id: string): Promise<void> {
    await this.track(id, async (s) => {
      const exported = await s.export(id);
      await saveFile(exported.blob, exported.fileName);
    });
  }

  delete(id: string): Promise<void> {
    return this.track(id, async (s) => {
      const v = this.view(id);
      // Models the person added by URL or from a file leave the list too; catalogue models stay, as downloadable.
      if (v && (v.source === 'user' || v.source === 'import')) await s.removeEntry(id);
      else await s.delete(id);
    });
  }

  async addByUrl(url: string): Promise<UiError | undefined> {
    if (!this.store) return undefined;
    try {
      await this.store.addByUrl(url);
      await this.refresh();
      return undefined;
    } catch (e) {
      return toUiError(e);
    }
  }

  async importFile(file: File): Promise<ModelView | undefined> {
    if (!this.store) return undefined;
    this.importing = file.name;
    this.importError = undefined;
    try {
      return await this.store.import(file, { onProgress: (p) => (this.importProgress = p) });
    } catch (e) {
      this.importError = toUiError(e);
      return undefined;
    } finally {
      this.importing = undefined;
      this.importProgress = undefined;
      await this.refresh();
    }
  }

  async requestPersistence(): Promise<void> {
    await this.store?.requestPersistence();
    this.storage = await storageInfo();
  }
}
