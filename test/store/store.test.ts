import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/lib/store/backend';
import type { CatalogueEntry } from '../../src/lib/store/catalogue';
import { LocalLocks } from '../../src/lib/store/locks';
import { type StoreOptions, type StoreProgress, createModelStore } from '../../src/lib/store/store';
import { FakeServer, syntheticGguf } from './fake-server';

const SHARD = 64 * 1024;
const SIZE = 10 * SHARD + 1234;
const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function setup(opts: { range?: boolean; sha?: boolean; size?: number; entry?: Partial<CatalogueEntry> } & Partial<StoreOptions> = {}) {
  const data = syntheticGguf(opts.size ?? SIZE);
  const server = new FakeServer(data, { range: opts.range ?? true, chunkSize: 16 * 1024 });
  const backend = (opts.backend as MemoryBackend | undefined) ?? new MemoryBackend();
  const entry: CatalogueEntry = {
    id: 'test-model',
    name: 'Test model',
    source: 'official',
    url: 'https://models.test/test.gguf',
    fileName: 'test.gguf',
    sha256: opts.sha === false ? undefined : hex(data),
    ...opts.entry,
  };
  const locks = opts.locks ?? new LocalLocks();
  const make = (extra: Partial<StoreOptions> = {}) =>
    createModelStore({
      backend,
      fetch: server.fetch,
      catalogue: [entry],
      shardSize: SHARD,
      concurrency: 3,
      retryDelaysMs: [],
      locks,
      estimate: async () => ({ quota: 1e12, usage: 0 }),
      persist: async () => true,
      persisted: async () => false,
      isOnline: () => true,
      ...opts,
      ...extra,
    });
  return { data, server, backend, entry, store: make(), make, locks };
}

async function storedFile(store: ReturnType<typeof createModelStore>, id: string) {
  const parts: Uint8Array[] = [];
  for await (const c of (await store.open(id)).chunks()) parts.push(c);
  return new Uint8Array(Buffer.concat(parts));
}

