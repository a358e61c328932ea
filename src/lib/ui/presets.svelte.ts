/** The presets on this device, for the picker and the preset editor. */
import { toUiError, type UiError } from './errors';
import { PresetStore, presetFromText, type Preset } from './presets';
import type { KeyValueStore } from './kv';

export class PresetsState {
  list = $state<Preset[]>([]);
  error = $state<UiError | undefined>();
  private readonly store: PresetStore;

  constructor(kv: KeyValueStore<Preset>) {
    this.store = new PresetStore(kv);
  }

  async load(): Promise<void> {
    try {
      this.list = await this.store.list();
    } catch (e) {
      this.error = toUiError(e);
    }
  }

  async save(p: Pick<Preset, 'name' | 'instructions'>): Promise<Preset> {
    const saved = await this.store.save(p);
    await this.load();
    return saved;
  }

  /** Adds the preset a file or QR code holds; throws a TritError saying why when it is not one. */
  async importText(text: string): Promise<Preset> {
    return this.save(presetFromText(text));
  }

  async remove(id: string): Promise<void> {
    await this.store.delete(id);
    await this.load();
  }
}
