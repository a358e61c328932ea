/**
 * A multi-turn conversation on one LanguageModel. It remembers which tokens sit in the model's KV cache,
 * so each request evaluates only what changed (normally just the new user turn), drops the oldest turns when
 * the conversation would not fit the context (keeping the system prompt, and saying so), streams text deltas
 * with per-token timing, and stops on end-of-generation tokens, stop strings, the token limit, a full context
 * or an AbortSignal (checked before every model call, so an abort takes effect within one token).
 */
import { TritError } from '../errors';
import { StreamingDecoder, type Tokenizer } from '../tokenizer';
import type { ChatMessage, ChatStats, SamplingSettings, StopReason, TokenDelta } from './types';
import type { ChatTemplate } from './chat-template';
import type { LanguageModel } from './model';
import { Sampler } from './sampler';
import { StopStringFilter } from './stop-strings';

export type { ChatMessage, ChatStats, SamplingSettings, StopReason, TokenDelta };

export interface ChatResult {
  text: string;
  /** Tokens generated for the reply (without the end-of-generation token). */
  tokens: number[];
  stats: ChatStats;
}

export interface StreamedToken extends TokenDelta {
  token: number;
}

export interface GenerateOptions {
  signal?: AbortSignal;
  onToken?: (delta: StreamedToken) => void;
}

export interface ChatSessionOptions {
  /** Prompt tokens evaluated per model call, so an abort is honoured between chunks of a long prompt. */
  promptChunk?: number;
  /** Clock in milliseconds (tests inject one). */
  now?: () => number;
}

/** Replies remembered with their tokens (enough for any realistic conversation window). */
const REMEMBERED_REPLIES = 64;

export class ChatSession {
  /** Tokens whose keys/values are in the model's cache, in order. */
  private cached: number[] = [];
  /** Reply text -> the tokens the model generated for it. */
  private readonly replies = new Map<string, number[]>();
  private busy = false;
  private readonly promptChunk: number;
  private readonly now: () => number;

  constructor(
    private readonly model: LanguageModel,
    private readonly tokenizer: Tokenizer,
    private readonly template: ChatTemplate,
    opts: ChatSessionOptions = {},
  ) {
    this.promptChunk = Math.max(1, opts.promptChunk ?? 512);
    this.now = opts.now ?? (() => performance.now());
  }

  /** Tokens currently in the model's cache for this session. */
  get cachedTokens(): readonly number[] {
    return this.cached;
  }

  /** Forgets the conversation and clears the model's cache. */
  async reset(): Promise<void> {
    this.cached = [];
    this.replies.clear();
    await this.model.truncate(0);
  }

  /**
   * Generates the assistant's reply to `messages` (the whole conversation, ending with a user message).
   * Never truncates the reply silently: `stats.stopReason` says why it ended.
   */
  async generate(messages: readonly ChatMessage[], sampling: SamplingSettings, opts: GenerateOptions = {}): Promise<ChatResult> {
    if (this.busy) {
      throw new TritError('busy', 'A reply is already being generated.', 'Wait for it to finish or stop it first.');
    }
    this.busy = true;
    try {
      return await this.run(messages, sampling, opts);
    } catch (e) {
      // The cache may hold part of a failed call: start from scratch next time.
      this.cached = [];
      await Promise.resolve(this.model.truncate(0)).catch(() => undefined);
      throw e;
    } finally {
      this.busy = false;
    }
  }

