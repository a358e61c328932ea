/**
 * The classroom share server alone, over real sockets: Range answers, the Private Network Access preflight, nothing
 * outside the named files reachable, many parallel clients kept within the bound, and the sha256 kept beside the file.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeModel } from '../../src/server/share-models';
import { createShareServer, type ShareServer } from '../../src/server/share-server';

const fixtures = resolve(import.meta.dirname, '../fixtures');
let dir: string;
let model: Buffer;
let share: ShareServer;
let port: number;

interface Answer { status: number; headers: IncomingMessage['headers']; body: Buffer }

/** A raw request: the path goes on the wire exactly as given (no URL normalisation). */
function raw(path: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => done({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

async function start(opts: { maxStreams: number; maxQueued: number }, file = 'medium.gguf') {
  copyFileSync(join(fixtures, file), join(dir, file));
  const described = await describeModel(join(dir, file), '1');
  share = createShareServer({ models: [described], origin: '*', maxConnections: 256, shownAddress: () => `http://127.0.0.1:${port}`, ...opts });
  await new Promise<void>((r) => share.server.listen(0, '127.0.0.1', r));
  port = (share.server.address() as AddressInfo).port;
  model = readFileSync(join(dir, file));
}

function stop() {
  share.server.closeAllConnections();
  return new Promise<void>((r) => share.server.close(() => r()));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trit-share-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('share server', () => {
  beforeAll(() => start({ maxStreams: 8, maxQueued: 16 }));
  afterAll(stop);

  it('describes the model from its header and its bytes', async () => {
    const r = await raw('/1');
    expect(r.status).toBe(200);
    const m = JSON.parse(r.body.toString());
    expect(m).toMatchObject({ format: 'trit-share/1', id: '1', fileName: 'medium.gguf', size: model.length, url: '1/medium.gguf', architecture: 'bitnet-b1.58' });
    expect(m.sha256).toBe(createHash('sha256').update(model).digest('hex'));
    expect(m.parameters).toBeGreaterThan(1_000_000);
    expect(JSON.parse((await raw('/models.json')).body.toString()).models).toEqual([m]);
  });

  it('answers ranges with exactly the bytes asked for', async () => {
    const mid = await raw('/1/medium.gguf', { headers: { Range: 'bytes=1000-2999' } });
    expect(mid.status).toBe(206);
    expect(mid.headers['content-range']).toBe(`bytes 1000-2999/${model.length}`);
    expect(mid.body.equals(model.subarray(1000, 3000))).toBe(true);
    const open = await raw('/1/medium.gguf', { headers: { Range: `bytes=${model.length - 10}-` } });
    expect(open.body.equals(model.subarray(model.length - 10))).toBe(true);
    const suffix = await raw('/1/medium.gguf', { headers: { Range: 'bytes=-5' } });
    expect(suffix.headers['content-range']).toBe(`bytes ${model.length - 5}-${model.length - 1}/${model.length}`);
    expect(suffix.body.equals(model.subarray(model.length - 5))).toBe(true);
    const past = await raw('/1/medium.gguf', { headers: { Range: `bytes=${model.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${model.length}`);
    const whole = await raw('/1/medium.gguf');
    expect(whole.status).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.body.equals(model)).toBe(true);
    const head = await raw('/1/medium.gguf', { method: 'HEAD' });
    expect(head.headers['content-length']).toBe(String(model.length));
    expect(head.body.length).toBe(0);
  });

  it('answers the Private Network Access preflight and sends CORS and CORP on the file', async () => {
    const pre = await raw('/1/medium.gguf', {
      method: 'OPTIONS',
      headers: { Origin: 'https://trit.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range', 'Access-Control-Request-Private-Network': 'true' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-private-network']).toBe('true');
    expect(pre.headers['access-control-allow-headers']).toMatch(/range/i);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    const file = await raw('/1/medium.gguf', { headers: { Range: 'bytes=0-3', Origin: 'https://trit.example' } });
    expect(file.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(file.headers['access-control-expose-headers']).toMatch(/Content-Range/);
    // Without the PNA request header, no PNA answer.
    expect((await raw('/1/medium.gguf', { method: 'OPTIONS' })).headers['access-control-allow-private-network']).toBeUndefined();
  });

  it('reaches nothing outside the named files: no listing, no traversal, no absolute paths, no writes', async () => {
    writeFileSync(join(dir, 'secret.txt'), 'secret');
    const tries = [
      '/1/', '/1', '/1/../secret.txt', '/1/..%2fsecret.txt', '/1/%2e%2e/secret.txt', '/1/%2E%2E%2Fsecret.txt', '/..%5csecret.txt',
      '/1/medium.gguf/../../secret.txt', '/1/medium.gguf.sha256', '/medium.gguf', '/secret.txt', `/${join(dir, 'secret.txt')}`,
      `//${join(dir, 'secret.txt')}`, `/1/${encodeURIComponent(join(dir, 'secret.txt'))}`, '/etc/passwd', '/%00', '/2/medium.gguf',
      `http://127.0.0.1:${port}${join(dir, 'secret.txt')}`, '/1/medium.gguf%00.txt', '/1/MEDIUM.GGUF',
    ];
    for (const path of tries) {
      const r = await raw(path);
      if (path === '/1') continue; // the manifest itself
      expect([path, r.status]).toEqual([path, 404]);
      expect(r.body.toString()).not.toContain('secret');
    }
    expect((await raw('/1/medium.gguf', { method: 'PUT' })).status).toBe(405);
    expect((await raw('/1/medium.gguf', { method: 'DELETE' })).status).toBe(405);
  });

  it('shows the status only to this computer, and the page has each address and its QR code', async () => {
    const page = await raw('/');
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain(`127.0.0.1:${port}/1`);
    expect(page.body.toString()).toMatch(/<svg[^>]*>.*<path/s);
    // Each model has two codes: its address, and its checksum for copies made by USB stick.
    expect(page.body.toString().match(/<svg/g)?.length).toBe(2);
    expect(page.body.toString()).toContain('aria-label="QR code of the checksum"');
    const status = JSON.parse((await raw('/status.json')).body.toString());
    expect(status.downloads.find((d: { model: string }) => d.model === 'medium.gguf').sent).toBe(model.length);
  });
});

describe('share server under many clients', () => {
  beforeAll(() => start({ maxStreams: 2, maxQueued: 3 }));
  afterAll(stop);

  it('sends at most maxStreams files at once, queues a few, refuses the rest with 503 and Retry-After', async () => {
    // Twelve clients that do not read yet: the first two hold their streams open (backpressure), three wait.
    const held: IncomingMessage[] = [];
    const answers = Array.from({ length: 12 }, () =>
      new Promise<IncomingMessage>((done, fail) => {
        // An unread response is not consumed: the server meets backpressure and its stream stays open.
        const req = request({ host: '127.0.0.1', port, path: '/1/medium.gguf', agent: false }, (res) => {
          held.push(res);
          done(res);
        });
        req.on('error', fail);
        req.end();
      }),
    );
    await expect.poll(() => held.length, { timeout: 10_000 }).toBe(9); // 2 sending + 7 refused; 3 still queued
    expect(share.streams()).toMatchObject({ active: 2, queued: 3, refused: 7 });
    const refused = held.filter((r) => r.statusCode === 503);
    expect(refused).toHaveLength(7);
    expect(refused.every((r) => r.headers['retry-after'] === '2')).toBe(true);
    // Reading lets the queue drain; every accepted client gets the whole file, the last three only after others end.
    const read = (r: IncomingMessage) => new Promise<{ status: number; body: Buffer }>((done) => {
      const parts: Buffer[] = [];
      r.on('data', (b: Buffer) => parts.push(b)).on('end', () => done({ status: r.statusCode!, body: Buffer.concat(parts) }));
    });
    const all = await Promise.all(answers.map((a) => a.then(read)));
    const sent = all.filter((a) => a.status === 200);
    expect(sent).toHaveLength(5);
    for (const a of sent) expect(a.body.equals(model)).toBe(true);
    expect(share.streams()).toMatchObject({ active: 0, queued: 0, peak: 2 });
  });
});

describe('sha256 kept beside the file', () => {
  it('is computed once, used while the file is unchanged, and computed again when it changes', async () => {
    const file = join(dir, 'cached.gguf');
    copyFileSync(join(fixtures, 'small.gguf'), file);
    const real = createHash('sha256').update(readFileSync(file)).digest('hex');
    let computed = 0;
    expect((await describeModel(file, '1', () => computed++)).manifest.sha256).toBe(real);
    expect(computed).toBe(1);
    expect(readFileSync(`${file}.sha256`, 'utf8')).toMatch(new RegExp(`^${real}  cached\\.gguf\\n# size \\d+ mtime \\d+\\n$`));
    // A planted value proves the cache is read rather than the file hashed again...
    const planted = 'ab'.repeat(32);
    writeFileSync(`${file}.sha256`, readFileSync(`${file}.sha256`, 'utf8').replace(real, planted));
    expect((await describeModel(file, '1', () => computed++)).manifest.sha256).toBe(planted);
    expect(computed).toBe(1);
    // ...and a changed modification time makes it stale.
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect((await describeModel(file, '1', () => computed++)).manifest.sha256).toBe(real);
    expect(computed).toBe(2);
  });

  it('refuses a file that is not a GGUF model, saying so', async () => {
    const file = join(dir, 'notes.gguf');
    writeFileSync(file, 'these are my lesson notes, not a model');
    await expect(describeModel(file, '1')).rejects.toMatchObject({ code: 'not_gguf' });
    await expect(describeModel(join(dir, 'missing.gguf'), '1')).rejects.toMatchObject({ code: 'not_found' });
  });
});
