/**
 * Checks an OpenAI-shaped request (from a library caller or an HTTP body) and turns it into Trit's own terms:
 * messages or a prompt, and SamplingSettings. Anything wrong is a TritError 'bad_request' naming the field, so the
 * server can answer 400 with it and the library can throw it before the engine is asked.
 */
import { DEFAULT_SAMPLER_SETTINGS } from '../chat/sampler';
import type { ChatMessage, SamplingSettings } from '../chat/types';
import { TritError } from '../errors';
import type { ChatMessageParam, SamplingParams } from './openai-types';

export interface RequestLimits {
  /** The most tokens a request may ask for; also the default when it does not say. */
  maxTokens: number;
}

const SAMPLING_FIELDS = new Set(['model', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'seed', 'stop', 'top_k', 'min_p', 'repeat_penalty']);
/** Fields OpenAI clients commonly send that change nothing here. */
const HARMLESS_FIELDS = new Set(['stream', 'stream_options', 'n', 'user', 'frequency_penalty', 'presence_penalty', 'logprobs', 'signal']);

function bad(message: string): TritError {
  return new TritError('bad_request', message, 'Fix the request as the message says and send it again.');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalNumber(body: Record<string, unknown>, field: string, ok: (n: number) => boolean, rule: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw bad(`"${field}" must be ${rule}.`);
  return v;
}

function checkFields(body: Record<string, unknown>, own: string[]): void {
  for (const key of Object.keys(body)) {
    if (own.includes(key) || SAMPLING_FIELDS.has(key) || HARMLESS_FIELDS.has(key)) continue;
    throw bad(`"${key}" is not supported by Trit.`);
  }
  if (body.n !== undefined && body.n !== 1) throw bad('"n" must be 1: Trit writes one reply at a time.');
}

export function samplingFrom(body: Record<string, unknown>, limits: RequestLimits): SamplingSettings {
  const d = DEFAULT_SAMPLER_SETTINGS;
  const whole = (n: number) => Number.isInteger(n) && n >= 1;
  const maxTokens = optionalNumber(body, 'max_tokens', whole, 'a whole number of at least 1')
    ?? optionalNumber(body, 'max_completion_tokens', whole, 'a whole number of at least 1');
  if (maxTokens !== undefined && maxTokens > limits.maxTokens) {
    throw bad(`"max_tokens" is ${maxTokens}; this model answers with at most ${limits.maxTokens} tokens.`);
  }
  const stop = body.stop;
  if (stop !== undefined && stop !== null && typeof stop !== 'string' && !(Array.isArray(stop) && stop.every((s) => typeof s === 'string'))) {
    throw bad('"stop" must be a string or a list of strings.');
  }
  return {
    temperature: optionalNumber(body, 'temperature', (n) => n >= 0 && n <= 2, 'a number from 0 to 2') ?? d.temperature,
    topP: optionalNumber(body, 'top_p', (n) => n > 0 && n <= 1, 'a number above 0, at most 1') ?? d.topP,
    topK: optionalNumber(body, 'top_k', (n) => Number.isInteger(n) && n >= 0, 'a whole number of at least 0') ?? d.topK,
    minP: optionalNumber(body, 'min_p', (n) => n >= 0 && n < 1, 'a number from 0, below 1') ?? d.minP,
    repeatPenalty: optionalNumber(body, 'repeat_penalty', (n) => n > 0, 'a number above 0') ?? d.repeatPenalty,
    repeatLastN: d.repeatLastN,
    seed: optionalNumber(body, 'seed', (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'a whole number from 0 to 4294967295'),
    maxTokens: maxTokens ?? limits.maxTokens,
    stop: typeof stop === 'string' ? [stop] : (stop as string[] | undefined | null) ?? undefined,
  };
}

function messageFrom(m: unknown, i: number): ChatMessage {
  if (!isObject(m)) throw bad(`messages[${i}] must be an object with "role" and "content".`);
  const role = m.role as ChatMessageParam['role'];
  if (!['system', 'developer', 'user', 'assistant'].includes(role)) {
    throw bad(`messages[${i}].role must be "system", "user" or "assistant" (tools are not supported).`);
  }
  let content: string;
  if (typeof m.content === 'string') content = m.content;
  else if (Array.isArray(m.content) && m.content.every((p) => isObject(p) && p.type === 'text' && typeof p.text === 'string')) {
    content = m.content.map((p) => (p as { text: string }).text).join('');
  } else throw bad(`messages[${i}].content must be text (a string, or a list of {"type": "text"} parts).`);
  return { role: role === 'developer' ? 'system' : role, content };
}

export interface ParsedChatRequest {
  messages: ChatMessage[];
  sampling: SamplingSettings;
  stream: boolean;
  model?: string;
}

export function parseChatRequest(body: unknown, limits: RequestLimits): ParsedChatRequest {
  if (!isObject(body)) throw bad('The request must be a JSON object.');
  checkFields(body, ['messages']);
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw bad('"messages" must be a non-empty list.');
  const messages = body.messages.map(messageFrom);
  if (messages[messages.length - 1].role !== 'user') throw bad('The last message must be from the user.');
  return { messages, sampling: samplingFrom(body, limits), stream: body.stream === true, model: body.model as string | undefined };
}

export interface ParsedCompletionRequest {
  prompt: string;
  sampling: SamplingSettings;
  stream: boolean;
  model?: string;
}

export function parseCompletionRequest(body: unknown, limits: RequestLimits): ParsedCompletionRequest {
  if (!isObject(body)) throw bad('The request must be a JSON object.');
  checkFields(body, ['prompt', 'echo', 'suffix', 'best_of']);
  let prompt = body.prompt;
  // Clients send a one-item list for a single prompt.
  if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === 'string') prompt = prompt[0];
  if (typeof prompt !== 'string' || prompt.length === 0) throw bad('"prompt" must be a non-empty string.');
  if (body.echo === true || (body.suffix !== undefined && body.suffix !== null)) throw bad('"echo" and "suffix" are not supported by Trit.');
  return { prompt, sampling: samplingFrom(body, limits), stream: body.stream === true, model: body.model as string | undefined };
}
