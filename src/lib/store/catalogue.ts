import catalogueJson from './catalogue.json';
import { StoreError } from './errors';

export type CatalogueSource = 'official' | 'demo' | 'user';

/** One model the app knows how to get. */
export interface CatalogueEntry {
  id: string;
  name: string;
  description?: string;
  source: CatalogueSource;
  /** Absolute, or relative to the app (the demo model is served by the app itself). */
  url: string;
  fileName: string;
  /** Exact size when published; otherwise learned from the server (HEAD / Content-Range) before downloading. */
  sizeBytes?: number;
  /** Shown before the exact size is known. */
  approxSizeBytes?: number;
  /** sha256 of the whole file (lowercase hex) when published; the download is verified against it. */
  sha256?: string;
  /** Memory the engine needs to run it (weights + KV cache at full context + scratch); estimated from the size if absent. */
  memoryBytes?: number;
  /** The context memoryBytes is for, and what each token of it takes in the (f16) KV cache: with both, the manager
   * can tell a device that cannot hold the whole context that the model still runs with a shorter one. */
  contextTokens?: number;
  kvBytesPerToken?: number;
  /** The same two figures with the memory saving that stays within the reference tolerance (int8 KV cache and 6-bit
   * head, cpp/README.md): what the engine falls back to before it shortens the context (memory-budget.ts). */
  leanMemoryBytes?: number;
  leanKvBytesPerToken?: number;
  license?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Validates the shape of a catalogue document, so a bad edit fails loudly at startup, not mid-download. */
export function parseCatalogue(doc: unknown): CatalogueEntry[] {
  const bad = (why: string) => new Error(`model catalogue is invalid: ${why}`);
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { models?: unknown }).models)) throw bad('no "models" array');
  const seen = new Set<string>();
  return (doc as { models: unknown[] }).models.map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) throw bad(`entry ${i} is not an object`);
    const e = raw as Record<string, unknown>;
    for (const key of ['id', 'name', 'url', 'fileName', 'source'] as const) {
      if (typeof e[key] !== 'string' || (e[key] as string).length === 0) throw bad(`entry ${i} has no "${key}"`);
    }
    if (!['official', 'demo', 'user'].includes(e.source as string)) throw bad(`entry ${i} has unknown source ${String(e.source)}`);
    for (const key of ['sizeBytes', 'approxSizeBytes', 'memoryBytes', 'contextTokens', 'kvBytesPerToken', 'leanMemoryBytes', 'leanKvBytesPerToken'] as const) {
      if (e[key] !== undefined && !(Number.isSafeInteger(e[key]) && (e[key] as number) > 0)) throw bad(`entry ${i} has a bad "${key}"`);
    }
    if (e.sha256 !== undefined && !(typeof e.sha256 === 'string' && HEX64.test(e.sha256))) throw bad(`entry ${i} has a bad "sha256"`);
    if (seen.has(e.id as string)) throw bad(`duplicate id ${String(e.id)}`);
    seen.add(e.id as string);
    return raw as CatalogueEntry;
  });
}

/** The models shipped with the app (the official 2B-4T and the bundled demo). */
export const BUILTIN_CATALOGUE: readonly CatalogueEntry[] = Object.freeze(parseCatalogue(catalogueJson));

/**
 * Memory needed to run a model of this file size when the catalogue does not say: the weights are mapped 1:1,
 * plus KV cache and scratch, which for BitNet-family models at full context are about a quarter of the file.
 */
export function estimateMemoryBytes(fileBytes: number): number {
  return Math.ceil(fileBytes * 1.25) + 64 * 1024 * 1024;
}

export function memoryNeeded(entry: CatalogueEntry, knownSize?: number): number | undefined {
  if (entry.memoryBytes) return entry.memoryBytes;
  const size = knownSize ?? entry.sizeBytes ?? entry.approxSizeBytes;
  return size ? estimateMemoryBytes(size) : undefined;
}

/** The last path segment of a URL, as the name a downloaded or exported file gets. */
export function fileNameFromUrl(url: string): string {
  try {
    const path = new URL(url, 'http://local/').pathname;
    const last = decodeURIComponent(path.split('/').filter(Boolean).pop() ?? '');
    return last || 'model.gguf';
  } catch {
    return 'model.gguf';
  }
}

/** A stable id from a user-given URL, so adding the same URL twice finds the same model. */
export function idFromUrl(url: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < url.length; i++) {
    h ^= url.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const stem = fileNameFromUrl(url).replace(/\.gguf$/i, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `url-${stem || 'model'}-${h.toString(16).padStart(8, '0')}`;
}

/** Checks a URL a user typed before it becomes a catalogue entry. */
export function userEntryFromUrl(url: string, name?: string): CatalogueEntry {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreError('not_found', `"${url}" is not a web address.`, 'Paste the full link to a .gguf file, starting with https://');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new StoreError('not_found', `"${url}" is not a web address.`, 'Paste the full link to a .gguf file, starting with https://');
  }
  const fileName = fileNameFromUrl(parsed.href);
  return { id: idFromUrl(parsed.href), name: name?.trim() || fileName, source: 'user', url: parsed.href, fileName };
}
