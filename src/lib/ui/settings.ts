/** What the person can tune, its safe ranges and defaults, and how it is saved (IndexedDB, one record). */
import type { SamplingSettings } from '../engine/protocol';
import type { KeyValueStore } from './kv';
import { MAX_ENGINE_THREADS } from '../engine/protocol';

/** How freely a model picks its words. Each model has its own defaults, and the person's choices are kept per model. */
export interface ModelSampling {
  temperature: number;
  topP: number;
}

export interface Settings {
  systemPrompt: string;
  /** The person's sampling choices, by model id; a model without an entry uses its defaults (modelDefaultSampling). */
  sampling: Record<string, ModelSampling>;
  maxTokens: number;
  /** Context length asked of the engine when a model loads. */
  contextSize: number;
  /** 'auto' uses the thread count measured fastest on this device. */
  threads: number | 'auto';
  /** The model to load at start: a catalogue/store id. */
  modelId: string;
  /** The chat open when the app was last used ('' for a new chat), so reopening the app lands there. */
  lastConversationId: string;
}

export const DEMO_MODEL_ID = 'trit-demo';

export const LIMITS = {
  temperature: { min: 0, max: 2, step: 0.05 },
  topP: { min: 0.05, max: 1, step: 0.05 },
  maxTokens: { min: 16, max: 4096, step: 16 },
  contextSize: { min: 256, max: 4096, step: 256 },
  threads: { min: 1, max: MAX_ENGINE_THREADS, step: 1 },
} as const;

/** Varied but sensible wording for models that have learnt language broadly. */
export const GENERAL_SAMPLING: Readonly<ModelSampling> = Object.freeze({ temperature: 0.7, topP: 0.9 });

/**
 * Models whose defaults differ. The demo model knows a handful of practised answers and little else: any sampling
 * away from its most likely word turns "7 plus 5" into 13 or 20, so it always picks the most likely word.
 */
const MODEL_SAMPLING: Readonly<Record<string, ModelSampling>> = Object.freeze({
  [DEMO_MODEL_ID]: { temperature: 0, topP: 1 },
});

export function modelDefaultSampling(modelId: string): ModelSampling {
  return { ...(MODEL_SAMPLING[modelId] ?? GENERAL_SAMPLING) };
}

/** The sampling a model runs with: the person's choice for it, or its defaults. */
export function modelSampling(settings: Settings, modelId: string): ModelSampling {
  return { ...(settings.sampling[modelId] ?? modelDefaultSampling(modelId)) };
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  // A prompt the demo model saw in training (it is too small to generalise to others); fine for larger models too.
  systemPrompt: 'You are a helpful assistant.',
  sampling: Object.freeze({}) as Record<string, ModelSampling>,
  maxTokens: 512,
  // 2048 keeps the 2B model's KV cache near 160 MB, which cheap 2-3 GB tablets can afford; 4096 doubles it.
  contextSize: 2048,
  threads: 'auto',
  modelId: DEMO_MODEL_ID,
  lastConversationId: '',
});

/** The engine's thread pool is sized to the cores, at most 8 (see the engine worker). */
export function deviceThreads(hardwareConcurrency: number | undefined): number {
  return Math.max(1, Math.min(LIMITS.threads.max, Math.floor(hardwareConcurrency || 1)));
}

/** 'auto' is the count measured fastest on this device (engine/thread-probe.ts), or the whole pool before a probe. */
export function resolveThreads(settings: Settings, maxThreads: number, measured?: number): number {
  const wanted = settings.threads === 'auto' ? (measured ?? maxThreads) : settings.threads;
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
    // An older version kept one temperature for all models; it is dropped, so each model starts from its defaults.
    sampling: normalizeSampling(r.sampling),
    maxTokens: clampNumber(r.maxTokens, d.maxTokens, LIMITS.maxTokens.min, LIMITS.maxTokens.max, true),
    contextSize: clampNumber(r.contextSize, d.contextSize, LIMITS.contextSize.min, LIMITS.contextSize.max, true),
    threads:
      r.threads === 'auto' ? 'auto' : typeof r.threads === 'number' ? clampNumber(r.threads, 1, LIMITS.threads.min, LIMITS.threads.max, true) : d.threads,
    modelId: typeof r.modelId === 'string' && r.modelId.length > 0 ? r.modelId : d.modelId,
    lastConversationId: typeof r.lastConversationId === 'string' ? r.lastConversationId : d.lastConversationId,
  };
}

function normalizeSampling(raw: unknown): Record<string, ModelSampling> {
  const out: Record<string, ModelSampling> = {};
  if (typeof raw !== 'object' || raw === null) return out;
  for (const [id, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null) continue;
    const v = value as Record<string, unknown>;
    const fallback = modelDefaultSampling(id);
    out[id] = {
      temperature: clampNumber(v.temperature, fallback.temperature, LIMITS.temperature.min, LIMITS.temperature.max, false),
      topP: clampNumber(v.topP, fallback.topP, LIMITS.topP.min, LIMITS.topP.max, false),
    };
  }
  return out;
}

/** The engine's sampling settings; the knobs not exposed in the UI keep llama.cpp-like defaults. */
export function samplingFrom(settings: Settings, modelId: string): SamplingSettings {
  const { temperature, topP } = modelSampling(settings, modelId);
  return {
    temperature,
    topK: 40,
    topP,
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

  /** Back to defaults, but keeps the chosen model and the open chat: resetting tuning should not unload or close anything. */
  async reset(current: Settings): Promise<Settings> {
    return this.save({ ...DEFAULT_SETTINGS, modelId: current.modelId, lastConversationId: current.lastConversationId });
  }
}
