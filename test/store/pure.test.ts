import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_CATALOGUE, idFromUrl, parseCatalogue, userEntryFromUrl } from '../../src/lib/store/catalogue';
import { insufficientStorage } from '../../src/lib/store/errors';
import { formatBytes } from '../../src/lib/units';
import { sniffGguf as checkGgufHeader } from '../../src/lib/store/gguf-sniff';
import { createManifest, effectiveState, forgetShards, isComplete, markReady, recordShard, reconcile } from '../../src/lib/store/manifest';
import { ProgressMeter, Throttle } from '../../src/lib/store/progress';
import { missingShards, parseContentRange, planShards, rangeHeader, shardIndexFromKey, shardKey, storedBytes } from '../../src/lib/store/shards';

describe('shard planning', () => {
  it('covers the file exactly, last shard short', () => {
    const spans = planShards(10_000, 4096);
    expect(spans).toEqual([
      { index: 0, start: 0, end: 4096 },
      { index: 1, start: 4096, end: 8192 },
      { index: 2, start: 8192, end: 10_000 },
    ]);
    expect(planShards(8192, 4096)).toHaveLength(2);
    expect(planShards(0, 4096)).toHaveLength(0);
    expect(rangeHeader(spans[2])).toBe('bytes=8192-9999');
  });

  it('counts stored bytes and lists missing shards in file order', () => {
    const shards = ['a', null, 'c', null];
    expect(missingShards(shards)).toEqual([1, 3]);
    expect(storedBytes(shards, 3500, 1000)).toBe(2000);
    expect(storedBytes(['a', 'b', 'c', 'd'], 3500, 1000)).toBe(3500);
  });

  it('parses Content-Range and rejects nonsense', () => {
    expect(parseContentRange('bytes 0-99/1000')).toEqual({ start: 0, end: 100, total: 1000 });
    expect(parseContentRange('bytes 100-199/*')).toEqual({ start: 100, end: 200, total: undefined });
    expect(parseContentRange('bytes 5-4/10')).toBeUndefined();
    expect(parseContentRange('bytes 0-10/10')).toBeUndefined();
    expect(parseContentRange('items 0-1/2')).toBeUndefined();
    expect(parseContentRange(null)).toBeUndefined();
  });

  it('round-trips shard keys without confusing model ids that share a prefix', () => {
    expect(shardIndexFromKey('m', shardKey('m', 12))).toBe(12);
    expect(shardIndexFromKey('m', shardKey('m2', 1))).toBeUndefined();
    expect(shardIndexFromKey('m', 'm:x')).toBeUndefined();
  });
});

describe('progress', () => {
  it('reports speed over the recent window and time left', () => {
    let t = 0;
    const meter = new ProgressMeter(10_000_000, 2_000_000, () => t);
    expect(meter.snapshot().bytesPerSecond).toBe(0);
    expect(meter.snapshot().secondsLeft).toBeUndefined();
    for (let i = 0; i < 10; i++) {
      t += 1000;
      meter.add(100_000);
    }
    const s = meter.snapshot();
    expect(s.doneBytes).toBe(3_000_000);
    expect(s.bytesPerSecond).toBeCloseTo(100_000, -2);
    expect(s.secondsLeft).toBeCloseTo(70, 0);
    expect(s.fraction).toBeCloseTo(0.3);
  });

  it('follows a slowdown within the window instead of averaging since the start', () => {
    let t = 0;
    const meter = new ProgressMeter(100_000_000, 0, () => t);
    for (let i = 0; i < 20; i++) {
      t += 1000;
      meter.add(1_000_000);
    }
    for (let i = 0; i < 10; i++) {
      t += 1000;
      meter.add(10_000);
    }
    expect(meter.snapshot().bytesPerSecond).toBeLessThan(50_000);
  });

  it('takes back bytes of a shard that has to be fetched again', () => {
    const meter = new ProgressMeter(1000, 0, () => 0);
    meter.add(600);
    meter.add(-400);
    expect(meter.snapshot().doneBytes).toBe(200);
  });

  it('throttles reports', () => {
    let t = 0;
    const th = new Throttle(250, () => t);
    expect(th.ready()).toBe(true);
    t = 100;
    expect(th.ready()).toBe(false);
    t = 260;
    expect(th.ready()).toBe(true);
  });
});

