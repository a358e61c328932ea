/** What the browser tells us about the device: memory, storage, persistence, and whether a model fits. */

/** 'memory-saving': too large as made, runs with the int8 KV cache and smaller head (models.svelte.ts);
 * 'shorter-context': too large with the model's whole context even so, runs with a shorter one. */
export type Fit = 'fits' | 'tight' | 'memory-saving' | 'shorter-context' | 'too-big' | 'unknown';

/**
 * navigator.deviceMemory is coarse (rounded down to a power of two, capped at 8 GB) and missing outside Chromium.
 * A tab can use only part of the device's memory: the OS and other apps keep the rest. So a model fits when it
 * needs at most half the reported memory, is tight up to 80 %, and is too big beyond that.
 */
export function memoryFit(neededBytes: number | undefined, deviceMemoryGB: number | undefined): Fit {
  if (!neededBytes || !deviceMemoryGB) return 'unknown';
  const deviceBytes = deviceMemoryGB * 1024 ** 3;
  if (neededBytes <= deviceBytes * 0.5) return 'fits';
  if (neededBytes <= deviceBytes * 0.8) return 'tight';
  return 'too-big';
}

/** Combines memory with free storage: a model that cannot be stored does not fit either. */
export function modelFit(
  neededMemoryBytes: number | undefined,
  downloadBytes: number | undefined,
  deviceMemoryGB: number | undefined,
  freeStorageBytes: number | undefined,
): Fit {
  const memory = memoryFit(neededMemoryBytes, deviceMemoryGB);
  if (downloadBytes !== undefined && freeStorageBytes !== undefined && downloadBytes > freeStorageBytes) return 'too-big';
  return memory;
}

export function deviceMemoryGB(): number | undefined {
  const value = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
  return typeof value === 'number' && value > 0 ? value : undefined;
}

export interface StorageInfo {
  usedBytes?: number;
  quotaBytes?: number;
  persisted?: boolean;
}

export async function storageInfo(): Promise<StorageInfo> {
  const storage = navigator.storage;
  if (!storage) return {};
  const [estimate, persisted] = await Promise.all([
    storage.estimate ? storage.estimate().catch(() => undefined) : undefined,
    storage.persisted ? storage.persisted().catch(() => undefined) : undefined,
  ]);
  return { usedBytes: estimate?.usage, quotaBytes: estimate?.quota, persisted };
}

/** Asks the browser to keep this site's data; Chromium decides silently (installed apps are usually granted). */
export async function requestPersistence(): Promise<boolean> {
  return navigator.storage?.persist ? navigator.storage.persist().catch(() => false) : false;
}

export function isIosSafari(userAgent: string, maxTouchPoints: number, standalone: boolean): boolean {
  if (standalone) return false;
  const ios = /iPad|iPhone|iPod/.test(userAgent) || (/Macintosh/.test(userAgent) && maxTouchPoints > 1);
  // Other iOS browsers (CriOS, FxiOS, EdgiOS) cannot add to the home screen the same way.
  return ios && /Safari/.test(userAgent) && !/CriOS|FxiOS|EdgiOS|OPiOS/.test(userAgent);
}
