import { createStore, del, delMany, get, keys, set, values, type UseStore } from 'idb-keyval';
import type { CatalogueEntry } from './catalogue';
import type { ModelManifest } from './manifest';
import { pieceIndexFromKey, pieceKey, shardIndexFromKey, shardKey } from './shards';
import { isQuotaError } from './errors';

/** Where manifests and shard bytes live. IndexedDB in the app; an in-memory map in unit tests. */
export interface StoreBackend {
  getManifest(id: string): Promise<ModelManifest | undefined>;
  putManifest(m: ModelManifest): Promise<void>;
  deleteManifest(id: string): Promise<void>;
  listManifests(): Promise<ModelManifest[]>;
  getUserEntries(): Promise<CatalogueEntry[]>;
  putUserEntries(entries: CatalogueEntry[]): Promise<void>;
  putShard(id: string, index: number, bytes: Uint8Array): Promise<void>;
  /** A Blob where the backend can keep bytes on disk (IndexedDB), so exports and reads never need the whole file in memory. */
  getShard(id: string, index: number): Promise<Blob | undefined>;
  shardIndexes(id: string): Promise<Set<number>>;
  deleteShards(id: string, indexes: number[]): Promise<void>;
  /** The received start of an unfinished shard, kept across a pause or a cut so its bytes are not fetched twice. */
  putPiece(id: string, index: number, bytes: Uint8Array): Promise<void>;
  getPiece(id: string, index: number): Promise<Blob | undefined>;
  /** Deletes the given pieces, or every piece of the model. */
  deletePieces(id: string, indexes?: number[]): Promise<void>;
}

// idb-keyval opens each database with a single object store, so manifests and shards get a database each.
export const SHARD_DB = 'trit-model-shards';
export const SHARD_STORE = 'shards';
export const MANIFEST_DB = 'trit-model-manifests';
export const MANIFEST_STORE = 'manifests';
const MANIFEST_PREFIX = 'model:';
const USER_ENTRIES_KEY = 'catalogue:user';

export async function shardToBytes(shard: Blob | Uint8Array): Promise<Uint8Array> {
  return shard instanceof Uint8Array ? shard : new Uint8Array(await shard.arrayBuffer());
}

/** Copies into a Blob so IndexedDB stores the shard as a file-backed blob (Chromium keeps large blobs on disk). */
function toBlob(bytes: Uint8Array): Blob {
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
}

export class IdbBackend implements StoreBackend {
  private readonly shardsDb: UseStore;
  private readonly manifestsDb: UseStore;
  /** Set once IndexedDB refused a Blob: WebKit's ephemeral sessions (Safari Private Browsing, WebDriver) store
   * typed arrays but not Blobs ("Error preparing Blob/File data"); the bytes are kept as they are from then on. */
  private blobsRefused = false;

  constructor(shardDbName = SHARD_DB, manifestDbName = MANIFEST_DB) {
    this.shardsDb = createStore(shardDbName, SHARD_STORE);
    this.manifestsDb = createStore(manifestDbName, MANIFEST_STORE);
  }

