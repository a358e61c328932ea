/**
 * runReply, the library's side of one reply: pieces in order with repeats dropped, the result's text as the
 * authority over pieces that arrive late, a stop passed on as cancel(), and replies taking turns in call order.
 * The worker is a plain object here: what crosses Comlink is not what is under test.
 */
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import type { GenerateResult, ReplyDelta } from '../../src/lib/engine/protocol';
import { runReply } from '../../src/lib/sdk/run-reply';

type Api = Parameters<typeof runReply>[0];

function result(text: string, stopReason: GenerateResult['stats']['stopReason'] = 'eos'): GenerateResult {
  return { text, stats: { stopReason } as GenerateResult['stats'] };
}

describe('runReply', () => {
  it('hands pieces on in order, drops repeats, and adds what the pieces missed from the result', async () => {
    const seen: string[] = [];
    const api = { cancel: async () => undefined } as unknown as Api;
    const r = await runReply(api, pLimit(1), async (onDelta: (d: ReplyDelta) => void) => {
      onDelta({ seq: 0, text: 'Hel', ms: 1 });
      onDelta({ seq: 0, text: 'Hel', ms: 1 });
      onDelta({ seq: 1, text: 'lo', ms: 1 });
      // ' world' is still on its way when the result arrives; it must appear once, and the late piece not at all.
      setTimeout(() => onDelta({ seq: 2, text: ' world', ms: 1 }), 0);
      return result('Hello world');
    }, (t) => seen.push(t));
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual(['Hel', 'lo', ' world']);
    expect(r.text).toBe('Hello world');
  });

  it('passes a stop on to the worker as cancel(), and marks the reply aborted', async () => {
    let cancelled = 0;
    const api = { cancel: async () => void cancelled++ } as unknown as Api;
    const stop = new AbortController();
    const r = await runReply(api, pLimit(1), async (onDelta: (d: ReplyDelta) => void) => {
      onDelta({ seq: 0, text: 'a', ms: 1 });
      stop.abort();
      return result('a', 'eos');
    }, () => undefined, stop.signal);
    expect(cancelled).toBe(1);
    expect(r.stats.stopReason).toBe('aborted');
  });

  it('runs replies one at a time in call order, and never starts one stopped while it waited', async () => {
    const api = { cancel: async () => undefined } as unknown as Api;
    const turn = pLimit(1);
    const log: string[] = [];
    const call = (name: string) => async () => {
      log.push(`${name} start`);
      await new Promise((r) => setTimeout(r, 5));
      log.push(`${name} end`);
      return result(name);
    };
    const stopped = new AbortController();
    const a = runReply(api, turn, call('A'), () => undefined);
    const b = runReply(api, turn, call('B'), () => undefined, stopped.signal);
    const c = runReply(api, turn, call('C'), () => undefined);
    stopped.abort();
    await a;
    await expect(b).rejects.toMatchObject({ code: 'cancelled' });
    await c;
    expect(log).toEqual(['A start', 'A end', 'C start', 'C end']);
  });
});
