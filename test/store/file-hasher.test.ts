// The whole-file sha256 is fed shard by shard, in pieces of any size: both hashers must give the file's digest.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createFileHasher, createNobleFileHasher } from '../../src/lib/store/hash';

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('the whole-file hasher', () => {
  for (const [name, make] of [['hash-wasm', createFileHasher], ['noble (fallback)', async () => createNobleFileHasher()]] as const) {
    it(`${name}: pieces of odd sizes give the sha256 of the whole`, async () => {
      const file = bytes(3_000_017, 7);
      const hasher = await make();
      for (let at = 0, step = 1; at < file.length; at += step, step = (step * 7 + 65_537) % 1_048_573) hasher.update(file.subarray(at, at + step));
      expect(hasher.hex()).toBe(createHash('sha256').update(file).digest('hex'));
    });
  }
});