describe('manifest transitions', () => {
  const base = () => createManifest({ id: 'm', name: 'M', origin: 'download', fileName: 'm.gguf', size: 2500, shardSize: 1000, url: 'https://x/m.gguf' }, 1);

  it('starts with every shard missing and becomes ready only when complete', () => {
    let m = base();
    expect(m.shards).toEqual([null, null, null]);
    expect(() => markReady(m, 2, undefined)).toThrow();
    m = recordShard(recordShard(recordShard(m, 0, 'h0', 2), 1, 'h1', 2), 2, 'h2', 2);
    expect(isComplete(m)).toBe(true);
    expect(markReady(m, 3, 'abc').state).toBe('ready');
  });

  it('turns a ready model partial when shards vanish, and leaves it alone when all are present', () => {
    let m = base();
    m = markReady(recordShard(recordShard(recordShard(m, 0, 'a', 2), 1, 'b', 2), 2, 'c', 2), 3, 'f');
    expect(reconcile(m, new Set([0, 1, 2]), 4)).toBe(m);
    const partial = reconcile(m, new Set([0, 2]), 4);
    expect(partial.state).toBe('partial');
    expect(partial.shards).toEqual(['a', null, 'c']);
    expect(partial.fileSha256).toBeUndefined();
    expect(forgetShards(m, [], 5)).toBe(m);
  });

  it('shows a download whose tab closed as paused', () => {
    const m = { ...base(), state: 'downloading' as const };
    expect(effectiveState(m, false)).toBe('paused');
    expect(effectiveState(m, true)).toBe('downloading');
  });
});

describe('GGUF header check', () => {
  it('accepts the reference fixture and rejects other files', () => {
    const real = new Uint8Array(readFileSync(new URL('../fixtures/small.gguf', import.meta.url)));
    const h = checkGgufHeader(real.subarray(0, 4096));
    expect(h.version).toBe(3);
    expect(h.tensorCount).toBeGreaterThan(0);
    const png = real.slice(0, 64);
    png.set([0x89, 0x50, 0x4e, 0x47]);
    expect(() => checkGgufHeader(png)).toThrow(expect.objectContaining({ code: 'not_gguf' }));
    const v9 = real.slice(0, 64);
    new DataView(v9.buffer).setUint32(4, 9, true);
    expect(() => checkGgufHeader(v9)).toThrow(/version 9/);
    const huge = real.slice(0, 64);
    new DataView(huge.buffer).setBigUint64(8, 1n << 40n, true);
    expect(() => checkGgufHeader(huge)).toThrow(/tensor count/);
    expect(() => checkGgufHeader(real.subarray(0, 10))).toThrow(/only 10 bytes/);
  });
});

describe('catalogue', () => {
  it('ships the official 2B-4T file and the demo model', () => {
    const official = BUILTIN_CATALOGUE.find((e) => e.source === 'official')!;
    expect(official.url).toBe('https://huggingface.co/microsoft/bitnet-b1.58-2B-4T-gguf/resolve/main/ggml-model-i2_s.gguf');
    // Microsoft's published size and sha256: the download is verified against them.
    expect(official.sizeBytes).toBe(1_187_801_280);
    expect(official.sha256).toBe('4221b252fdd5fd25e15847adfeb5ee88886506ba50b8a34548374492884c2162');
    expect(official.memoryBytes).toBeGreaterThan(official.sizeBytes!);
    expect(BUILTIN_CATALOGUE.find((e) => e.source === 'demo')?.url).toBe('/models/trit-demo.gguf');
  });

  it('offers the family models published as ready i2_s files, each with its licence and what it is good for', () => {
    const family = BUILTIN_CATALOGUE.filter((e) => e.url.includes('tiiuae/Falcon-E-'));
    expect(family.map((e) => e.url)).toEqual([1, 3].map((b) => `https://huggingface.co/tiiuae/Falcon-E-${b}B-Instruct-GGUF/resolve/main/ggml-model-i2_s.gguf`));
    for (const e of family) {
      expect(e.license).toBe('Falcon-LLM License');
      expect(e.description).toMatch(/Good for /);
      // TII publishes no checksum or size beside the files: none is made up (the size comes from the server).
      expect(e.sha256).toBeUndefined();
    }
  });

  it('rejects malformed catalogues', () => {
    expect(() => parseCatalogue({ models: [{ id: 'a', name: 'A', url: 'u', fileName: 'f', source: 'official', sha256: 'xyz' }] })).toThrow(/sha256/);
    const ok = { id: 'a', name: 'A', url: 'u', fileName: 'f', source: 'user' };
    expect(() => parseCatalogue({ models: [ok, ok] })).toThrow(/duplicate/);
    expect(() => parseCatalogue({})).toThrow(/models/);
  });

  it('makes stable ids from user URLs and refuses non-URLs', () => {
    const a = userEntryFromUrl('https://example.org/models/My Model.gguf');
    expect(a.fileName).toBe('My Model.gguf');
    expect(a.id).toBe(idFromUrl('https://example.org/models/My%20Model.gguf'));
    expect(a.id).not.toBe(idFromUrl('https://example.org/other/My%20Model.gguf'));
    expect(() => userEntryFromUrl('not a url')).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => userEntryFromUrl('file:///etc/passwd')).toThrow();
  });
});

describe('error messages', () => {
  it('say how much is needed and how much is free', () => {
    const e = insufficientStorage(1_190_000_000, 400_000_000);
    expect(e.message).toContain('1.19 GB');
    expect(e.message).toContain('400 MB');
    expect(e.hint).toContain('790 MB');
    expect(e.details).toEqual({ neededBytes: 1_190_000_000, freeBytes: 400_000_000 });
    // One byte formatter for the whole app (src/lib/units.ts), the UI's: "999 B".
    expect(formatBytes(999)).toBe('999 B');
  });
});
