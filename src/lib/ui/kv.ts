/**
 * A tiny key-value store interface: IndexedDB (via idb-keyval) in the app, a Map in unit tests,
 * so the persistence logic is tested without a browser.
 */
import { clear, createStore, del, entries, get, set, type UseStore } from 'idb-keyval';

export interface KeyValueStore<V> {
  get(key: string): Promise<V | undefined>;
  set(key: string, value: V): Promise<void>;
  delete(key: string): Promise<void>;
  entries(): Promise<Array<[string, V]>>;
  clear(): Promise<void>;
}

export class IdbKeyValueStore<V> implements KeyValueStore<V> {
  private readonly db: UseStore;
  constructor(dbName: string, storeName: string) {
    this.db = createStore(dbName, storeName);
  }
  get(key: string) {
    return get<V>(key, this.db);
  }
  set(key: string, value: V) {
    return set(key, value, this.db);
  }
  delete(key: string) {
    return del(key, this.db);
  }
  async entries() {
    const all = await entries<IDBValidKey, V>(this.db);
    return all.filter((e): e is [string, V] => typeof e[0] === 'string');
  }
  clear() {
    return clear(this.db);
  }
}

export class MemoryKeyValueStore<V> implements KeyValueStore<V> {
  readonly map = new Map<string, V>();
  async get(key: string) {
    const v = this.map.get(key);
    return v === undefined ? undefined : structuredClone(v);
  }
  async set(key: string, value: V) {
    // structuredClone mirrors IndexedDB: a value that cannot be cloned (e.g. a reactive proxy) fails here too.
    this.map.set(key, structuredClone(value));
  }
  async delete(key: string) {
    this.map.delete(key);
  }
  async entries() {
    return [...this.map.entries()].map(([k, v]) => [k, structuredClone(v)] as [string, V]);
  }
  async clear() {
    this.map.clear();
  }
}
