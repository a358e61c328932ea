import { TritError, type StoreErrorCode } from '../errors';
import { formatBytes } from '../units';

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
  /** The technical reason, for the "Details" disclosure (e.g. the engine's words about a header). */
  detail?: string;
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

/** What a person without the internet can still do: the file itself travels by USB stick or from another device. */
const IMPORT_INSTEAD = 'Or copy the .gguf file from a USB stick or another device and use "Add a model from a file".';

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
    `${action} needs the internet, and this device is offline.`,
    `Connect to Wi-Fi and try again. Models already stored still load, export and delete offline. ${IMPORT_INSTEAD}`,
  );
}

/** No answer at all from the host while the device is online: down, or blocked by the network (a school firewall). */
export function hostUnreachable(host: string, detail?: string): StoreError {
  return new StoreError(
    'host_unreachable',
    `Could not reach ${host}. This network may block it (school networks often do), or the site may be down.`,
    `Try again later or on another network, or ask whoever runs this network to allow ${host}. ${IMPORT_INSTEAD}`,
    { detail },
  );
}

/**
 * A connection that broke after the download had started. `storedBytes` says whether anything is kept: only then
 * is there something to resume.
 */
export function interrupted(detail: string, storedBytes: number): StoreError {
  return new StoreError(
    'network',
    'The download was interrupted: the connection to the model host was lost.',
    storedBytes > 0
      ? `Check the Wi-Fi connection and tap Resume: it continues from the ${formatBytes(storedBytes)} already stored, not from zero.`
      : 'Check the Wi-Fi connection and tap Download to try again.',
    { detail },
  );
}

export function httpError(status: number, url: string): StoreError {
  const host = hostOf(url);
  if (status === 404 || status === 410) {
    return new StoreError('http', `There is no model file at this link (the server answered "not found", HTTP ${status}).`, 'Check the link, or choose another model.', {
      httpStatus: status,
      detail: url,
    });
  }
  if (status === 401 || status === 403) {
    return new StoreError('http', `${host} refused the download (HTTP ${status}).`, 'The link may need a login or may have expired; use a public link.', {
      httpStatus: status,
      detail: url,
    });
  }
  if (status >= 500 || status === 429) {
    return new StoreError('http', `${host} has a problem right now (HTTP ${status}).`, `Try again in a few minutes; anything already stored is kept. ${IMPORT_INSTEAD}`, {
      httpStatus: status,
      detail: url,
    });
  }
  return new StoreError('http', `${host} answered HTTP ${status}.`, 'Check the link, or try again later.', { httpStatus: status, detail: url });
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
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
