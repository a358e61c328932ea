import { describe, expect, it, vi } from 'vitest';
import {
  choiceLooksWrong,
  deviceKey,
  loadThreadChoice,
  measuredThreads,
  newChoice,
  noteGeneration,
  pickThreads,
  probeThreads,
  recordReply,
  probeWithin,
  saveThreadChoice,
  threadCandidates,
} from './thread-probe';

/** A simulated device: `cores` real cores; each thread past them costs `oversubscription` of the work again (threads
 * wait on each other at every step, as WebKit's 4 threads on 2 CPUs do), plus a little noise. */
function simulatedDevice(cores: number, oversubscription: number, noise = 0.02) {
  const calls: number[] = [];
  let seed = 7;
  const timer = async (threads: number) => {
    calls.push(threads);
    seed = (seed * 48271) % 2147483647;
    const jitter = 1 + noise * (seed / 2147483647);
    const work = 100 / Math.min(threads, cores);
    return (work + Math.max(0, threads - cores) * oversubscription * 100) * jitter;
  };
  return { timer, calls };
}

describe('thread probe', () => {
  it('tries 1, 2, 4, ... and the pool size', () => {
    expect(threadCandidates(1)).toEqual([1]);
    expect(threadCandidates(4)).toEqual([1, 2, 4]);
    expect(threadCandidates(6)).toEqual([1, 2, 4, 6]);
    expect(threadCandidates(8)).toEqual([1, 2, 4, 8]);
  });

  it('picks fewer threads than hardwareConcurrency when more threads are slower', async () => {
    // WebKit on a 2-CPU machine: hardwareConcurrency 4, so the pool has 4 threads, but 4 are slower than 2.
    const hardwareConcurrency = 4;
    const device = simulatedDevice(2, 0.6);
    const probe = await probeThreads(hardwareConcurrency, device.timer);
    expect(probe.threads).toBe(2);
    expect(probe.threads).toBeLessThan(hardwareConcurrency);
    expect(probe.msByThreads[4]).toBeGreaterThan(probe.msByThreads[2]);
  });

  it('picks one thread when every extra thread only adds waiting', async () => {
    const device = simulatedDevice(1, 1.5);
    const probe = await probeThreads(8, device.timer);
    expect(probe.threads).toBe(1);
    // 2 threads were clearly slower, so 4 and 8 were never tried.
    expect(new Set(device.calls)).toEqual(new Set([1, 2]));
  });

  it('uses the whole pool where threads really scale', async () => {
    const probe = await probeThreads(4, simulatedDevice(8, 0).timer);
    expect(probe.threads).toBe(4);
  });

  it('keeps the best of the rounds, so one slow moment does not decide', async () => {
    let call = 0;
    // Round 1: the 1-thread run is disturbed (300 ms); round 2 shows its real 100 ms against 2 threads' 97.
    const times = [300, 97, 100, 98];
    const probe = await probeThreads(2, async () => times[call++]);
    expect(probe.msByThreads).toEqual({ 1: 100, 2: 97 });
    expect(probe.threads).toBe(1); // within 5%: fewer threads win
  });

  it('prefers fewer threads within the margin and ignores nonsense timings', () => {
    expect(pickThreads({ 1: 100, 2: 60, 4: 58 })).toBe(2);
    expect(pickThreads({ 1: 100, 2: 60, 4: 40 })).toBe(4);
    expect(pickThreads({ 1: 100, 2: Number.NaN, 4: 0 })).toBe(1);
    expect(pickThreads({})).toBe(1);
  });
});