  getManifest(id: string) {
    return get<ModelManifest>(MANIFEST_PREFIX + id, this.manifestsDb);
  }
  putManifest(m: ModelManifest) {
    return set(MANIFEST_PREFIX + m.id, m, this.manifestsDb);
  }
  deleteManifest(id: string) {
    return del(MANIFEST_PREFIX + id, this.manifestsDb);
  }
  async listManifests() {
    const all = await values<ModelManifest | CatalogueEntry[]>(this.manifestsDb);
    return all.filter((v): v is ModelManifest => !Array.isArray(v) && typeof v === 'object' && v !== null && 'shards' in v);
  }
  async getUserEntries() {
    return (await get<CatalogueEntry[]>(USER_ENTRIES_KEY, this.manifestsDb)) ?? [];
  }
  putUserEntries(entries: CatalogueEntry[]) {
    return set(USER_ENTRIES_KEY, entries, this.manifestsDb);
  }
  putShard(id: string, index: number, bytes: Uint8Array) {
    return this.putBytes(shardKey(id, index), bytes);
  }
  private async putBytes(key: string, bytes: Uint8Array): Promise<void> {
    if (!this.blobsRefused) {
      try {
        return await set(key, toBlob(bytes), this.shardsDb);
      } catch (e) {
        if (isQuotaError(e)) throw e;
        this.blobsRefused = true;
      }
    }
    await set(key, bytes.slice(), this.shardsDb);
  }
  async getShard(id: string, index: number) {
    const v = await get<Blob | Uint8Array>(shardKey(id, index), this.shardsDb);
    if (v === undefined) return undefined;
    return v instanceof Blob ? v : toBlob(v);
  }
  async shardIndexes(id: string) {
    const present = new Set<number>();
    for (const key of await keys(this.shardsDb)) {
      const i = shardIndexFromKey(id, key);
      if (i !== undefined) present.add(i);
    }
    return present;
  }
  deleteShards(id: string, indexes: number[]) {
    return delMany(
      indexes.map((i) => shardKey(id, i)),
      this.shardsDb,
    );
  }
  putPiece(id: string, index: number, bytes: Uint8Array) {
    return this.putBytes(pieceKey(id, index), bytes);
  }
  async getPiece(id: string, index: number) {
    const v = await get<Blob | Uint8Array>(pieceKey(id, index), this.shardsDb);
    if (v === undefined) return undefined;
    return v instanceof Blob ? v : toBlob(v);
  }
  async deletePieces(id: string, indexes?: number[]) {
    const all = indexes ?? (await keys(this.shardsDb)).flatMap((k) => pieceIndexFromKey(id, k) ?? []);
    await delMany(
      all.map((i) => pieceKey(id, i)),
      this.shardsDb,
    );
  }
}

/** Same contract in memory, with an optional byte budget to exercise the out-of-space paths in unit tests. */
export class MemoryBackend implements StoreBackend {
  readonly manifests = new Map<string, ModelManifest>();
  readonly shards = new Map<string, Blob>();
  readonly pieces = new Map<string, Blob>();
  private userEntries: CatalogueEntry[] = [];

  constructor(public quotaBytes = Infinity) {}

  usedBytes(): number {
    let total = 0;
    for (const b of [...this.shards.values(), ...this.pieces.values()]) total += b.size;
    return total;
  }

  /** Fails as a full browser store does when replacing `previous` with `size` bytes would pass the quota. */
  private makeRoom(previous: Blob | undefined, size: number) {
    if (this.usedBytes() - (previous?.size ?? 0) + size > this.quotaBytes) {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
  }

  async getManifest(id: string) {
    const m = this.manifests.get(id);
    return m && structuredClone(m);
  }
  async putManifest(m: ModelManifest) {
    this.manifests.set(m.id, structuredClone(m));
  }
  async deleteManifest(id: string) {
    this.manifests.delete(id);
  }
  async listManifests() {
    return [...this.manifests.values()].map((m) => structuredClone(m));
  }
  async getUserEntries() {
    return structuredClone(this.userEntries);
  }
  async putUserEntries(entries: CatalogueEntry[]) {
    this.userEntries = structuredClone(entries);
  }
  async putShard(id: string, index: number, bytes: Uint8Array) {
    const key = shardKey(id, index);
    this.makeRoom(this.shards.get(key), bytes.length);
    this.shards.set(key, toBlob(bytes));
  }
  async getShard(id: string, index: number) {
    return this.shards.get(shardKey(id, index));
  }
  async shardIndexes(id: string) {
    const present = new Set<number>();
    for (const key of this.shards.keys()) {
      const i = shardIndexFromKey(id, key);
      if (i !== undefined) present.add(i);
    }
    return present;
  }
  async deleteShards(id: string, indexes: number[]) {
    for (const i of indexes) this.shards.delete(shardKey(id, i));
  }
  async putPiece(id: string, index: number, bytes: Uint8Array) {
    const key = pieceKey(id, index);
    this.makeRoom(this.pieces.get(key), bytes.length);
    this.pieces.set(key, toBlob(bytes));
  }
  async getPiece(id: string, index: number) {
    return this.pieces.get(pieceKey(id, index));
  }
  async deletePieces(id: string, indexes?: number[]) {
    for (const key of [...this.pieces.keys()]) {
      const i = pieceIndexFromKey(id, key);
      if (i !== undefined && (!indexes || indexes.includes(i))) this.pieces.delete(key);
    }
  }
}
