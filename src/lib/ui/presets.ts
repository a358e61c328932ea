/**
 * Presets: named instructions a teacher writes once ("Maths helper for 10-year-olds") and picks per chat. They
 * travel between devices as a small JSON file or the same text in a QR code, so thirty tablets get the same one.
 */
import { TritError } from '../errors';
import type { KeyValueStore } from './kv';

export interface Preset {
  id: string;
  name: string;
  instructions: string;
}

/** What a preset file (or QR code) holds. `kind` tells it apart from any other JSON. */
interface PresetFile {
  kind: typeof PRESET_KIND;
  version: 1;
  name: string;
  instructions: string;
}

const PRESET_KIND = 'trit-preset';
/** Longer than any real instruction; keeps a pasted novel from becoming every request's prompt. */
export const MAX_INSTRUCTIONS = 4000;
export const MAX_NAME = 80;

/** The preset as its file's text: short keys and no spaces, so it also fits a QR code. */
export function presetToText(p: Pick<Preset, 'name' | 'instructions'>): string {
  const file: PresetFile = { kind: PRESET_KIND, version: 1, name: p.name, instructions: p.instructions };
  return JSON.stringify(file);
}

/** A file name for the preset, from its name. */
export function presetFileName(p: Pick<Preset, 'name'>): string {
  const base = p.name.normalize('NFKD').replace(/[^\w\s-]/g, '').trim().replace(/\s+/g, '-').toLowerCase().slice(0, 40);
  return `${base || 'preset'}.trit-preset.json`;
}

function notAPreset(detail: string): TritError {
  return new TritError('bad_request', `This is not a Trit preset: ${detail}.`, 'Pick a preset file saved by Trit (it ends in .trit-preset.json), or scan its QR code again.');
}

/** Reads a preset file's (or QR code's) text; a clear error for anything else. */
export function presetFromText(text: string): Pick<Preset, 'name' | 'instructions'> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw notAPreset('the text is not in the preset format');
  }
  const o = data as Partial<PresetFile>;
  if (typeof o !== 'object' || o === null || o.kind !== PRESET_KIND) throw notAPreset('it does not say it is one');
  if (o.version !== 1) throw notAPreset('it was made by a newer version of Trit; update the app and try again');
  const name = typeof o.name === 'string' ? o.name.trim() : '';
  const instructions = typeof o.instructions === 'string' ? o.instructions.trim() : '';
  if (!name || !instructions) throw notAPreset('its name or instructions are missing');
  if (name.length > MAX_NAME || instructions.length > MAX_INSTRUCTIONS) throw notAPreset('it is longer than a preset can be');
  return { name, instructions };
}

export class PresetStore {
  constructor(private readonly kv: KeyValueStore<Preset>) {}

  /** By name. */
  async list(): Promise<Preset[]> {
    const all = await this.kv.entries();
    return all.map(([, p]) => p).filter((p) => typeof p?.name === 'string' && typeof p.instructions === 'string')
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Saves a preset; one with the same name is replaced (importing the same file twice gives one preset). */
  async save(p: Pick<Preset, 'name' | 'instructions'>): Promise<Preset> {
    const name = p.name.trim().slice(0, MAX_NAME);
    const instructions = p.instructions.trim().slice(0, MAX_INSTRUCTIONS);
    const same = (await this.list()).find((o) => o.name.toLocaleLowerCase() === name.toLocaleLowerCase());
    const preset = { id: same?.id ?? globalThis.crypto.randomUUID(), name, instructions };
    await this.kv.set(preset.id, preset);
    return preset;
  }

  delete(id: string): Promise<void> {
    return this.kv.delete(id);
  }
}
