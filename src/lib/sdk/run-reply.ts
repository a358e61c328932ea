/**
 * One reply through the worker: waits its turn (one reply at a time, in call order), passes stop requests on as
 * engine.cancel(), and hands the text on piece by piece in order. The worker's streamed pieces travel apart from its
 * result and may arrive after it, so the result's text is the authority: whatever the pieces missed is handed on at
 * the end, and pieces arriving later are dropped.
 */
import * as Comlink from 'comlink';
import type { LimitFunction } from 'p-limit';
import { cancelled } from '../errors';
import type { EngineWorkerApi, GenerateResult, ReplyDelta } from '../engine/protocol';

export type WorkerCall = (onDelta: (d: ReplyDelta) => void) => Promise<GenerateResult>;

export function runReply(
  api: Comlink.Remote<EngineWorkerApi>,
  turn: LimitFunction,
  call: WorkerCall,
  onText: (text: string) => void,
  signal?: AbortSignal,
): Promise<GenerateResult> {
  return turn(async () => {
    if (signal?.aborted) throw cancelled('The reply');
    let nextSeq = 0;
    let handed = '';
    let finished = false;
    const onDelta = (d: ReplyDelta) => {
      if (finished || d.seq < nextSeq) return;
      nextSeq = d.seq + 1;
      handed += d.text;
      if (d.text) onText(d.text);
    };
    const stop = () => void api.cancel();
    signal?.addEventListener('abort', stop);
    try {
      const result = await call(Comlink.proxy(onDelta));
      finished = true;
      const rest = result.text.startsWith(handed) ? result.text.slice(handed.length) : '';
      if (rest) onText(rest);
      if (signal?.aborted) result.stats.stopReason = 'aborted';
      return result;
    } finally {
      finished = true;
      signal?.removeEventListener('abort', stop);
    }
  });
}
