/**
 * The one model the local server serves: loaded once through the engine's Node API, and one request generating at
 * a time; the others wait in a queue in the order they came (p-limit runs its queue first in, first out).
 */
import { basename } from 'node:path';
import pLimit from 'p-limit';
import type { ChatResult, ChatSession, StreamedToken } from '../lib/chat';
import type { ChatMessage, SamplingSettings } from '../lib/chat/types';
import { createChat } from '../lib/engine/chat-factory';
import { createNodeEngine, loadModelFile } from '../lib/engine/node';
import { cancelled } from '../lib/errors';

export interface HostOptions {
  modelPath: string;
  threads: number;
  /** Context length in tokens; 0 is the model's own. */
  nCtx: number;
}

export type Job =
  | { kind: 'chat'; messages: ChatMessage[]; sampling: SamplingSettings }
  | { kind: 'text'; prompt: string; sampling: SamplingSettings };

export interface HostCounts {
  completed: number;
  aborted: number;
  failed: number;
}

export interface ModelHost {
  /** The model's name in /v1/models: its file name. */
  readonly id: string;
  readonly nCtx: number;
  readonly nCtxTrain: number;
  readonly templateNotice?: string;
  /** Waits its turn, then generates; a request aborted while it waits never starts. */
  run(job: Job, signal: AbortSignal, onToken: (t: StreamedToken) => void): Promise<ChatResult>;
  /** Tokens a chat needs at the least (system prompt and last message) and the context: to refuse it up front. */
  minimumPrompt(messages: ChatMessage[]): { tokens: number; nCtx: number };
  generating(): boolean;
  queued(): number;
  counts(): HostCounts;
}

export async function loadModelHost(opts: HostOptions): Promise<ModelHost> {
  const engine = await createNodeEngine({ threads: opts.threads });
  const { info, metadata } = await loadModelFile(engine, opts.modelPath, opts.nCtx);
  // Between tokens, let the server read new requests, answer /health and notice clients that hung up.
  const { session, templateNotice } = createChat(engine, metadata, { beforeEval: () => new Promise((r) => setImmediate(r)) });
  const limit = pLimit(1);
  const counts: HostCounts = { completed: 0, aborted: 0, failed: 0 };

  async function generate(s: ChatSession, job: Job, signal: AbortSignal, onToken: (t: StreamedToken) => void) {
    if (signal.aborted) throw cancelled('The request');
    const result = job.kind === 'chat'
      ? await s.generate(job.messages, job.sampling, { signal, onToken })
      : await s.continueText(job.prompt, job.sampling, { signal, onToken });
    if (result.stats.stopReason === 'aborted') counts.aborted++;
    else counts.completed++;
    return result;
  }

  return {
    id: basename(opts.modelPath),
    nCtx: info.nCtx,
    nCtxTrain: info.nCtxTrain,
    templateNotice,
    run: (job, signal, onToken) =>
      limit(() => generate(session, job, signal, onToken)).catch((e) => {
        if (signal.aborted) counts.aborted++;
        else counts.failed++;
        throw e;
      }),
    minimumPrompt: (messages) => session.minimumPrompt(messages),
    generating: () => limit.activeCount > 0,
    queued: () => limit.pendingCount,
    counts: () => ({ ...counts }),
  };
}
