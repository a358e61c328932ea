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
  /** After an overflow, the share of the prompt budget the kept conversation may fill (default 0.5); the rest is
   * room for the next turns to append to the cached prefix. */
  keepFraction?: number;
}

/** Replies remembered with their tokens (enough for any realistic conversation window). */
const REMEMBERED_REPLIES = 64;
/** Tokenized messages remembered (a few long conversations' worth). */
const REMEMBERED_TURNS = 2048;

export class ChatSession {
  /** Tokens whose keys/values are in the model's cache, in order. */
  private cached: number[] = [];
  /** Reply text -> the tokens the model generated for it. */
  private readonly replies = new Map<string, number[]>();
  /** Role + text -> tokens of messages already encoded (LRU). */
  private readonly encodedTurns = new Map<string, number[]>();
  /** Where the kept conversation starts once it has overflowed (see chooseWindow). */
  private window?: { first: number; key: string };
  private busy = false;
  private readonly keepFraction: number;
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
    this.keepFraction = Math.min(1, Math.max(0.1, opts.keepFraction ?? 0.5));
  }

  /** Tokens currently in the model's cache for this session. */
  get cachedTokens(): readonly number[] {
    return this.cached;
  }

  /** Forgets the conversation and clears the model's cache. */
  async reset(): Promise<void> {
    this.cached = [];
    this.replies.clear();
    this.window = undefined;
    await this.model.truncate(0);
  }

  /**
   * The tokens the conversation needs at the least (the system prompt and the last message, every earlier turn left
   * out) and the context: if even that does not fit, generate() would refuse it, so the page can refuse it first.
   */
  minimumPrompt(messages: readonly ChatMessage[]): { tokens: number; nCtx: number; conversationTokens: number } {
    const last = messages.length - 1;
    const frame = this.template.encodeStart().length + this.template.encodeGenerationPrompt().length;
    let tokens = frame;
    let conversationTokens = frame;
    messages.forEach((m, i) => {
      const n = this.encodeTurn(m).length;
      conversationTokens += n;
      if (m.role === 'system' || i === last) tokens += n;
    });
    // `conversationTokens`: the whole conversation with nothing left out, for the page's context meter.
    return { tokens, nCtx: this.model.nCtx, conversationTokens };
  }

  /**
   * Generates the assistant's reply to `messages` (the whole conversation, ending with a user message).
   * Never truncates the reply silently: `stats.stopReason` says why it ended. When the conversation ends with an
   * assistant message instead (a reply that stopped at the length limit), the model carries that reply on: the
   * result is only the new text, to be appended to it.
   */
  async generate(messages: readonly ChatMessage[], sampling: SamplingSettings, opts: GenerateOptions = {}): Promise<ChatResult> {
    return this.exclusive(() => this.run(messages, sampling, opts));
  }

  /**
   * Continues `text`: the result is what the model writes after it, with no chat format around it. The mode of base
   * models (`template.isBaseModel`), which have no chat format; works for any model. When the text does not fit the
   * context its start is left out (`stats.droppedTokens`).
   */
  async continueText(text: string, sampling: SamplingSettings, opts: GenerateOptions = {}): Promise<ChatResult> {
    return this.exclusive(() => this.runContinuation(text, sampling, opts));
  }

  private async exclusive(work: () => Promise<ChatResult>): Promise<ChatResult> {
    if (this.busy) {
      throw new TritError('busy', 'A reply is already being generated.', 'Wait for it to finish or stop it first.');
    }
    this.busy = true;
    try {
      return await work();
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
    const last = messages[messages.length - 1];
    const continuing = last?.role === 'assistant' && messages[messages.length - 2]?.role === 'user';
    if (!last || (last.role !== 'user' && !continuing)) {
      throw new TritError('bad_request', 'The conversation must end with a user message.', 'Type a message and send it.');
    }
    // Fit the conversation: keep room for the reply, drop oldest turns first.
    const nCtx = this.model.nCtx;
    const reserve = replyReserve(sampling, nCtx);
    const sampler = new Sampler(sampling);
    if (!continuing) {
      const { prompt, dropped } = this.fitPrompt(messages, nCtx - reserve, nCtx - 1);
      return this.complete(prompt, sampler, sampling, opts, t0, dropped);
    }
    // The reply so far, as the tokens the model generated for it when they are remembered (its cache is reused).
    const partial = this.replies.get(last.content) ?? this.tokenizer.encode(last.content, { addBos: false, parseSpecial: false });
    const history = messages.slice(0, -1);
    const { prompt, dropped } = this.fitPrompt(history, nCtx - reserve - partial.length, nCtx - 1 - partial.length);
    const result = await this.complete([...prompt, ...partial], sampler, sampling, opts, t0, dropped);
    if (result.tokens.length > 0) this.remember(last.content + result.text, [...partial, ...result.tokens]);
    return result;
  }

  private async runContinuation(text: string, sampling: SamplingSettings, opts: GenerateOptions): Promise<ChatResult> {
    const t0 = this.now();
    if (text.length === 0) {
      throw new TritError('bad_request', 'There is no text to continue.', 'Write the beginning of a text for the model to carry on.');
    }
    const nCtx = this.model.nCtx;
    const reserve = replyReserve(sampling, nCtx);
    const sampler = new Sampler(sampling);
    // Too long: keep BOS and the end of the text, the part the continuation follows.
    const full = this.template.encodeContinuation(text);
    const start = this.template.encodeStart().length;
    const drop = Math.min(Math.max(0, full.length - (nCtx - reserve)), full.length - start - 1);
    const prompt = drop > 0 ? [...full.slice(0, start), ...full.slice(start + drop)] : full;
    const result = await this.complete(prompt, sampler, sampling, opts, t0, 0);
    result.stats.droppedTokens = drop;
    return result;
  }

  /** Evaluates `prompt` (reusing the cached prefix) and generates from it until a stop condition. */
  private async complete(prompt: number[], sampler: Sampler, sampling: SamplingSettings, opts: GenerateOptions, t0: number,
    dropped: number): Promise<ChatResult> {
    const nCtx = this.model.nCtx;

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
    const encoded = messages.map((m) => this.encodeTurn(m));
    const start = this.template.encodeStart();
    const open = this.template.encodeGenerationPrompt();
    const systemCount = Math.max(0, messages.findIndex((m) => m.role !== 'system'));
    // Tokens of messages [i, end), so the size of any window is one subtraction.
    const tail = new Array<number>(messages.length + 1).fill(0);
    for (let i = messages.length - 1; i >= 0; i--) tail[i] = tail[i + 1] + encoded[i].length;
    const fixed = start.length + open.length + tail[0] - tail[systemCount];
    const size = (from: number) => fixed + tail[from];
    const firstKept = this.chooseWindow(messages, size, budget, systemCount);
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

  /**
   * The first message kept after the system prompt. Dropping starts at a user message (whole exchanges go).
   * Once the conversation has overflowed, the window's start stays where it is for as long as the conversation
   * still fits behind it: its tokens are already in the KV cache, so a turn evaluates only its new tokens. When it
   * no longer fits, whole exchanges are dropped until the kept part fills at most `keepFraction` of the budget, so
   * the next several turns again append to a cached prefix (llama.cpp's context shift halves the window for the same
   * reason) instead of shifting the window, and re-evaluating it, every turn.
   */
  private chooseWindow(messages: readonly ChatMessage[], size: (from: number) => number, budget: number, systemCount: number): number {
    const lastUser = messages.length - 1;
    if (size(systemCount) <= budget) {
      this.window = undefined;
      return systemCount;
    }
    const w = this.window;
    if (w && w.first > systemCount && w.first <= lastUser && messages[w.first].role === 'user' &&
        turnKey(messages[w.first]) === w.key && size(w.first) <= budget) {
      return w.first;
    }
    // The first start within the target; failing that, the first that fits at all; failing that, the last message.
    const target = budget * this.keepFraction;
    let withinTarget = -1;
    let fits = -1;
    for (let i = systemCount + 1; i <= lastUser && withinTarget < 0; i++) {
      if (messages[i].role !== 'user') continue;
      if (fits < 0 && size(i) <= budget) fits = i;
      if (size(i) <= target) withinTarget = i;
    }
    const first = withinTarget >= 0 ? withinTarget : fits >= 0 ? fits : lastUser;
    this.window = { first, key: turnKey(messages[first]) };
    return first;
  }

  /** A message's tokens, remembered: a long conversation is not tokenized again every turn. */
  private encodeTurn(m: ChatMessage): number[] {
    const replyTokens = m.role === 'assistant' ? this.replies.get(m.content) : undefined;
    const key = (replyTokens ? 'r' : 't') + turnKey(m);
    let tokens = this.encodedTurns.get(key);
    if (tokens) {
      this.encodedTurns.delete(key);
    } else {
      tokens = this.template.encodeMessage(m, replyTokens);
      if (this.encodedTurns.size >= REMEMBERED_TURNS) this.encodedTurns.delete(this.encodedTurns.keys().next().value!);
    }
    this.encodedTurns.set(key, tokens);
    return tokens;
  }

  private remember(text: string, tokens: number[]): void {
    this.replies.delete(text);
    this.replies.set(text, tokens);
    if (this.replies.size > REMEMBERED_REPLIES) this.replies.delete(this.replies.keys().next().value!);
  }
}

/** The room a prompt leaves for the reply: its length limit (checked here), at most a quarter of the context. */
function replyReserve(sampling: SamplingSettings, nCtx: number): number {
  if (!Number.isInteger(sampling.maxTokens) || sampling.maxTokens < 1) {
    throw new TritError('invalid_sampling', 'The reply length limit must be at least 1 token.', 'Set a positive maximum reply length.');
  }
  return Math.min(sampling.maxTokens, Math.max(1, Math.floor(nCtx / 4)));
}

function turnKey(m: ChatMessage): string {
  return `${m.role}\u0000${m.content}`;
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
