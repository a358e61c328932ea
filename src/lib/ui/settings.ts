/** What the person can tune, its safe ranges and defaults, and how it is saved (IndexedDB, one record). */
import type { SamplingSettings } from '../engine/protocol';
import type { KeyValueStore } from './kv';

export interface Settings {
  systemPrompt: string;
  temperature: number;
  topP: number;
  maxTokens: number;
  /** Context length asked of the engine when a model loads. */
  contextSize: number;
  /** 'auto' follows the device's cores. */
  threads: number | 'auto';
  /** The model to load at start: a catalogue/store id. */
  modelId: string;
}

export const DEMO_MODEL_ID = 'trit-demo';

export const LIMITS = {
  temperature: { min: 0, max: 2, step: 0.05 },
  topP: { min: 0.05, max: 1, step: 0.05 },
  maxTokens: { min: 16, max: 4096, step: 16 },
  contextSize: { min: 256, max: 4096, step: 256 },
  threads: { min: 1, max: 8, step: 1 },
} as const;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  // A prompt the demo model saw in training (it is too small to generalise to others); fine for larger models too.
  systemPrompt: 'You are a helpful assistant.',
  temperature: 0.7,
  topP: 0.9,
  maxTokens: 512,
  // 2048 keeps the 2B model's KV cache near 160 MB, which cheap 2-3 GB tablets can afford; 4096 doubles it.
  contextSize: 2048,
  threads: 'auto',
  modelId: DEMO_MODEL_ID,
});

/** The engine's thread pool is sized to the cores, at most 8 (see the engine worker). */
export function deviceThreads(hardwareConcurrency: number | undefined): number {
  return Math.max(1, Math.min(LIMITS.threads.max, Math.floor(hardwareConcurrency || 1)));
}

export function resolveThreads(settings: Settings, maxThreads: number): number {
  const wanted = settings.threads === 'auto' ? maxThreads : settings.threads;
  return Math.max(1, Math.min(maxThreads, wanted));
}

function clampNumber(value: unknown, fallback: number, min: number, max: number, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  const v = Math.min(max, Math.max(min, value));
  return integer ? Math.round(v) : v;
}

/** Whatever was stored (an older version's shape, a hand-edited record) comes back as valid settings. */
export function normalizeSettings(raw: unknown): Settings {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const d = DEFAULT_SETTINGS;
  return {
    systemPrompt: typeof r.systemPrompt === 'string' ? r.systemPrompt : d.systemPrompt,
    temperature: clampNumber(r.temperature, d.temperature, LIMITS.temperature.min, LIMITS.temperature.max, false),
    topP: clampNumber(r.topP, d.topP, LIMITS.topP.min, LIMITS.topP.max, false),
    maxTokens: clampNumber(r.maxTokens, d.maxTokens, LIMITS.maxTokens.min, LIMITS.maxTokens.max, true),
    contextSize: clampNumber(r.contextSize, d.contextSize, LIMITS.contextSize.min, LIMITS.contextSize.max, true),
    threads:
      r.threads === 'auto' ? 'auto' : typeof r.threads === 'number' ? clampNumber(r.threads, 1, LIMITS.threads.min, LIMITS.threads.max, true) : d.threads,
    modelId: typeof r.modelId === 'string' && r.modelId.length > 0 ? r.modelId : d.modelId,
  };
}

/** The engine's sampling settings; the knobs not exposed in the UI keep llama.cpp-like defaults. */
export function samplingFrom(settings: Settings): SamplingSettings {
  return {
    temperature: settings.temperature,
    topK: 40,
    topP: settings.topP,
    minP: 0.05,
    repeatPenalty: 1.1,
    repeatLastN: 64,
    maxTokens: settings.maxTokens,
  };
}

const SETTINGS_KEY = 'settings';

export class SettingsStore {
  constructor(private readonly kv: KeyValueStore<Settings>) {}

  async load(): Promise<Settings> {
    try {
      return normalizeSettings(await this.kv.get(SETTINGS_KEY));
    } catch {
      // Private browsing modes can refuse IndexedDB: the app still works with defaults.
      return { ...DEFAULT_SETTINGS };
    }
  }

  async save(settings: Settings): Promise<Settings> {
    const clean = normalizeSettings(settings);
    await this.kv.set(SETTINGS_KEY, clean);
    return clean;
  }

  /** Back to defaults, but keeps the chosen model: resetting tuning should not unload what the person downloaded. */
  async reset(current: Settings): Promise<Settings> {
    return this.save({ ...DEFAULT_SETTINGS, modelId: current.modelId });
  }
}
