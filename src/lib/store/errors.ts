import { TritError, type StoreErrorCode } from '../errors';

export type { StoreErrorCode };

/** The store's own codes plus those any layer may raise through it. */
type StoreCode = StoreErrorCode | 'busy' | 'cancelled' | 'internal';

export interface StoreErrorDetails {
  /** Bytes the operation still needs to store. */
  neededBytes?: number;
  /** Bytes the browser says are still free for this site. */
  freeBytes?: number;
  /** Shards concerned (e.g. a checksum mismatch or missing shards), with their byte ranges. */
  shards?: Array<{ index: number; start: number; end: number }>;
  httpStatus?: number;
}

export class StoreError extends TritError {
  override readonly code: StoreCode;
  readonly details: StoreErrorDetails;

  constructor(code: StoreCode, message: string, hint: string, details: StoreErrorDetails = {}) {
    super(code, message, hint);
    this.name = 'StoreError';
    this.code = code;
    this.details = details;
  }
}

/** Human-readable byte counts for messages ("1.19 GB"): decimal units, as storage settings screens show them. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'an unknown amount';
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} bytes` : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

export function insufficientStorage(neededBytes: number, freeBytes: number): StoreError {
  return new StoreError(
    'insufficient_storage',
    `This model needs ${formatBytes(neededBytes)} of storage but only ${formatBytes(freeBytes)} is free for this app.`,
    `Free at least ${formatBytes(neededBytes - freeBytes)} (delete other models, photos or videos, or clear other sites' data), then try again.`,
    { neededBytes, freeBytes },
  );
}

export function quotaExceeded(storedBytes: number, remainingBytes: number): StoreError {
  return new StoreError(
    'quota_exceeded',
    `The device ran out of storage after ${formatBytes(storedBytes)}; what was downloaded is kept.`,
    `Free ${formatBytes(remainingBytes)} or more (other models, photos, videos, other sites' data), then tap Resume: it continues where it stopped.`,
    { neededBytes: remainingBytes },
  );
}

export function offlineError(action: string): StoreError {
  return new StoreError(
    'offline',
    `${action} needs the network, and this device is offline.`,
    'Connect to Wi-Fi and try again. Models already stored still load, export and delete offline.',
  );
}

export function networkError(detail: string): StoreError {
  return new StoreError(
    'network',
    `The download was interrupted: ${detail}.`,
    'Check the Wi-Fi connection and tap Resume: it continues from the last complete piece, not from zero.',
  );
}

/** Browsers name a full disk differently: QuotaExceededError (spec), NS_ERROR_DOM_QUOTA_REACHED (old Firefox). */
export function isQuotaError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const name = (e as { name?: unknown }).name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

export function isAbortError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}
