/**
 * The app's state and the actions on it: engine, model, settings, conversations, generation.
 * Components read the $state fields and call the methods; nothing else talks to the engine worker.
 */
import * as Comlink from 'comlink';
import { createEngineClient, startEngineWithin, type EngineClient } from '../engine/client';
import { appBaseUrl } from '../pwa/app-base';
import type { EngineStatus, GenerateStats, LoadProgress, ModelInfo, ModelSource } from '../engine/protocol';
import { BUILTIN_CATALOGUE, type CatalogueSource } from '../store/catalogue';
import {
  ConversationStore,
  appendUserMessage,
  createConversation,
  forEditLast,
  forRegenerate,
  newId,
  toEngineMessages,
  type Conversation,
  type ConversationSummary,
  type StoredMessage,
} from './conversations';
import { errorCode, toUiError, type UiError } from './errors';
import { IdbKeyValueStore, type KeyValueStore } from './kv';
import { DEFAULT_SETTINGS, DEMO_MODEL_ID, SettingsStore, resolveThreads, samplingFrom, type Settings } from './settings';
import { t } from './strings';

/** How long a call waits for the engine to finish another task (a self-test, a stopped reply) before giving up. */
const BUSY_WAIT_MS = 120_000;
const BUSY_POLL_MS = 200;
/** How often streamed text is shown: smooth to the eye, and a few re-renders a second instead of one per token. */
const STREAM_FLUSH_MS = 60;

export type ModelPhase = 'none' | 'loading' | 'ready' | 'error';

export interface AppStorage {
  settings: KeyValueStore<Settings>;
  conversations: KeyValueStore<Conversation>;
}

export function browserStorage(): AppStorage {
  return {
    settings: new IdbKeyValueStore<Settings>('trit-settings', 'settings'),
    conversations: new IdbKeyValueStore<Conversation>('trit-conversations', 'conversations'),
  };
}

/** A model the person can load: the bundled demo, or one in the model store. */
export interface ModelChoice {
  id: string;
  name: string;
  source: CatalogueSource | 'import';
  url?: string;
}