describe('download', () => {
  it('fetches every shard with Range, verifies the sha256 and reports throttled progress', async () => {
    const { store, data, server } = setup();
    const progress: StoreProgress[] = [];
    const out = await store.download('test-model', { onProgress: (p) => progress.push(p) });
    expect(out).toMatchObject({ state: 'ready', mode: 'ranged', persisted: true, fetchedBytes: SIZE });
    // The catalogue entry has no size: one HEAD, then one ranged GET per shard.
    expect(server.requests[0].method).toBe('HEAD');
    const gets = server.requests.slice(1);
    expect(gets.every((r) => r.method === 'GET' && r.range !== null)).toBe(true);
    expect(gets).toHaveLength(11);
    expect(hex(await storedFile(store, 'test-model'))).toBe(hex(data));
    const last = progress.at(-1)!;
    expect(last.doneBytes).toBe(SIZE);
    expect(last.shardsDone).toBe(11);
    const view = await store.get('test-model');
    expect(view).toMatchObject({ state: 'ready', verified: true, storedBytes: SIZE, missingShards: [] });
  });

  it('works with a server that ignores Range: one stream cut into shards', async () => {
    const { store, data, server } = setup({ range: false });
    const out = await store.download('test-model');
    expect(out).toMatchObject({ state: 'ready', mode: 'stream' });
    // The answer to the first Range request is the whole file: it becomes the one stream, nothing is fetched twice.
    expect(server.bodyBytesSent).toBe(SIZE);
    expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(1);
    expect(hex(await storedFile(store, 'test-model'))).toBe(hex(data));
  });

  it('learns the size from the server when the catalogue has none (HEAD)', async () => {
    const { store, server } = setup({ sha: false });
    await store.download('test-model');
    expect(server.requests[0].method).toBe('HEAD');
    expect((await store.get('test-model'))?.sizeBytes).toBe(SIZE);
  });

  it('after a cut at ~40% and a "reload" resumes from the first missing shard, never from zero', async () => {
    const { server, make, data } = setup();
    server.opts.cutAfterBytes = Math.floor(SIZE * 0.4);
    const first = make();
    await expect(first.download('test-model')).rejects.toMatchObject({ code: 'network' });
    const afterCut = await first.get('test-model');
    expect(afterCut?.state).toBe('paused');
    expect(afterCut?.error?.code).toBe('network');
    const kept = afterCut!.storedBytes;
    expect(kept).toBeGreaterThan(0);

    server.opts.cutAfterBytes = undefined;
    server.bodyBytesSent = 0;
    server.requests = [];
    const reloaded = make();
    const [out] = await reloaded.resumeInterrupted();
    expect(out.state).toBe('ready');
    expect(server.bodyBytesSent).toBe(SIZE - kept);
    expect(server.requests.some((r) => r.range === 'bytes=0-65535')).toBe(false);
    expect(hex(await storedFile(reloaded, 'test-model'))).toBe(hex(data));
  });

  it('a download interrupted by a closed tab (state left "downloading") shows as paused and resumes', async () => {
    const { store, backend, make } = setup();
    await store.download('test-model');
    const m = (await backend.getManifest('test-model'))!;
    await backend.putManifest({ ...m, state: 'downloading', shards: m.shards.map((h, i) => (i >= 5 ? null : h)) });
    await backend.deleteShards('test-model', [5, 6, 7, 8, 9, 10]);
    const fresh = make();
    expect((await fresh.get('test-model'))?.state).toBe('paused');
    const outs = await fresh.resumeInterrupted();
    expect(outs.map((o) => o.state)).toEqual(['ready']);
  });

  it('detects a byte corrupted in transit, names the shard and refetches it', async () => {
    const { store, server, data } = setup();
    const offset = 3 * SHARD + 77;
    server.corruptPending = offset;
    const notices: string[] = [];
    const out = await store.download('test-model', { onProgress: (p) => p.notice && notices.push(p.notice) });
    expect(out.state).toBe('ready');
    expect(out.repairedShards).toEqual([{ index: 3, start: 3 * SHARD, end: 4 * SHARD }]);
    expect(notices.join(' ')).toContain(`shard 3 (bytes ${3 * SHARD}–${4 * SHARD - 1})`);
    expect(hex(await storedFile(store, 'test-model'))).toBe(hex(data));
  });

  it('repairs a corrupt byte from a server without Range too', async () => {
    const { store, server, data } = setup({ range: false });
    server.corruptPending = 5 * SHARD + 1;
    const out = await store.download('test-model');
    expect(out.repairedShards?.map((s) => s.index)).toEqual([5]);
    expect(hex(await storedFile(store, 'test-model'))).toBe(hex(data));
  });

  it('fails plainly when the server keeps sending bytes that do not match the published sha256', async () => {
    const { store, backend } = setup({ entry: { sha256: 'a'.repeat(64) } });
    await expect(store.download('test-model')).rejects.toMatchObject({ code: 'checksum_mismatch' });
    expect((await backend.getManifest('test-model'))?.state).toBe('error');
  });

  it('refuses before fetching a byte when the quota is too small, saying needed and free', async () => {
    const { store, server, backend } = setup({ estimate: async () => ({ quota: 300_000, usage: 100_000 }) });
    const err = await store.download('test-model').catch((e) => e);
    expect(err).toMatchObject({ code: 'insufficient_storage', details: { neededBytes: SIZE, freeBytes: 200_000 } });
    expect(server.bodyBytesSent).toBe(0);
    expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(0);
    expect(await backend.getManifest('test-model')).toBeUndefined();
  });

  it('stops cleanly on QuotaExceededError mid-way, keeps the shards and says what to free', async () => {
    const backend = new MemoryBackend(4 * SHARD + 10);
    const { store } = setup({ backend, concurrency: 1 });
    const err = await store.download('test-model').catch((e) => e);
    expect(err).toMatchObject({ code: 'quota_exceeded' });
    expect(err.hint).toMatch(/Free .* then tap Resume/);
    const v = await store.get('test-model');
    expect(v).toMatchObject({ state: 'paused', storedBytes: 4 * SHARD });
    expect(backend.shards.size).toBe(4);
  });

  it('says plainly that downloading needs the network when offline', async () => {
    const { store, server } = setup({ isOnline: () => false });
    await expect(store.download('test-model')).rejects.toMatchObject({ code: 'offline' });
    expect(server.requests).toHaveLength(0);
  });

  it('pause stops it and resume finishes it', async () => {
    const { store, data } = setup();
    let paused = false;
    const out = await store.download('test-model', {
      onProgress: (p) => {
        if (!paused && p.doneBytes > SIZE / 3) {
          paused = true;
          store.pause('test-model');
        }
      },
    });
    expect(out.state).toBe('paused');
    expect((await store.get('test-model'))?.state).toBe('paused');
    expect((await store.resume('test-model')).state).toBe('ready');
    expect(hex(await storedFile(store, 'test-model'))).toBe(hex(data));
  });
});

