import { describe, expect, it } from 'vitest';
import { MemoryKeyValueStore } from './kv';
import { DEFAULT_SETTINGS, SettingsStore, deviceThreads, normalizeSettings, resolveThreads, samplingFrom, type Settings } from './settings';

describe('settings', () => {
  it('clamps out-of-range values and fills what is missing', () => {
    const s = normalizeSettings({ temperature: 9, topP: -1, maxTokens: 10.6, contextSize: 100000, threads: 0, systemPrompt: 5 });
    expect(s).toEqual({
      ...DEFAULT_SETTINGS,
      temperature: 2,
      topP: 0.05,
      maxTokens: 16,
      contextSize: 4096,
      threads: 1,
    });
    expect(normalizeSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(normalizeSettings({ temperature: Number.NaN }).temperature).toBe(DEFAULT_SETTINGS.temperature);
  });

  it('threads default from the device and never exceed the engine pool', () => {
    expect(deviceThreads(16)).toBe(8);
    expect(deviceThreads(undefined)).toBe(1);
    expect(resolveThreads({ ...DEFAULT_SETTINGS, threads: 'auto' }, 4)).toBe(4);
    expect(resolveThreads({ ...DEFAULT_SETTINGS, threads: 6 }, 4)).toBe(4);
    expect(resolveThreads({ ...DEFAULT_SETTINGS, threads: 2 }, 4)).toBe(2);
  });

  it('maps to the engine sampling settings', () => {
    const sampling = samplingFrom({ ...DEFAULT_SETTINGS, temperature: 0, topP: 0.5, maxTokens: 64 });
    expect(sampling).toMatchObject({ temperature: 0, topP: 0.5, maxTokens: 64 });
  });

  it('saves, loads, and resets to defaults while keeping the chosen model', async () => {
    const store = new SettingsStore(new MemoryKeyValueStore<Settings>());
    expect(await store.load()).toEqual(DEFAULT_SETTINGS);
    const mine: Settings = { ...DEFAULT_SETTINGS, systemPrompt: 'Speak French.', temperature: 0.2, threads: 2, modelId: 'bitnet-b1.58-2b-4t' };
    await store.save(mine);
    expect(await store.load()).toEqual(mine);
    const reset = await store.reset(mine);
    expect(reset).toEqual({ ...DEFAULT_SETTINGS, modelId: 'bitnet-b1.58-2b-4t' });
    expect(await store.load()).toEqual(reset);
  });
});
