/** Builds OpenAI-shaped results from Trit's own: the chunk stream and the whole reply, for chat and for text. */
import type { ChatStats, StopReason } from '../chat/types';
import type { ChatCompletion, ChatCompletionChunk, Completion, CompletionChunk, CompletionUsage, FinishReason } from './openai-types';

export function finishReason(stop: StopReason): FinishReason {
  return stop === 'max_tokens' || stop === 'context_full' ? 'length' : 'stop';
}

export function usageOf(stats: ChatStats): CompletionUsage {
  return { prompt_tokens: stats.promptTokens, completion_tokens: stats.generatedTokens, total_tokens: stats.promptTokens + stats.generatedTokens };
}

let counter = 0;

/** What every object of one reply shares: its id, creation time (seconds) and model name. */
export interface ReplyHeader {
  id: string;
  created: number;
  model: string;
}

export function replyHeader(prefix: 'chatcmpl' | 'cmpl', model: string): ReplyHeader {
  counter = (counter + 1) % 1e9;
  return { id: `${prefix}-${Date.now().toString(36)}${counter.toString(36)}`, created: Math.floor(Date.now() / 1000), model };
}

export function chatChunk(h: ReplyHeader, delta: ChatCompletionChunk['choices'][0]['delta'], stats?: ChatStats): ChatCompletionChunk {
  const chunk: ChatCompletionChunk = {
    ...h,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: stats ? finishReason(stats.stopReason) : null, logprobs: null }],
  };
  if (stats) chunk.usage = usageOf(stats);
  return chunk;
}

export function chatCompletion(h: ReplyHeader, text: string, stats: ChatStats): ChatCompletion {
  return {
    ...h,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finishReason(stats.stopReason), logprobs: null }],
    usage: usageOf(stats),
  };
}

export function completionChunk(h: ReplyHeader, text: string, stats?: ChatStats): CompletionChunk {
  const chunk: CompletionChunk = {
    ...h,
    object: 'text_completion',
    choices: [{ index: 0, text, finish_reason: stats ? finishReason(stats.stopReason) : null, logprobs: null }],
  };
  if (stats) chunk.usage = usageOf(stats);
  return chunk;
}

export function completion(h: ReplyHeader, text: string, stats: ChatStats): Completion {
  return {
    ...h,
    object: 'text_completion',
    choices: [{ index: 0, text, finish_reason: finishReason(stats.stopReason), logprobs: null }],
    usage: usageOf(stats),
  };
}
