/**
 * Generation control: sending a message, editing a question, regenerating or continuing a reply, and Stop. It works
 * on AppState's reactive fields (the shown conversation, `generating`, `tooLong`) and reaches the engine only through
 * AppState's client, waiting while the engine is busy with something else.
 */
import * as Comlink from 'comlink';
import type { GenerateRequest, ReplyDelta } from '../engine/protocol';
import { deviceKey, recordReply } from '../engine/thread-probe';
import type { AppState } from './app-state.svelte';
import { editQuestion, regenerateReply } from './branches';
import {
  appendUserMessage,
  createConversation,
  instructionsFor,
  newId,
  toEngineMessages,
  type Conversation,
  type StoredMessage,
} from './conversations';
import { toUiError } from './errors';
import { samplingFrom } from './settings';
import { ShownReplyBatcher } from './shown-reply-batcher';
import { t } from './strings';

/** localStorage, or undefined where the browser refuses it (some private modes throw on access). */
export function safeLocalStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

export class GenerationControl {
  /** Bumped on every generation and on Stop, so a stopped reply's late tokens are not shown. */
  private token = 0;
  private shown?: ShownReplyBatcher;

  constructor(private readonly app: AppState) {}

  private get idle(): boolean {
    return !this.app.generating && this.app.modelReady;
  }

  /** See AppState.send. */
  async send(text: string): Promise<boolean> {
    const content = text.trim();
    if (!content || !this.idle) return false;
    const base = this.app.current ?? createConversation(Date.now(), t.untitled);
    const next = appendUserMessage(base, content, Date.now(), t.untitled);
    if (!(await this.fits(this.requestFor(next)))) return false;
    await this.generateInto(next);
    return true;
  }

  /** Answers the question at `index` again as a new version of its reply; the earlier replies stay browsable. */
  async regenerate(index: number): Promise<void> {
    if (!this.app.current || !this.idle) return;
    const c = regenerateReply(this.app.current, index, Date.now());
    if (c) await this.generateInto(c);
  }

  /** The question at `index` with new text, as a new version from there, and its answer. */
  async edit(index: number, text: string): Promise<void> {
    if (!this.app.current || !this.idle) return;
    const c = editQuestion(this.app.current, index, text, Date.now(), t.untitled);
    if (c && (await this.fits(this.requestFor(c)))) await this.generateInto(c);
  }

  /** Carries on the last reply, which stopped at the length limit; the new text is added to it. */
  async continueReply(): Promise<void> {
    const c = this.app.current;
    const reply = c?.messages.at(-1);
    if (!c || !reply || !this.idle || reply.role !== 'assistant' || reply.stats?.stopReason !== 'max_tokens') return;
    await this.generateInto({ ...c, updatedAt: Date.now() }, { continuing: true });
  }

  /** Refuses, before anything is shown or evaluated, a message that cannot fit the context with every older turn left out. */
  private async fits(request: GenerateRequest): Promise<boolean> {
    this.app.tooLong = undefined;
    try {
      const need = await this.app.whenFree(() => this.app.client.api.checkPrompt(request));
      if (need.tokens < need.nCtx) return true;
      this.app.tooLong = need;
      return false;
    } catch {
      // The reply itself reports whatever is wrong (no model, a crash), as before.
      return true;
    }
  }

  /** What the engine is asked: this chat's instructions, then every turn that counts (a pending reply does not). */
  requestFor(c: Conversation): GenerateRequest {
    const app = this.app;
    const modelId = app.modelEntry?.id ?? app.settings.modelId;
    return {
      messages: toEngineMessages(instructionsFor(c, app.settings.systemPrompt), c.messages),
      sampling: samplingFrom(app.settings, modelId),
    };
  }

  /**
   * Stops the reply at once: the composer is free immediately; the worker finishes its step in the background.
   * The reply stays, marked stopped, even before its first word: the question keeps an answer, a note and Regenerate.
   */
  stop(): void {
    const app = this.app;
    if (!app.generating) return;
    this.token++;
    app.generating = false;
    this.shown?.close();
    app.client.api.cancel();
    const reply = app.current?.messages.at(-1);
    if (reply?.pending) {
      reply.pending = false;
      reply.stopped = true;
      if (app.current) void app.persist(app.current);
    }
  }

  /**
   * Generates into `conversation`'s last reply: a pending one already there (a regenerated version), the reply
   * being continued, or else a new one.
   */
  private async generateInto(conversation: Conversation, opts: { continuing?: boolean } = {}): Promise<void> {
    const app = this.app;
    const token = ++this.token;
    conversation.modelId = app.modelEntry?.id;
    const last = conversation.messages.at(-1);
    if (opts.continuing && last) {
      last.pending = true;
      delete last.stopped;
      delete last.error;
    } else if (!(last?.role === 'assistant' && last.pending)) {
      conversation.messages.push({ id: newId(), role: 'assistant', content: '', pending: true });
    }
    // A continued reply is sent as it stands (the engine carries it on); a new one is not sent at all.
    const request = this.requestFor(opts.continuing ? { ...conversation, messages: conversation.messages.map((m) => ({ ...m, pending: false })) } : conversation);
    app.current = conversation;
    void app.rememberOpen(conversation.id);
    // Mutate through the reactive proxy so streamed text shows as it arrives.
    const reply: StoredMessage = app.current.messages[app.current.messages.length - 1];
    const conv = app.current;
    app.generating = true;
    // Saved now too, so the question survives a tab closed mid-reply.
    void app.persist(conv);
    // Streamed text reaches the page in batches (re-rendering the Markdown per token would keep a fast model's main
    // thread too busy to press Stop), in order, and the final result replaces it (see ShownReplyBatcher).
    const shown = new ShownReplyBatcher(reply);
    this.shown = shown;
    try {
      const result = await app.whenFree(() => {
        if (token !== this.token) throw new Error('superseded');
        const onDelta = Comlink.proxy((delta: ReplyDelta) => shown.push(delta));
        if (!app.modelInfo?.isBaseModel) return app.client.api.generate(request, onDelta);
        // A base model has no chat format: it carries on the person's latest text (and a reply being continued).
        const question = [...conversation.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
        return app.client.api.continueText({ text: question + (opts.continuing ? reply.content : ''), sampling: request.sampling }, onDelta);
      });
      // After Stop, keep what the person saw (the batcher is closed); the stats still say how it went.
      if (token === this.token) shown.finish(result.text);
      else shown.close();
      reply.stats = result.stats;
      if (result.stats.stopReason === 'aborted') reply.stopped = true;
      app.lastStats = result.stats;
      if (app.modelEntry && result.stats.stopReason !== 'aborted') {
        const seen = { model: app.modelEntry.id, threads: result.stats.threads, tokensPerSecond: result.stats.generationTokensPerSecond };
        recordReply(safeLocalStorage(), deviceKey(navigator.userAgent, navigator.hardwareConcurrency), seen, Date.now());
      }
    } catch (e) {
      shown.close();
      if (token === this.token) reply.error = toUiError(e);
    } finally {
      reply.pending = false;
      if (token === this.token) app.generating = false;
      conv.updatedAt = Date.now();
      await app.persist(conv);
    }
  }
}
