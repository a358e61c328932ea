/** trit.chat.completions.create and trit.completions.create: OpenAI's request and response shapes over the worker. */
import type { LimitFunction } from 'p-limit';
import type * as Comlink from 'comlink';
import type { EngineWorkerApi, GenerateResult } from '../engine/protocol';
import { cancelled, TritError } from '../errors';
import { parseChatRequest, parseCompletionRequest, type RequestLimits } from './openai-request';
import { chatChunk, chatCompletion, completion, completionChunk, replyHeader, type ReplyHeader } from './openai-response';
import type { ChatCompletionCreateParams, CompletionCreateParams } from './openai-types';
import { ReplyStream } from './reply-stream';
import { runReply, type WorkerCall } from './run-reply';
import type { ChatCompletions, Completions, RequestExtras } from './types';

export interface CompletionContext {
  api: Comlink.Remote<EngineWorkerApi>;
  turn: LimitFunction;
  /** A call's result, or 'worker_crashed' if the engine's worker dies first (engine-lifeline.ts). */
  alive<T>(call: Promise<T>): Promise<T>;
  /** The loaded model's id and context, or a 'no_model' error. */
  loaded(): { modelId: string; nCtx: number };
}

interface Shapes<TChunk, TWhole> {
  first?(h: ReplyHeader): TChunk;
  piece(h: ReplyHeader, text: string): TChunk;
  last(h: ReplyHeader, result: GenerateResult): TChunk;
  whole(h: ReplyHeader, result: GenerateResult): TWhole;
}

function reply<TChunk, TWhole>(ctx: CompletionContext, h: ReplyHeader, stream: boolean, call: WorkerCall, signal: AbortSignal | undefined,
  shapes: Shapes<TChunk, TWhole>): Promise<AsyncIterable<TChunk> | TWhole> {
  if (!stream) {
    return runReply(ctx.api, ctx.turn, call, () => undefined, signal).then((result) => {
      if (result.stats.stopReason === 'aborted') throw cancelled('The reply');
      return shapes.whole(h, result);
    });
  }
  const out = new ReplyStream<TChunk>();
  let started = false;
  const begin = () => {
    if (!started && shapes.first) out.push(shapes.first(h));
    started = true;
  };
  runReply(ctx.api, ctx.turn, call, (text) => { begin(); out.push(shapes.piece(h, text)); }, signal).then(
    (result) => {
      // Stopped on request: the stream just ends, as OpenAI's own client ends an aborted stream.
      if (result.stats.stopReason !== 'aborted') {
        begin();
        out.push(shapes.last(h, result));
      }
      out.end();
    },
    (e) => out.end(signal?.aborted ? undefined : e),
  );
  return Promise.resolve(out);
}

function limitsOf(ctx: CompletionContext): RequestLimits & { modelId: string } {
  const { modelId, nCtx } = ctx.loaded();
  return { modelId, maxTokens: nCtx };
}

export function chatCompletions(ctx: CompletionContext): ChatCompletions {
  return {
    create: (async (params: ChatCompletionCreateParams & RequestExtras) => {
      const limits = limitsOf(ctx);
      const r = parseChatRequest(params, limits);
      const call: WorkerCall = (onDelta) => ctx.alive(ctx.api.generate({ messages: r.messages, sampling: r.sampling }, onDelta));
      return reply(ctx, replyHeader('chatcmpl', limits.modelId), r.stream, call, params.signal, {
        first: (h) => chatChunk(h, { role: 'assistant', content: '' }),
        piece: (h, text) => chatChunk(h, { content: text }),
        last: (h, result) => chatChunk(h, {}, result.stats),
        whole: (h, result) => chatCompletion(h, result.text, result.stats),
      });
    }) as ChatCompletions['create'],
  };
}

export function textCompletions(ctx: CompletionContext): Completions {
  return {
    create: (async (params: CompletionCreateParams & RequestExtras) => {
      const limits = limitsOf(ctx);
      const r = parseCompletionRequest(params, limits);
      const call: WorkerCall = (onDelta) => ctx.alive(ctx.api.continueText({ text: r.prompt, sampling: r.sampling }, onDelta));
      return reply(ctx, replyHeader('cmpl', limits.modelId), r.stream, call, params.signal, {
        piece: (h, text) => completionChunk(h, text),
        last: (h, result) => completionChunk(h, '', result.stats),
        whole: (h, result) => completion(h, result.text, result.stats),
      });
    }) as Completions['create'],
  };
}

export function noModel(): TritError {
  return new TritError('no_model', 'No model is loaded.', 'Call trit.load(modelId) first.');
}