/** The demo model is served by the app itself; resolve it against the page so the app also works under a sub-path. */
export function modelSourceFor(choice: ModelChoice, baseUri: string): ModelSource {
  if (choice.source === 'demo' && choice.url) return { kind: 'url', url: new URL(choice.url.replace(/^\//, ''), baseUri).href };
  return { kind: 'stored', modelId: choice.id };
}

export class AppState {
  client: EngineClient = $state.raw(createEngineClient());
  engineStatus = $state<EngineStatus | undefined>();
  engineError = $state<UiError | undefined>();
  crashedMessage = $state<string | undefined>();

  settings = $state<Settings>({ ...DEFAULT_SETTINGS });
  settingsLoaded = $state(false);
  /** Settings that only apply on the next model load (context size) changed since the model loaded. */
  needsReload = $state(false);

  modelPhase = $state<ModelPhase>('none');
  modelEntry = $state.raw<ModelChoice | undefined>();
  modelInfo = $state<ModelInfo | undefined>();
  modelProgress = $state<LoadProgress | undefined>();
  modelError = $state<UiError | undefined>();

  conversations = $state<ConversationSummary[]>([]);
  current = $state<Conversation | undefined>();
  generating = $state(false);
  waitingForEngine = $state(false);
  lastStats = $state<GenerateStats | undefined>();
  historyError = $state<UiError | undefined>();

  private readonly settingsStore: SettingsStore;
  private readonly conversationStore: ConversationStore;
  /** Bumped on every generation and on Stop, so a stopped reply's late tokens are not shown. */
  private generationToken = 0;
  private selfTestSettled: Promise<unknown> = Promise.resolve();
  private loadedContextSize = 0;

  /** Looks a saved model choice up in the store (stored and user-added models), falling back to the built-in catalogue. */
  private readonly findModel: (id: string) => Promise<ModelChoice | undefined>;

  constructor(storage: AppStorage = browserStorage(), findModel?: (id: string) => Promise<ModelChoice | undefined>) {
    this.findModel = findModel ?? (async (id) => BUILTIN_CATALOGUE.find((e) => e.id === id));
    this.settingsStore = new SettingsStore(storage.settings);
    this.conversationStore = new ConversationStore(storage.conversations);
    this.watchCrash(this.client);
  }

  /**
   * The client handed to the engine self-test view. It records when the self-test runs, so the app waits for
   * it instead of colliding with it (the worker runs one long task at a time).
   */
  clientForSelfTest(): EngineClient {
    const client = this.client;
    const api = new Proxy(client.api, {
      get: (target, prop, receiver) => {
        if (prop === 'selfTest') {
          return (...args: Parameters<typeof target.selfTest>) => {
            const run = target.selfTest(...args);
            this.selfTestSettled = run.catch(() => undefined);
            return run;
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    return { ...client, api };
  }

  async start(): Promise<void> {
    const [settings] = await Promise.all([this.settingsStore.load(), this.refreshConversations()]);
    this.settings = settings;
    this.settingsLoaded = true;
    if (!(await this.startEngine())) return;
    const entry = (await this.findModel(settings.modelId)) ?? BUILTIN_CATALOGUE.find((e) => e.id === DEMO_MODEL_ID);
    if (entry) await this.loadModel(entry);
  }

  private watchCrash(client: EngineClient) {
    void client.crashed.then((message) => {
      if (this.client !== client) return;
      this.crashedMessage = message;
      this.generating = false;
      this.modelPhase = 'none';
      this.modelInfo = undefined;
    });
  }

  private async startEngine(): Promise<boolean> {
    this.engineError = undefined;
    try {
      const status = await startEngineWithin(this.client);
      const threads = resolveThreads(this.settings, status.maxThreads);
      this.engineStatus = threads === status.threads ? status : await this.client.api.setThreads(threads);
      return true;
    } catch (e) {
      this.engineError = toUiError(e);
      return false;
    }
  }

  /** After a crash (usually out of memory): a fresh worker, and the model loaded again. */
  async restartEngine(): Promise<void> {
    this.client.terminate();
    this.client = createEngineClient();
    this.watchCrash(this.client);
    this.crashedMessage = undefined;
    this.engineStatus = undefined;
    if (!(await this.startEngine())) return;
    if (this.modelEntry) await this.loadModel(this.modelEntry);
  }

  /** Runs an engine call, waiting while the engine is busy with another task rather than failing at once. */
  private async whenFree<T>(call: () => Promise<T>): Promise<T> {
    await this.selfTestSettled;
    const deadline = Date.now() + BUSY_WAIT_MS;
    for (;;) {
      try {
        return await call();
      } catch (e) {
        if (errorCode(e) !== 'busy' || Date.now() > deadline) throw e;
        this.waitingForEngine = true;
        await new Promise((r) => setTimeout(r, BUSY_POLL_MS));
      } finally {
        this.waitingForEngine = false;
      }
    }
  }

  get modelReady(): boolean {
    return this.modelPhase === 'ready' && !this.crashedMessage;
  }

  async loadModel(entry: ModelChoice): Promise<void> {
    if (this.generating) this.stop();
    this.modelEntry = entry;
    this.modelPhase = 'loading';
    this.modelError = undefined;
    this.modelProgress = undefined;
    this.modelInfo = undefined;
    const contextSize = this.settings.contextSize;
    try {
      const source = modelSourceFor(entry, appBaseUrl());
      const info = await this.whenFree(() =>
        this.client.api.loadModel(
          source,
          { nCtx: contextSize },
          Comlink.proxy((p: LoadProgress) => {
            this.modelProgress = p;
          }),
        ),
      );
      if (this.modelEntry !== entry) return;
      this.modelInfo = info;
      this.modelPhase = 'ready';
      this.loadedContextSize = contextSize;
      this.needsReload = false;
      if (this.settings.modelId !== entry.id) await this.saveSettings({ ...this.settings, modelId: entry.id });
    } catch (e) {
      if (this.modelEntry !== entry) return;
      this.modelPhase = 'error';
      this.modelError = toUiError(e);
    }
  }

  async saveSettings(next: Settings): Promise<void> {
    const previous = this.settings;
    this.settings = await this.settingsStore.save(next);
    this.needsReload = this.modelPhase === 'ready' && this.settings.contextSize !== this.loadedContextSize;
    if (this.engineStatus && previous.threads !== this.settings.threads) {
      const threads = resolveThreads(this.settings, this.engineStatus.maxThreads);
      try {
        this.engineStatus = await this.whenFree(() => this.client.api.setThreads(threads));
      } catch (e) {
        this.engineError = toUiError(e);
      }
    }
  }

  async resetSettings(): Promise<void> {
    await this.saveSettings(await this.settingsStore.reset(this.settings));
  }

  // Conversations

  async refreshConversations(): Promise<void> {
    try {
      this.conversations = await this.conversationStore.list();
      this.historyError = undefined;
    } catch (e) {
      this.historyError = toUiError(e);
    }
  }

  newConversation(): void {
    if (this.generating) this.stop();
    this.current = undefined;
  }

  async openConversation(id: string): Promise<void> {
    if (this.generating) this.stop();
    const c = await this.conversationStore.get(id);
    if (c) this.current = c;
  }

  async renameConversation(id: string, title: string): Promise<void> {
    const renamed = await this.conversationStore.rename(id, title);
    if (renamed && this.current?.id === id) this.current = { ...this.current, title: renamed.title, titleEdited: true };
    await this.refreshConversations();
  }

  async deleteConversation(id: string): Promise<void> {
    if (this.current?.id === id) this.newConversation();
    await this.conversationStore.delete(id);
    await this.refreshConversations();
  }

  async clearConversations(): Promise<void> {
    this.newConversation();
    await this.conversationStore.clear();
    await this.refreshConversations();
  }

  private async persist(c: Conversation): Promise<void> {
    try {
      // Reactive proxies cannot be stored in IndexedDB; a snapshot is a plain copy.
      await this.conversationStore.save($state.snapshot(c) as Conversation);
      await this.refreshConversations();
    } catch (e) {
      this.historyError = toUiError(e);
    }
  }

  // Chat

  async send(text: string): Promise<void> {
    const content = text.trim();
    if (!content || this.generating || !this.modelReady) return;
    const base = this.current ?? createConversation(Date.now(), t.untitled);
    await this.generateInto(appendUserMessage(base, content, Date.now(), t.untitled));
  }

  async regenerate(): Promise<void> {
    if (!this.current || this.generating || !this.modelReady) return;
    const c = forRegenerate(this.current, Date.now());
    if (c) await this.generateInto(c);
  }

  async editLast(text: string): Promise<void> {
    if (!this.current || this.generating || !this.modelReady) return;
    const c = forEditLast(this.current, text.trim(), Date.now(), t.untitled);
    if (c) await this.generateInto(c);
  }

  /** Stops the reply at once: the composer is free immediately; the worker finishes its step in the background. */
  stop(): void {
    if (!this.generating) return;
    this.generationToken++;
    this.generating = false;
    this.client.api.cancel();
    const reply = this.current?.messages.at(-1);
    if (reply?.pending) {
      reply.pending = false;
      if (this.current) void this.persist(this.current);
    }
  }

  private async generateInto(conversation: Conversation): Promise<void> {
    const token = ++this.generationToken;
    const request = {
      messages: toEngineMessages(this.settings.systemPrompt, conversation.messages),
      sampling: samplingFrom(this.settings),
    };
    conversation.modelId = this.modelEntry?.id;
    conversation.messages.push({ id: newId(), role: 'assistant', content: '', pending: true });
    this.current = conversation;
    // Mutate through the reactive proxy so streamed text shows as it arrives.
    const reply: StoredMessage = this.current.messages[this.current.messages.length - 1];
    const conv = this.current;
    this.generating = true;
    // Saved now too, so the question survives a tab closed mid-reply.
    void this.persist(conv);
    // Streamed text reaches the page in batches: re-rendering the Markdown per token would keep a fast model's
    // main thread so busy that the Stop button could not be pressed.
    let buffered = '';
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      clearTimeout(flushTimer);
      flushTimer = undefined;
      if (buffered && token === this.generationToken) reply.content += buffered;
      buffered = '';
    };
    try {
      const result = await this.whenFree(() => {
        if (token !== this.generationToken) throw new Error('superseded');
        return this.client.api.generate(
          request,
          Comlink.proxy((delta: { text: string }) => {
            buffered += delta.text;
            flushTimer ??= setTimeout(flush, STREAM_FLUSH_MS);
          }),
        );
      });
      flush();
      // After Stop, keep what the person saw; the stats still say how it went.
      if (token === this.generationToken) reply.content = result.text;
      reply.stats = result.stats;
      this.lastStats = result.stats;
    } catch (e) {
      flush();
      if (token === this.generationToken) reply.error = toUiError(e);
    } finally {
      reply.pending = false;
      // Stopped before the first word: an empty bubble says nothing, so it goes.
      const stoppedEmpty = !reply.content && !reply.error && (token !== this.generationToken || reply.stats?.stopReason === 'aborted');
      if (stoppedEmpty) {
        const i = conv.messages.indexOf(reply);
        if (i >= 0) conv.messages.splice(i, 1);
      }
      if (token === this.generationToken) this.generating = false;
      conv.updatedAt = Date.now();
      await this.persist(conv);
    }
  }
}
