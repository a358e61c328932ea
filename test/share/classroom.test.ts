/**
 * The app's side of classroom sharing, against the real share server: addresses as people type them, the share's
 * manifests, and the words when the laptop cannot be reached.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressSpaceOf, findClassroomModels, parseClassroomAddress, withAddressSpace } from '../../src/lib/store/classroom';
import { describeModel } from '../../src/server/share-models';
import { createShareServer, type ShareServer } from '../../src/server/share-server';

let dir: string;
let share: ShareServer;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trit-classroom-'));
  const file = join(dir, 'small.gguf');
  copyFileSync(resolve(import.meta.dirname, '../fixtures/small.gguf'), file);
  share = createShareServer({ models: [await describeModel(file, '1')], origin: '*', maxStreams: 4, maxQueued: 8, maxConnections: 32, shownAddress: () => '' });
  await new Promise<void>((r) => share.server.listen(0, '127.0.0.1', r));
  port = (share.server.address() as AddressInfo).port;
});
afterAll(async () => {
  share.server.closeAllConnections();
  await new Promise((r) => share.server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('classroom addresses', () => {
  it('takes the address with or without http://, and refuses what is not one', () => {
    expect(parseClassroomAddress(' 192.168.1.20:8765/1 ').href).toBe('http://192.168.1.20:8765/1');
    expect(parseClassroomAddress('http://10.0.0.5:8765').href).toBe('http://10.0.0.5:8765/');
    expect(() => parseClassroomAddress('')).toThrow(/not a classroom computer's address/);
    expect(() => parseClassroomAddress('ftp://10.0.0.5/1')).toThrow(/not a classroom computer's address/);
  });

  it('marks requests to the room network for Local Network Access, and leaves the internet alone', () => {
    expect(addressSpaceOf('192.168.1.20')).toBe('local');
    expect(addressSpaceOf('172.20.0.3')).toBe('local');
    expect(addressSpaceOf('teacher-laptop.local')).toBe('local');
    expect(addressSpaceOf('127.0.0.1')).toBe('loopback');
    expect(addressSpaceOf('[::1]')).toBe('loopback');
    expect(addressSpaceOf('172.32.0.1')).toBeUndefined();
    expect(addressSpaceOf('huggingface.co')).toBeUndefined();
    expect(withAddressSpace('http://192.168.1.20:8765/1/m.gguf', { cache: 'no-store' })).toEqual({ cache: 'no-store', targetAddressSpace: 'local' });
    expect(withAddressSpace('https://huggingface.co/m.gguf', { cache: 'no-store' })).toEqual({ cache: 'no-store' });
  });
});

describe('finding the models a classroom computer shares', () => {
  it("reads a model's manifest from its address, and the whole list from the computer's address", async () => {
    const [one] = await findClassroomModels(`127.0.0.1:${port}/1`);
    expect(one).toMatchObject({ id: '1', fileName: 'small.gguf', size: 859072, url: `http://127.0.0.1:${port}/1/small.gguf` });
    expect(one.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await findClassroomModels(`http://127.0.0.1:${port}`)).toEqual([one]);
    // The file is where the manifest says.
    const res = await fetch(one.url, { headers: { Range: 'bytes=0-3' } });
    expect(new TextDecoder().decode(await res.arrayBuffer())).toBe('GGUF');
  });

  it('says which number has nothing, and what to do when the laptop cannot be reached', async () => {
    await expect(findClassroomModels(`127.0.0.1:${port}/9`)).rejects.toMatchObject({ code: 'http', message: expect.stringContaining('has nothing at') });
    const closed = await findClassroomModels('127.0.0.1:9/1').catch((e) => e);
    expect(closed).toMatchObject({ code: 'host_unreachable' });
    expect(closed.message).toContain('Could not reach the classroom computer');
    expect(closed.hint).toContain('USB stick');
    // An app opened over https whose browser blocked the plain-http laptop: told apart, with the same way out.
    const blocked = await findClassroomModels('192.168.1.20:8765/1', () => Promise.reject(new TypeError('Failed to fetch')), 'https:').catch((e) => e);
    expect(blocked.message).toContain('secure (https) address');
    expect(blocked.hint).toContain('USB stick');
  });

  it('refuses an address that answers with something other than a share', async () => {
    // A router's login page on the typed address.
    const router = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>router login</html>'));
    await new Promise<void>((r) => router.listen(0, '127.0.0.1', r));
    try {
      const at = `127.0.0.1:${(router.address() as AddressInfo).port}/1`;
      await expect(findClassroomModels(at)).rejects.toMatchObject({ message: expect.stringContaining('not with a model Trit can fetch') });
    } finally {
      router.close();
    }
  });
});