describe('eviction, verify, delete, import, export', () => {
  it('shows a model with a lost shard as partial, refuses to open it, and repair fetches only that shard', async () => {
    const { store, backend, server } = setup();
    await store.download('test-model');
    await backend.deleteShards('test-model', [7]);
    const v = await store.get('test-model');
    expect(v).toMatchObject({ state: 'partial', missingShards: [7] });
    await expect(store.open('test-model')).rejects.toMatchObject({ code: 'incomplete', details: { shards: [{ index: 7, start: 7 * SHARD, end: 8 * SHARD }] } });
    server.requests = [];
    server.bodyBytesSent = 0;
    await store.download('test-model');
    expect(server.requests.map((r) => r.range)).toEqual([`bytes=${7 * SHARD}-${8 * SHARD - 1}`]);
    expect((await store.get('test-model'))?.state).toBe('ready');
  });

  it('verify finds a shard altered on disk', async () => {
    const { store, backend } = setup();
    await store.download('test-model');
    const bytes = new Uint8Array(await (await backend.getShard('test-model', 2))!.arrayBuffer());
    bytes[10] ^= 1;
    await backend.putShard('test-model', 2, bytes);
    const r = await store.verify('test-model');
    expect(r).toMatchObject({ ok: false, corruptShards: [2], missingShards: [2], state: 'partial' });
  });

  it('refuses to delete a model in use, then deletes it and frees every shard', async () => {
    const { store, backend } = setup();
    await store.download('test-model');
    const release = await store.hold('test-model');
    expect((await store.get('test-model'))?.inUse).toBe(true);
    await expect(store.delete('test-model')).rejects.toMatchObject({ code: 'in_use' });
    release();
    await store.delete('test-model');
    expect(backend.shards.size).toBe(0);
    expect((await store.get('test-model'))?.state).toBe('available');
  });

  it('imports a GGUF file by streaming it into shards and exports identical bytes', async () => {
    const { store, backend } = setup();
    const data = syntheticGguf(5 * SHARD + 99, 7);
    const file = new File([data], 'my-model.gguf');
    let inspected = 0;
    const withInspect = createModelStore({ backend, shardSize: SHARD, locks: new LocalLocks(), estimate: async () => ({}), inspect: async (h) => {
      inspected = h.length;
      return { complete: true, runnable: true, architecture: 'bitnet-b1.58', tensorCount: 5, dataEnd: h.length };
    } });
    const v = await withInspect.import(file);
    expect(inspected).toBe(SHARD);
    expect(v).toMatchObject({ state: 'ready', source: 'import', sizeBytes: data.length, shardCount: 6 });
    const exported = await store.export(v.id);
    expect(exported.fileName).toBe('my-model.gguf');
    expect(hex(new Uint8Array(await exported.blob.arrayBuffer()))).toBe(hex(data));
    await expect(store.download(v.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('rejects a non-GGUF file and a file the engine cannot read, storing nothing', async () => {
    const backend = new MemoryBackend();
    const store = createModelStore({ backend, shardSize: SHARD, locks: new LocalLocks(), estimate: async () => ({}) });
    await expect(store.import(new File([new Uint8Array(1000)], 'x.gguf'))).rejects.toMatchObject({ code: 'not_gguf' });
    const picky = createModelStore({
      backend,
      shardSize: SHARD,
      locks: new LocalLocks(),
      estimate: async () => ({}),
      inspect: async () => {
        throw new Error('unsupported architecture "gemma"');
      },
    });
    await expect(picky.import(new File([syntheticGguf(1000)], 'g.gguf'))).rejects.toThrow(/gemma/);
    expect(backend.shards.size).toBe(0);
    expect(backend.manifests.size).toBe(0);
  });

  it('adds a model by URL and downloads it', async () => {
    const { store, server, data } = setup({ sha: false });
    const v = await store.addByUrl('https://models.test/other.gguf', 'Other');
    expect(v).toMatchObject({ source: 'user', state: 'available', name: 'Other' });
    expect((await store.list()).map((x) => x.id)).toContain(v.id);
    await store.download(v.id);
    expect(hex(await storedFile(store, v.id))).toBe(hex(data));
    expect(server.requests[0].method).toBe('HEAD');
  });

  it('open hands shards over in order and measures read time', async () => {
    const { store } = setup();
    await store.download('test-model');
    const opened = await store.open('test-model');
    const sizes: number[] = [];
    for await (const c of opened.chunks()) sizes.push(c.length);
    expect(sizes).toEqual([...Array(10).fill(SHARD), 1234]);
    expect(opened.readMs).toBeGreaterThanOrEqual(0);
    expect(opened.elapsedMs()).toBeGreaterThanOrEqual(0);
  });
});