describe('remembered thread choice', () => {
  const device = deviceKey('Mozilla/5.0 (iPad) AppleWebKit/605', 4);
  const probed = newChoice(device, { threads: 2, msByThreads: { 1: 100, 2: 60, 4: 180 } }, 1_000);

  it('holds on the same device until something says otherwise', () => {
    expect(choiceLooksWrong(probed, device, 2_000)).toBeUndefined();
  });

  it('is measured again on another browser or core figure, or when old', () => {
    expect(choiceLooksWrong(probed, deviceKey('Mozilla/5.0 (iPad) AppleWebKit/605', 8), 2_000)).toMatch(/another/);
    expect(choiceLooksWrong(probed, device, 1_000 + 31 * 24 * 3600_000)).toMatch(/too long ago/);
  });

  it('looks wrong once fewer threads generated faster than the choice on the same model', () => {
    let c = noteGeneration(probed, 'demo', 2, 300);
    c = noteGeneration(c, 'other', 1, 900); // another model's speed says nothing about this one
    expect(choiceLooksWrong(c, device, 2_000)).toBeUndefined();
    c = noteGeneration(c, 'demo', 1, 320); // within noise
    expect(choiceLooksWrong(c, device, 2_000)).toBeUndefined();
    c = noteGeneration(c, 'demo', 1, 600); // the person set 1 thread: twice as fast
    expect(choiceLooksWrong(c, device, 2_000)).toMatch(/1 thread\(s\) generated faster than 2/);
  });

  it('looks wrong too once more threads generated faster than a choice of fewer', () => {
    const one = newChoice(device, { threads: 1, msByThreads: { 1: 3, 2: 3.2 } }, 1_000);
    let c = noteGeneration(one, 'demo', 1, 9);
    c = noteGeneration(c, 'demo', 2, 9.5); // within noise
    expect(choiceLooksWrong(c, device, 2_000)).toBeUndefined();
    c = noteGeneration(c, 'demo', 2, 12.5); // the person set 2 threads: 1.4x as fast
    expect(choiceLooksWrong(c, device, 2_000)).toMatch(/2 thread\(s\) generated faster than 1/);
  });

  it('looks wrong when a reply at the chosen threads is far slower than before', () => {
    const c = noteGeneration(probed, 'demo', 2, 300);
    expect(choiceLooksWrong(c, device, 2_000, { model: 'demo', threads: 2, tokensPerSecond: 250 })).toBeUndefined();
    expect(choiceLooksWrong(c, device, 2_000, { model: 'demo', threads: 2, tokensPerSecond: 100 })).toMatch(/slower/);
  });

  it('survives storage, and a broken or missing record reads as none', () => {
    const map = new Map<string, string>();
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
    expect(loadThreadChoice(storage)).toBeUndefined();
    saveThreadChoice(storage, noteGeneration(probed, 'demo', 2, 300));
    expect(loadThreadChoice(storage)).toEqual(noteGeneration(probed, 'demo', 2, 300));
    map.set('trit-thread-choice', '{"device": 3');
    expect(loadThreadChoice(storage)).toBeUndefined();
    const refusing = { getItem: () => { throw new Error('SecurityError'); }, setItem: () => { throw new Error('QuotaExceededError'); } };
    expect(loadThreadChoice(refusing)).toBeUndefined();
    expect(() => saveThreadChoice(refusing, probed)).not.toThrow();
  });
});

describe('measured threads across starts', () => {
  it('probes once, reuses the choice, and probes again after a reply shows it wrong', async () => {
    const map = new Map<string, string>();
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
    const device = deviceKey('WebKitGTK', 4);
    let probes = 0;
    const probe = async () => {
      probes++;
      return probeThreads(4, simulatedDevice(2, 0.6).timer);
    };
    expect((await measuredThreads(probe, storage, device, 1_000)).threads).toBe(2);
    expect((await measuredThreads(probe, storage, device, 2_000)).threads).toBe(2);
    expect(probes).toBe(1);
    recordReply(storage, device, { model: 'demo', threads: 2, tokensPerSecond: 300 }, 3_000);
    expect((await measuredThreads(probe, storage, device, 4_000)).threads).toBe(2);
    expect(probes).toBe(1);
    // The person tried 1 thread and it generated much faster: the next start measures again.
    recordReply(storage, device, { model: 'demo', threads: 1, tokensPerSecond: 500 }, 5_000);
    expect(loadThreadChoice(storage)?.stale).toMatch(/faster/);
    const again = await measuredThreads(probe, storage, device, 6_000);
    expect(probes).toBe(2);
    expect(again.stale).toBeUndefined();
    expect(again.seen).toEqual({});
  });
});

describe('the probe at start is timed', () => {
  it('a probe that never answers ends in a plain timeout error with what to do, not a silent wait', async () => {
    vi.useFakeTimers();
    try {
      const stuck = probeWithin(() => new Promise(() => undefined), 30_000)();
      const settled = stuck.then(() => 'resolved', (e: unknown) => e);
      await vi.advanceTimersByTimeAsync(29_999);
      expect(await Promise.race([settled, Promise.resolve('pending')])).toBe('pending');
      await vi.advanceTimersByTimeAsync(1);
      expect(await settled).toMatchObject({ code: 'timeout', hint: expect.stringContaining('Try again') });
    } finally {
      vi.useRealTimers();
    }
  });

  it('a probe that answers in time passes its result through', async () => {
    const probe = { threads: 2, msByThreads: { 1: 10, 2: 6 } };
    await expect(probeWithin(async () => probe, 1_000)()).resolves.toEqual(probe);
  });
});
