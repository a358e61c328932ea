/** The USB path: an import checked against the sha256 the teacher gave (typed from the classroom computer). */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/lib/store/backend';
import { LocalLocks } from '../../src/lib/store/locks';
import { createModelStore } from '../../src/lib/store/store';
import { syntheticGguf } from '../store/fake-server';

const SHARD = 64 * 1024;
const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function store(backend = new MemoryBackend()) {
  return { backend, store: createModelStore({ backend, shardSize: SHARD, locks: new LocalLocks(), estimate: async () => ({}) }) };
}

describe('import with a checksum from the classroom computer', () => {
  const data = syntheticGguf(3 * SHARD + 17, 3);
  const file = () => new File([data], 'lesson.gguf');

  it('keeps the file when it matches, and counts it as checked against that checksum', async () => {
    const { store: s } = store();
    const v = await s.import(file(), { sha256: ` ${hex(data).toUpperCase()} ` });
    expect(v).toMatchObject({ state: 'ready', integrity: 'checksum', verified: true, sha256: hex(data) });
    // Without one, the file is only structure-checked, as before.
    const { store: plain } = store();
    expect((await plain.import(file())).integrity).not.toBe('checksum');
  });

  it('refuses a copy that does not match, keeping nothing of it', async () => {
    const { store: s, backend } = store();
    const damaged = data.slice();
    damaged[2 * SHARD + 5] ^= 0xff;
    await expect(s.import(new File([damaged], 'lesson.gguf'), { sha256: hex(data) })).rejects.toMatchObject({
      code: 'checksum_mismatch',
      message: expect.stringContaining('does not match the checksum you gave'),
    });
    expect(backend.shards.size).toBe(0);
    expect(backend.manifests.size).toBe(0);
  });

  it('says so when what was typed is not a sha256', async () => {
    const { store: s, backend } = store();
    await expect(s.import(file(), { sha256: 'abc123' })).rejects.toMatchObject({ code: 'bad_request' });
    expect(backend.manifests.size).toBe(0);
  });
});
