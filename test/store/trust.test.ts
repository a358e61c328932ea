/**
 * What the store refuses and what it keeps: lying servers, files the engine cannot run, links to web pages, a
 * browser that holds the persistence answer, honest error words, and bytes kept across a pause. The structural
 * checks use the engine's own GGUF reader (the Node build), as the app does through its worker.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkModelFile } from '../../src/lib/engine/model-file-check';
import { createNodeEngine } from '../../src/lib/engine/node';
import type { WasmEngine } from '../../src/lib/engine/wasm-engine';
import { MemoryBackend } from '../../src/lib/store/backend';
import type { CatalogueEntry } from '../../src/lib/store/catalogue';
import { LocalLocks } from '../../src/lib/store/locks';
import { type HeaderInspector, type StoreOptions, createModelStore } from '../../src/lib/store/store';
import { FakeServer, type FakeServerOptions, syntheticGguf } from './fake-server';

const SMALL = new Uint8Array(readFileSync(new URL('../fixtures/small.gguf', import.meta.url)));
const SHARD = 64 * 1024;
const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let engine: WasmEngine;
let inspect: HeaderInspector;
beforeAll(async () => {
  engine = await createNodeEngine();
  inspect = async (head, size) => checkModelFile(engine, head, size);
});

function setup(data: Uint8Array, server: Partial<FakeServerOptions> = {}, opts: Partial<StoreOptions> & { entry?: Partial<CatalogueEntry> } = {}) {
  const fake = new FakeServer(data, { range: true, chunkSize: 16 * 1024, ...server });
  const backend = new MemoryBackend();
  const entry: CatalogueEntry = { id: 'm', name: 'Model', source: 'user', url: 'https://models.test/m.gguf', fileName: 'm.gguf', ...opts.entry };
  const store = createModelStore({
    backend,
    fetch: fake.fetch,
    catalogue: [entry],
    shardSize: SHARD,
    concurrency: 3,
    retryDelaysMs: [],
    locks: new LocalLocks(),
    estimate: async () => ({ quota: 1e12, usage: 0 }),
    persist: async () => true,
    persisted: async () => false,
    isOnline: () => true,
    inspect,
    ...opts,
  });
  return { fake, backend, store };
}

async function storedFile(store: ReturnType<typeof createModelStore>, id: string) {
  const parts: Uint8Array[] = [];
  for await (const c of (await store.open(id)).chunks()) parts.push(c);
  return new Uint8Array(Buffer.concat(parts));
}

describe('a lying server (206 with the bytes from offset 0)', () => {
  for (const lie of ['no-content-range', 'garbled-content-range', 'honest-wrong-range'] as const) {
    it(`never stores its bytes as the range asked for (${lie}), and streams the file instead`, async () => {
      const { store } = setup(SMALL, { lie });
      const out = await store.download('m');
      expect(out).toMatchObject({ state: 'ready', mode: 'stream', integrity: 'structure' });
      expect(hex(await storedFile(store, 'm'))).toBe(hex(SMALL));
    });
  }
});

describe('every finished download is checked', () => {
  it('without a published checksum: the engine checks the structure, and the file sha256 is kept for later checks', async () => {
    const { store, backend } = setup(SMALL);
    const out = await store.download('m');
    expect(out).toMatchObject({ state: 'ready', mode: 'ranged', integrity: 'structure' });
    const v = await store.get('m');
    expect(v).toMatchObject({ state: 'ready', verified: false, integrity: 'structure', fileSha256: hex(SMALL) });
    expect(await store.verify('m')).toMatchObject({ ok: true, against: 'kept', sha256: hex(SMALL) });
    // A shard rewritten on disk with its hash recorded anew (as a stray write would): the kept sha256 finds it.
    const m = (await backend.getManifest('m'))!;
    const bytes = new Uint8Array(await (await backend.getShard('m', 1))!.arrayBuffer());
    bytes[5] ^= 1;
    await backend.putShard('m', 1, bytes);
    await backend.putManifest({ ...m, shards: m.shards.map((h, i) => (i === 1 ? createHash('sha256').update(bytes).digest('hex') : h)) });
    expect(await store.verify('m')).toMatchObject({ ok: false, against: 'kept', state: 'error' });
  });

  it('with a published checksum it says so', async () => {
    const { store } = setup(SMALL, {}, { entry: { sha256: hex(SMALL) } });
    expect(await store.download('m')).toMatchObject({ state: 'ready', integrity: 'checksum' });
    expect(await store.get('m')).toMatchObject({ verified: true, integrity: 'checksum' });
  });

  it('a file cut short on the server (a valid header, tensors past its end) is never "ready"', async () => {
    const { store, backend } = setup(SMALL.slice(0, 100_000));
    const err = await store.download('m').catch((e) => e);
    expect(err).toMatchObject({ code: 'not_gguf' });
    expect(err.message).toMatch(/Trit cannot use this model file/);
    expect((await store.get('m'))?.state).toBe('error');
    await expect(store.open('m')).rejects.toMatchObject({ code: 'not_gguf' });
    expect((await backend.getManifest('m'))?.state).toBe('error');
  });

  it('random bytes behind a GGUF magic are refused by the engine after the download', async () => {
    const { store } = setup(syntheticGguf(5 * SHARD));
    await expect(store.download('m')).rejects.toMatchObject({ code: 'not_gguf' });
  });
});

describe('import asks the engine too', () => {
  it('refuses the first 100 kB of a valid model, storing nothing', async () => {
    const { store, backend } = setup(SMALL);
    const err = await store.import(new File([SMALL.slice(0, 100_000)], 'cut.gguf')).catch((e) => e);
    expect(err).toMatchObject({ code: 'not_gguf' });
    expect(backend.manifests.size).toBe(0);
    expect(backend.shards.size).toBe(0);
  });

  it('takes a whole model and says its structure was checked', async () => {
    const { store } = setup(SMALL);
    const v = await store.import(new File([SMALL], 'small.gguf'));
    expect(v).toMatchObject({ state: 'ready', integrity: 'structure', canRedownload: false, fileSha256: hex(SMALL) });
  });
});

describe('adding a link reads its first bytes', () => {
  const page = new TextEncoder().encode('<!doctype html><html><body>Sign in to continue</body></html>'.repeat(50));

  function htmlFetch(status: number, body: Uint8Array): typeof fetch {
    return async () => new Response(status === 204 ? null : (body as Uint8Array<ArrayBuffer>), { status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(body.length) } });
  }

  it('refuses a web page, saying so', async () => {
    const { store, backend } = setup(SMALL, {}, { fetch: htmlFetch(200, page) });
    const err = await store.addByUrl('https://example.test/model.gguf').catch((e) => e);
    expect(err).toMatchObject({ code: 'not_gguf' });
    expect(err.message).toMatch(/web page/);
    expect(await backend.getUserEntries()).toEqual([]);
  });

  it('refuses a link that is not found', async () => {
    const { store } = setup(SMALL, {}, { fetch: htmlFetch(404, page) });
    const err = await store.addByUrl('https://example.test/gone.gguf').catch((e) => e);
    expect(err).toMatchObject({ code: 'http', details: { httpStatus: 404 } });
    expect(err.message).toMatch(/no model file at this link/);
  });

  it('refuses a GGUF the engine cannot run, with the reason', async () => {
    const { store } = setup(syntheticGguf(300_000));
    await expect(store.addByUrl('https://models.test/random.gguf')).rejects.toMatchObject({ code: 'not_gguf' });
  });

  it('accepts a real model and learns its size', async () => {
    const { store } = setup(SMALL);
    const v = await store.addByUrl('https://models.test/small.gguf');
    expect(v).toMatchObject({ state: 'available', sizeBytes: SMALL.length, source: 'user' });
  });
});

describe('persistent storage is asked without waiting', () => {
  it('a persist() that never resolves does not delay the download', async () => {
    const data = syntheticGguf(4 * SHARD);
    const { store, fake } = setup(data, {}, { persist: () => new Promise(() => undefined), inspect: undefined });
    const out = await store.download('m');
    expect(out).toMatchObject({ state: 'ready', persisted: undefined });
    expect(fake.requests.filter((r) => r.method === 'GET').length).toBeGreaterThan(0);
  });

  it('reports the answer when it comes, after the download started', async () => {
    let answer!: (granted: boolean) => void;
    const { store, fake } = setup(syntheticGguf(4 * SHARD), {}, { persist: () => new Promise((r) => (answer = r)), inspect: undefined });
    const answers: Array<boolean | undefined> = [];
    const out = await store.download('m', { onPersisted: (g) => answers.push(g) });
    expect(out.state).toBe('ready');
    expect(fake.requests.length).toBeGreaterThan(1);
    answer(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(answers).toEqual([true]);
  });
});

describe('saying truly what happened', () => {
  it('a host that does not answer while online is "unreachable" (maybe blocked), with another way to get the file', async () => {
    const { store, backend } = setup(SMALL, {}, {
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const err = await store.download('m').catch((e) => e);
    expect(err).toMatchObject({ code: 'host_unreachable' });
    expect(err.message).toMatch(/Could not reach models\.test/);
    expect(err.hint).toMatch(/USB stick or another device/);
    expect(err.hint).not.toMatch(/Resume/);
    expect(await backend.getManifest('m')).toBeUndefined();
  });

  it('a host that does not answer gets one more try, not the whole series, so the person hears it within seconds', async () => {
    let attempts = 0;
    const { store } = setup(SMALL, {}, {
      retryDelaysMs: [1, 1, 1],
      fetch: async () => {
        attempts++;
        throw new TypeError('Failed to fetch');
      },
    });
    await expect(store.download('m')).rejects.toMatchObject({ code: 'host_unreachable' });
    expect(attempts).toBe(2);
  });

  it('a server error is a server error, retried, and says what to do instead', async () => {
    const { store, fake } = setup(SMALL, { status: 503 }, { retryDelaysMs: [1] });
    const err = await store.download('m').catch((e) => e);
    expect(err).toMatchObject({ code: 'http', details: { httpStatus: 503 } });
    expect(err.message).toMatch(/models\.test has a problem right now/);
    expect(fake.requests.length).toBe(2);
  });

  it('a cut with nothing stored does not promise a Resume', async () => {
    const { store } = setup(syntheticGguf(3 * SHARD), { cutAfterBytes: 0 }, { inspect: undefined, concurrency: 1 });
    const err = await store.download('m').catch((e) => e);
    expect(err).toMatchObject({ code: 'network' });
    expect((await store.get('m'))?.storedBytes).toBe(0);
    expect(err.hint).not.toMatch(/Resume/);
  });
});

describe('bytes received are kept', () => {
  it('pausing in the middle of a shard keeps what arrived, and resuming fetches only the rest', async () => {
    const data = syntheticGguf(SHARD * 4);
    // One shard of the whole file, as a small model in the app's 16 MiB shards.
    const { store, fake } = setup(data, {}, { shardSize: SHARD * 4, inspect: undefined, progressIntervalMs: 0 });
    let paused = false;
    const out = await store.download('m', {
      onProgress: (p) => {
        if (!paused && p.doneBytes >= SHARD) {
          paused = true;
          store.pause('m');
        }
      },
    });
    expect(out.state).toBe('paused');
    const v = (await store.get('m'))!;
    expect(v.storedBytes).toBeGreaterThanOrEqual(SHARD);
    expect(v).toMatchObject({ state: 'paused', interrupted: false });
    fake.requests = [];
    fake.bodyBytesSent = 0;
    expect((await store.resume('m')).state).toBe('ready');
    expect(fake.requests.map((r) => r.range)).toEqual([`bytes=${v.storedBytes}-${data.length - 1}`]);
    expect(fake.bodyBytesSent).toBe(data.length - v.storedBytes);
    expect(hex(await storedFile(store, 'm'))).toBe(hex(data));
  });

  it('lists a cut download as interrupted, and one paused on purpose as not', async () => {
    const data = syntheticGguf(SHARD * 6);
    const { store, fake } = setup(data, { cutAfterBytes: SHARD * 3 }, { inspect: undefined, concurrency: 1 });
    await expect(store.download('m')).rejects.toMatchObject({ code: 'network' });
    expect((await store.interruptedDownloads()).map((v) => v.id)).toEqual(['m']);
    fake.opts.cutAfterBytes = undefined;
    let paused = false;
    await store.download('m', {
      onProgress: () => {
        if (!paused) {
          paused = true;
          store.pause('m');
        }
      },
    });
    expect(await store.interruptedDownloads()).toEqual([]);
  });
});

describe('verify', () => {
  it('gives a model stored before the engine judged files its structural check, and refuses one that fails it', async () => {
    const { store, backend } = setup(SMALL, {}, { inspect: undefined });
    await store.download('m');
    expect(await store.get('m')).toMatchObject({ state: 'ready', integrity: 'none' });
    const checking = createModelStore({ backend, locks: new LocalLocks(), catalogue: [], inspect });
    expect(await checking.verify('m')).toMatchObject({ ok: true, state: 'ready' });
    expect(await checking.get('m')).toMatchObject({ integrity: 'structure' });

    const broken = setup(syntheticGguf(3 * SHARD), {}, { inspect: undefined });
    await broken.store.download('m');
    const judge = createModelStore({ backend: broken.backend, locks: new LocalLocks(), catalogue: [], inspect });
    expect(await judge.verify('m')).toMatchObject({ ok: false, state: 'error' });
    await expect(judge.open('m')).rejects.toMatchObject({ code: 'not_gguf' });
  });
});
