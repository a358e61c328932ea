import { describe, expect, it } from 'vitest';
import { MemoryKeyValueStore } from './kv';
import {
  DEFAULT_SETTINGS,
  DEMO_MODEL_ID,
  SettingsStore,
  deviceThreads,
  modelSampling,
  normalizeSettings,
  resolveThreads,
  samplingFrom,
  type Settings,
} from './settings';

describe('settings', () => {
  it('clamps out-of-range values and fills what is missing', () => {
    const s = normalizeSettings({ sampling: { x: { temperature: 9, topP: -1 } }, maxTokens: 10.6, contextSize: 100000, threads: 0, systemPrompt: 5 });
    expect(s).toEqual({
      ...DEFAULT_SETTINGS,
      sampling: { x: { temperature: 2, topP: 0.05 } },
      maxTokens: 16,
      contextSize: 4096,
      threads: 1,
    });
    expect(normalizeSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(normalizeSettings({ sampling: { x: { temperature: Number.NaN } } }).sampling.x).toEqual({ temperature: 0.7, topP: 0.9 });
  });

  it('threads default from the device and never exceed the engine pool', () => {
    expect(deviceThreads(16)).toBe(8);
    expect(deviceThreads(undefined)).toBe(1);
    expect(resolveThreads({ ...DEFAULT_SETTINGS, threads: 'auto' }, 4)).toBe(4);
    expect(resolveThreads({ ...DEFAULT_SETTINGS, threads: 6 }, 4)).toBe(4);
    expect(resolveThreads({ ...DEFAULT_SETTINGS, threads: 2 }, 4)).toBe(2);
  });

  it('each model has its own default sampling: the demo model always picks the most likely word', () => {
    expect(samplingFrom(DEFAULT_SETTINGS, DEMO_MODEL_ID)).toMatchObject({ temperature: 0 });
    expect(samplingFrom(DEFAULT_SETTINGS, 'bitnet-b1.58-2b-4t')).toMatchObject({ temperature: 0.7, topP: 0.9 });
    // An older version's single temperature does not carry over to the demo model.
    expect(modelSampling(normalizeSettings({ temperature: 0.7, topP: 0.9 }), DEMO_MODEL_ID).temperature).toBe(0);
  });

  it('keeps the person\'s choice per model and maps it to the engine sampling settings', () => {
    const mine: Settings = { ...DEFAULT_SETTINGS, sampling: { 'bitnet-b1.58-2b-4t': { temperature: 0.2, topP: 0.5 } }, maxTokens: 64 };
    expect(samplingFrom(mine, 'bitnet-b1.58-2b-4t')).toMatchObject({ temperature: 0.2, topP: 0.5, maxTokens: 64 });
    expect(samplingFrom(mine, DEMO_MODEL_ID)).toMatchObject({ temperature: 0, maxTokens: 64 });
  });

  it('saves, loads, and resets to defaults while keeping the chosen model and the open chat', async () => {
    const store = new SettingsStore(new MemoryKeyValueStore<Settings>());
    expect(await store.load()).toEqual(DEFAULT_SETTINGS);
    const mine: Settings = {
      ...DEFAULT_SETTINGS,
      systemPrompt: 'Speak French.',
      sampling: { 'bitnet-b1.58-2b-4t': { temperature: 0.2, topP: 0.9 } },
      threads: 2,
      modelId: 'bitnet-b1.58-2b-4t',
      lastConversationId: 'abc',
    };
    await store.save(mine);
    expect(await store.load()).toEqual(mine);
    const reset = await store.reset(mine);
    expect(reset).toEqual({ ...DEFAULT_SETTINGS, modelId: 'bitnet-b1.58-2b-4t', lastConversationId: 'abc' });
    expect(await store.load()).toEqual(reset);
  });
});
