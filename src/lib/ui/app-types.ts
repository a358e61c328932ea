/**
 * The shapes AppState works with, where it keeps its data (IndexedDB) and where it finds a model's bytes.
 */
import type { EngineClient } from '../engine/client';
import type { ModelSource } from '../engine/protocol';
import { BUILTIN_CATALOGUE, type CatalogueSource } from '../store/catalogue';
import type { Conversation } from './conversations';
import type { UiError } from './errors';
import { IdbKeyValueStore, type KeyValueStore } from './kv';
import type { Preset } from './presets';
import { DEMO_MODEL_ID, type Settings } from './settings';

export type ModelPhase = 'none' | 'loading' | 'ready' | 'error';

export interface AppStorage {
  settings: KeyValueStore<Settings>;
  conversations: KeyValueStore<Conversation>;
  presets?: KeyValueStore<Preset>;
}

export function browserStorage(): AppStorage {
  return {
    settings: new IdbKeyValueStore<Settings>('trit-settings', 'settings'),
    conversations: new IdbKeyValueStore<Conversation>('trit-conversations', 'conversations'),
    presets: new IdbKeyValueStore<Preset>('trit-presets', 'presets'),
  };
}

/** A model the person can load: the bundled demo, or one in the model store. */
export interface ModelChoice {
  id: string;
  name: string;
  source: CatalogueSource | 'import';
  url?: string;
}

/** A model that failed to load, and the model the app went back to instead (if any). */
export interface LoadFailure {
  entry: ModelChoice;
  error: UiError;
  backTo?: string;
}

/** A message refused before sending because it cannot fit the loaded model's context. */
export interface TooLong {
  tokens: number;
  nCtx: number;
}

/** The demo model is served by the app itself; resolve it against the page so the app also works under a sub-path. */
export function modelSourceFor(choice: ModelChoice, baseUri: string): ModelSource {
  if (choice.source === 'demo' && choice.url) return { kind: 'url', url: new URL(choice.url.replace(/^\//, ''), baseUri).href };
  return { kind: 'stored', modelId: choice.id };
}

export interface AppStateOptions {
  storage?: AppStorage;
  /** Looks a saved model choice up in the store (stored and user-added models); defaults to the built-in catalogue. */
  findModel?: (id: string) => Promise<ModelChoice | undefined>;
  /** Starts the engine worker (tests pass another). */
  createClient?: () => EngineClient;
}

export function demoEntry(): ModelChoice | undefined {
  return BUILTIN_CATALOGUE.find((e) => e.id === DEMO_MODEL_ID);
}
