/**
 * The OpenAI chat and completion shapes Trit speaks, in the library and in the local server alike: the subset of
 * fields a local ternary model can honour. Field names follow the OpenAI API (snake_case) so any OpenAI client or
 * code written for web-llm reads them unchanged.
 */
import type { ChatMessage } from '../chat/types';

export type { ChatMessage };

/** 'stop': the model ended (or met a stop string, or was aborted); 'length': the token limit or the context was hit. */
export type FinishReason = 'stop' | 'length';

/** A message as OpenAI clients send it: the content may be a list of text parts; 'developer' counts as 'system'. */
export interface ChatMessageParam {
  role: 'system' | 'developer' | 'user' | 'assistant';
  content: string | Array<{ type: 'text'; text: string }>;
}

/** Sampling fields shared by chat and text completions. Fields not listed are refused, not silently ignored. */
export interface SamplingParams {
  /** Ignored by the library (one model is loaded at a time); echoed back in responses. */
  model?: string;
  /** 0 is greedy. Default 0.8. */
  temperature?: number;
  top_p?: number;
  /** Tokens to generate at most. */
  max_tokens?: number;
  /** Same seed, same settings and same input give the same output. */
  seed?: number;
  stop?: string | string[];
  /** Not OpenAI's own (llama.cpp's server has them): the sampler's other settings. */
  top_k?: number;
  min_p?: number;
  repeat_penalty?: number;
}

/** A chat completion request: the conversation so far, ending with the user's message. */
export interface ChatCompletionCreateParams extends SamplingParams {
  messages: ChatMessageParam[];
  stream?: boolean;
}

/** A text completion request: text for the model to carry on (the mode of base models). */
export interface CompletionCreateParams extends SamplingParams {
  /** The text the model continues (base models have no chat format). */
  prompt: string;
  stream?: boolean;
}

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: 0; message: { role: 'assistant'; content: string }; finish_reason: FinishReason; logprobs: null }>;
  usage: CompletionUsage;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  /** The first chunk carries the role, the middle ones the text, the last one `finish_reason` (and `usage`). */
  choices: Array<{ index: 0; delta: { role?: 'assistant'; content?: string }; finish_reason: FinishReason | null; logprobs: null }>;
  usage?: CompletionUsage;
}

export interface Completion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: Array<{ index: 0; text: string; finish_reason: FinishReason; logprobs: null }>;
  usage: CompletionUsage;
}

/** A streamed text completion has the same object name as the whole one, as in OpenAI's API. */
export interface CompletionChunk {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: Array<{ index: 0; text: string; finish_reason: FinishReason | null; logprobs: null }>;
  usage?: CompletionUsage;
}