  private async run(messages: readonly ChatMessage[], sampling: SamplingSettings, opts: GenerateOptions): Promise<ChatResult> {
    const t0 = this.now();
    if (messages.length === 0 || messages[messages.length - 1].role !== 'user') {
      throw new TritError('bad_request', 'The conversation must end with a user message.', 'Type a message and send it.');
    }
    if (!Number.isInteger(sampling.maxTokens) || sampling.maxTokens < 1) {
      throw new TritError('invalid_sampling', 'The reply length limit must be at least 1 token.', 'Set a positive maximum reply length.');
    }
    const sampler = new Sampler(sampling);
    const nCtx = this.model.nCtx;

    // Fit the conversation: keep room for the reply (up to a quarter of the context), drop oldest turns first.
    const reserve = Math.min(sampling.maxTokens, Math.max(1, Math.floor(nCtx / 4)));
    const { prompt, dropped } = this.fitPrompt(messages, nCtx - reserve, nCtx - 1);

    // Reuse the longest cached prefix; at least one token must be evaluated to get fresh logits.
    if (this.model.nPast !== this.cached.length) this.cached = [];
    let keep = commonPrefix(this.cached, prompt);
    if (keep === prompt.length) keep--;
    if (keep < this.model.nPast) await this.model.truncate(keep);
    this.cached.length = keep;

    const signal = opts.signal;
    const stats: ChatStats = {
      promptTokens: prompt.length,
      evaluatedPromptTokens: prompt.length - keep,
      generatedTokens: 0,
      promptTokensPerSecond: 0,
      generationTokensPerSecond: 0,
      timeToFirstTokenMs: 0,
      stopReason: 'eos',
      droppedMessages: dropped,
      seed: sampler.seed,
    };

    let logits: Float32Array | undefined;
    const promptStart = this.now();
    for (let at = keep; at < prompt.length; at += this.promptChunk) {
      if (signal?.aborted) {
        stats.stopReason = 'aborted';
        return { text: '', tokens: [], stats };
      }
      const chunk = prompt.slice(at, Math.min(prompt.length, at + this.promptChunk));
      logits = await this.model.eval(chunk);
      this.cached.push(...chunk);
    }
    const promptEnd = this.now();
    stats.promptTokensPerSecond = rate(stats.evaluatedPromptTokens, promptEnd - promptStart);

    const decoder = new StreamingDecoder(this.tokenizer);
    const stopFilter = new StopStringFilter(sampling.stop ?? []);
    const generated: number[] = [];
    let text = '';
    let last = promptEnd;
    let reason: StopReason | undefined;
    while (!reason) {
      if (signal?.aborted) {
        reason = 'aborted';
        break;
      }
      const token = sampler.sample(logits!, this.cached.slice(-Math.max(1, sampling.repeatLastN)));
      const t = this.now();
      if (generated.length === 0) stats.timeToFirstTokenMs = t - t0;
      if (this.tokenizer.endOfGeneration.has(token)) {
        reason = 'eos';
        break;
      }
      generated.push(token);
      const shown = stopFilter.push(decoder.push(token));
      text += shown.text;
      opts.onToken?.({ text: shown.text, ms: t - last, token });
      last = t;
      if (shown.stopped) reason = 'stop_string';
      else if (generated.length >= sampling.maxTokens) reason = 'max_tokens';
      else if (this.cached.length >= nCtx) reason = 'context_full';
      else if (signal?.aborted) reason = 'aborted';
      else {
        logits = await this.model.eval([token]);
        this.cached.push(token);
      }
    }
    if (reason !== 'stop_string') {
      // Bytes of an unfinished character and text held back as a possible stop string belong to the reply.
      const tail = stopFilter.push(decoder.flush());
      const rest = tail.stopped ? tail.text : tail.text + stopFilter.flush();
      if (tail.stopped) reason = 'stop_string';
      if (rest) {
        text += rest;
        opts.onToken?.({ text: rest, ms: 0, token: generated[generated.length - 1] ?? -1 });
      }
    }
    const end = this.now();
    stats.stopReason = reason;
    stats.generatedTokens = generated.length;
    stats.generationTokensPerSecond = rate(generated.length, end - promptEnd);
    if (generated.length > 0 && this.tokenizer.decode(generated) === text) this.remember(text, generated);
    return { text, tokens: generated, stats };
  }

  /**
   * Encodes the conversation, leaving out the oldest non-system messages until the prompt fits `budget`
   * tokens (or, with only the system prompt and the last user message left, `hardLimit`).
   */
  private fitPrompt(messages: readonly ChatMessage[], budget: number, hardLimit: number): { prompt: number[]; dropped: number } {
    const encoded = messages.map((m) => this.template.encodeMessage(m, m.role === 'assistant' ? this.replies.get(m.content) : undefined));
    const start = this.template.encodeStart();
    const open = this.template.encodeGenerationPrompt();
    let firstKept = messages.findIndex((m) => m.role !== 'system');
    const systemCount = firstKept;
    const size = (from: number) =>
      start.length + open.length + encoded.reduce((n, e, i) => (i < systemCount || i >= from ? n + e.length : n), 0);
    const lastUser = messages.length - 1;
    while (size(firstKept) > budget && firstKept < lastUser) {
      // Drop a whole exchange: everything up to the next user message.
      firstKept++;
      while (firstKept < lastUser && messages[firstKept].role !== 'user') firstKept++;
    }
    if (size(firstKept) > hardLimit) {
      throw new TritError(
        'prompt_too_long',
        `Your message and the system prompt take ${size(firstKept)} tokens, more than the model's context of ${this.model.nCtx}.`,
        'Shorten the message or the system prompt, or load the model with a longer context.',
      );
    }
    const prompt = [...start];
    encoded.forEach((e, i) => {
      if (i < systemCount || i >= firstKept) prompt.push(...e);
    });
    prompt.push(...open);
    return { prompt, dropped: firstKept - systemCount };
  }

  private remember(text: string, tokens: number[]): void {
    this.replies.delete(text);
    this.replies.set(text, tokens);
    if (this.replies.size > REMEMBERED_REPLIES) this.replies.delete(this.replies.keys().next().value!);
  }
}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

function rate(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : 0;
}
