// The engine's start and a model's download never wait forever: each ends in a timeout error the person can act on.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startEngineOrFresh, startEngineWithin, type EngineClient } from '../../src/lib/engine/client';
import { URL_SILENCE_MS, openModelSource } from '../../src/lib/engine/model-source';
import type { EngineStartStage, EngineStatus } from '../../src/lib/engine/protocol';
import { TritError } from '../../src/lib/errors';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function fakeClient(init: (opts?: unknown, onStage?: (stage: EngineStartStage) => void) => Promise<EngineStatus>): EngineClient & { terminated: boolean } {
  const client = {
    terminated: false,
    api: { init } as unknown as EngineClient['api'],
    terminate: () => void (client.terminated = true),
    crashed: new Promise<string>(() => undefined),
  };
  return client;
}

describe('startEngineWithin', () => {
  it('ends a start that never answers with a timeout error, and ends the stuck worker', async () => {
    vi.useFakeTimers();
    const client = fakeClient(() => new Promise(() => undefined));
    const started = startEngineWithin(client, 60_000);
    const outcome = started.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(client.terminated).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    const error = (await outcome) as TritError;
    expect(error).toBeInstanceOf(TritError);
    expect(error.code).toBe('timeout');
    expect(error.message).toContain('did not start within 60 s');
    expect(error.hint).toMatch(/try again/i);
    expect(client.terminated).toBe(true);
  });

  it('says where a stuck start was: the last stage the worker reached and how long before', async () => {
    vi.useFakeTimers();
    const client = fakeClient((_opts, onStage) => {
      onStage?.('worker-running');
      setTimeout(() => onStage?.('threaded-instantiate'), 2_000);
      return new Promise(() => undefined);
    });
    const outcome = startEngineWithin(client, 30_000).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(((await outcome) as TritError).message).toBe('The engine did not start within 30 s (last stage "threaded-instantiate", 28.0 s before).');
  });

  it('says when the worker never ran its script (no stage at all)', async () => {
    vi.useFakeTimers();
    const outcome = startEngineWithin(fakeClient(() => new Promise(() => undefined)), 30_000).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(((await outcome) as TritError).message).toContain('the engine worker never answered: its script did not run');
  });

  it('passes a start that answers straight through', async () => {
    const status = { build: 'threaded', threads: 2 } as EngineStatus;
    const client = fakeClient(async () => status);
    await expect(startEngineWithin(client, 60_000)).resolves.toBe(status);
    expect(client.terminated).toBe(false);
  });
});

describe('startEngineOrFresh', () => {
  it('ends a stuck worker and starts one fresh worker, which answers', async () => {
    vi.useFakeTimers();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const stuck = fakeClient(() => new Promise(() => undefined));
    const status = { build: 'threaded', threads: 2 } as EngineStatus;
    const fresh = fakeClient(async () => status);
    let made = 0;
    const started = startEngineOrFresh(stuck, () => (made++, fresh), 15_000);
    await vi.advanceTimersByTimeAsync(14_000);
    expect(made).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(started).resolves.toBe(status);
    expect(stuck.terminated).toBe(true);
    expect(made).toBe(1);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('never answered'));
  });

  it('gives the plain timeout error with Try again when the fresh worker is stuck too, and tries no third', async () => {
    vi.useFakeTimers();
    let made = 0;
    const started = startEngineOrFresh(fakeClient(() => new Promise(() => undefined)), () => (made++, fakeClient(() => new Promise(() => undefined))), 15_000);
    const outcome = started.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(15_000 + 30_000);
    expect(await outcome).toMatchObject({ code: 'timeout', hint: expect.stringMatching(/try again/i) });
    expect(made).toBe(1);
  });

  it('does not replace a worker that failed for another reason', async () => {
    const broken = fakeClient(() => Promise.reject(new TritError('internal', 'The engine module is out of date.', 'Reload the page.')));
    let made = 0;
    await expect(startEngineOrFresh(broken, () => (made++, broken))).rejects.toMatchObject({ code: 'internal' });
    expect(made).toBe(0);
  });
});

describe('a model fetched by URL', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done) ?? done(undefined));
    server = undefined;
  });

  /** A host that answers the model's request with `respond` and then, whatever it sent, nothing more. */
  async function host(respond: (res: import('node:http').ServerResponse) => void): Promise<string> {
    server = createServer((_req, res) => respond(res));
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', () => done()));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/model.gguf`;
  }

  it('gives up with a timeout error when the server never answers', async () => {
    const url = await host(() => undefined);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const outcome = openModelSource({ kind: 'url', url }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(URL_SILENCE_MS);
    const error = (await outcome) as TritError;
    expect(error.code).toBe('timeout');
    expect(error.message).toContain(`sent nothing for ${URL_SILENCE_MS / 1000} s`);
    expect(error.hint).toMatch(/Try again/);
  });

  it('gives up with a timeout error when the body stops half-way', async () => {
    const url = await host((res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': '1000' });
      res.write(Buffer.alloc(100));
    });
    const bytes = await openModelSource({ kind: 'url', url });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const reading = (async () => {
      for await (const _ of bytes.chunks()) {
        // The 100 bytes sent are buffered until the file ends or the read fails.
      }
    })().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(URL_SILENCE_MS);
    const error = (await reading) as TritError;
    expect(error.code).toBe('timeout');
    bytes.release();
  });
});
