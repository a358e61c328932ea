// The browser suites' one model host (e2e/support/hosts.ts): what the Chromium, Firefox and WebKit journeys rely on,
// checked over real HTTP, so a change to it that would break a download journey fails here in a second.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelHost, type ModelHost } from '../../e2e/support/hosts';

const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) & 0xff));
let dir: string;
let host: ModelHost;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trit-hosts-'));
  writeFileSync(join(dir, 'm.gguf'), bytes);
  host = await startModelHost({ files: { 'model.gguf': join(dir, 'm.gguf') }, webPages: ['page.gguf'] });
});

afterAll(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the shared model host', () => {
  it('is another origin with open CORS, and answers a Range with 206 and exactly those bytes', async () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await fetch(host.fileUrl('model.gguf'), { headers: { Range: 'bytes=1000-1999' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes 1000-1999/${bytes.length}`);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(Buffer.from(await r.arrayBuffer()).equals(bytes.subarray(1000, 2000))).toBe(true);
    expect(host.requests.at(-1)).toMatchObject({ method: 'GET', path: '/model.gguf', range: 'bytes=1000-1999', bodyBytes: 1000 });
  });

  it('sends the whole file without a Range, a web page for a page link, 404 for anything else', async () => {
    const whole = await fetch(host.fileUrl('model.gguf'));
    expect(whole.status).toBe(200);
    expect((await whole.arrayBuffer()).byteLength).toBe(host.size('model.gguf'));
    const page = await fetch(host.fileUrl('page.gguf'));
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect((await fetch(host.fileUrl('missing.gguf'))).status).toBe(404);
  });

  it('holds a body from a given byte until released, and counts what it sent', async () => {
    host.holdFrom = 100_000;
    const before = host.sentBytes;
    const held = await fetch(host.fileUrl('model.gguf'), { headers: { Range: 'bytes=100000-' } });
    expect(held.status).toBe(206);
    const body = held.arrayBuffer();
    await new Promise((r) => setTimeout(r, 200));
    expect(host.sentBytes).toBe(before);
    host.holdFrom = undefined;
    host.release();
    expect((await body).byteLength).toBe(100_000);
    expect(host.sentBytes - before).toBe(100_000);
  });

  it('cut() breaks a slow body half-way, and the host answers again afterwards', async () => {
    host.pieceMs = 50;
    const r = await fetch(host.fileUrl('model.gguf'));
    const reading = r.arrayBuffer();
    await new Promise((res) => setTimeout(res, 80));
    host.cut();
    await expect(reading).rejects.toThrow();
    host.pieceMs = 0;
    expect((await fetch(host.fileUrl('model.gguf'), { headers: { Range: 'bytes=0-9' } })).status).toBe(206);
  });
});
