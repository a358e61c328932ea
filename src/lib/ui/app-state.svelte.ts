/**
 * The app's state and the actions on it: engine, model, settings, conversations, generation.
 * Components read the $state fields and call the methods; nothing else talks to the engine worker.
 */
import * as Comlink from 'comlink';
import { STUCK_START_MS, createEngineClient, startEngineOrFresh, type EngineClient } from '../engine/client';
import { simulatedTabMemory } from './models.svelte';
import { appBaseUrl } from '../pwa/app-base';
import type {
  EngineStatus,
  GenerateStats,
  LoadProgress,
  ModelInfo,
  SelfTestProgress,
  SelfTestResult,
} from '../engine/protocol';
import { BUILTIN_CATALOGUE } from '../store/catalogue';
import {
  browserStorage,
  demoEntry,
  modelSourceFor,
  type AppStateOptions,
  type LoadFailure,
  type ModelChoice,
  type ModelPhase,
  type TooLong,
} from './app-types';
import {
  ConversationStore,
  appendUserMessage,
  createConversation,
  newId,
  type Conversation,
  type ConversationSummary,
  type SearchHit,
} from './conversations';
import { showVersion } from './branches';
import { fromMarkdown } from './conversation-export';
import { MemoryKeyValueStore } from './kv';
import type { Preset } from './presets';
import { PresetsState } from './presets.svelte';
import { ReadAloud } from './read-aloud.svelte';
import { GenerationControl, safeLocalStorage } from './generation';
import { errorCode, toUiError, type UiError } from './errors';
import { DEFAULT_SETTINGS, SettingsStore, resolveThreads, type Settings } from './settings';
import { t } from './strings';
import { deviceKey, measuredThreads, probeWithin } from '../engine/thread-probe';

/** How long a call waits for the engine to finish another task (a self-test, a stopped reply) before giving up. */
const BUSY_WAIT_MS = 120_000;
const BUSY_POLL_MS = 200;
/** A crash within this long of the last automatic restart waits for the person: the same model may not fit again. */
const AUTO_RESTART_GAP_MS = 120_000;

export type { AppStorage, LoadFailure, ModelChoice, ModelPhase, TooLong } from './app-types';

export class AppState {
  client: EngineClient = $state.raw() as unknown as EngineClient;
  engineStatus = $state<EngineStatus | undefined>();
  engineError = $state<UiError | undefined>();
  crashedMessage = $state<string | undefined>();
  /** What stopped the engine last time, once the page has restarted it and reloaded the model by itself. */
  recoveredFrom = $state<string | undefined>();
  private lastAutoRestart = -Infinity;

  settings = $state<Settings>({ ...DEFAULT_SETTINGS });
  settingsLoaded = $state(false);
  /** Settings that only apply on the next model load (context size) changed since the model loaded. */
  needsReload = $state(false);

  modelPhase = $state<ModelPhase>('none');
  modelEntry = $state.raw<ModelChoice | undefined>();
  modelInfo = $state<ModelInfo | undefined>();
  modelProgress = $state<LoadProgress | undefined>();
  modelError = $state<UiError | undefined>();
  /** The last load that failed, said in plain words until the next successful pick of a model. */
  loadFailure = $state.raw<LoadFailure | undefined>();

  conversations = $state<ConversationSummary[]>([]);
  current = $state<Conversation | undefined>();
  generating = $state(false);
  waitingForEngine = $state(false);
  lastStats = $state<GenerateStats | undefined>();
  /** Threads timed fastest on this device ('auto' in the settings uses it); undefined until the engine starts. */
  measuredThreads = $state<number | undefined>();
  historyError = $state<UiError | undefined>();
  /** The last message refused before sending because it does not fit; cleared by the next send. */
  tooLong = $state.raw<TooLong | undefined>();

  private readonly settingsStore: SettingsStore;
  private readonly conversationStore: ConversationStore;
  private readonly generation = new GenerationControl(this);
  readonly presets: PresetsState;
  readonly readAloud = new ReadAloud();
  private selfTestSettled: Promise<unknown> = Promise.resolve();
  /** The thread probe at start: the self-test waits for it rather than colliding. */
  private probing: Promise<unknown> = Promise.resolve();
  private loadedContextSize = 0;
  /** The last model that loaded, to go back to when another fails. */
  private lastGood?: ModelChoice;

  private readonly findModel: (id: string) => Promise<ModelChoice | undefined>;
  private readonly createClient: () => EngineClient;

  constructor(opts: AppStateOptions = {}) {
    this.findModel = opts.findModel ?? (async (id) => BUILTIN_CATALOGUE.find((e) => e.id === id));
    this.createClient = opts.createClient ?? createEngineClient;
    const storage = opts.storage ?? browserStorage();
    this.settingsStore = new SettingsStore(storage.settings);
    this.conversationStore = new ConversationStore(storage.conversations);
    this.presets = new PresetsState(storage.presets ?? new MemoryKeyValueStore<Preset>());
    this.client = this.createClient();
    this.watchCrash(this.client);
  }

  /** The kernel self-test (Device panel). Recorded, so model loads and replies wait for it instead of colliding. */
  async selfTest(onProgress: (p: SelfTestProgress) => void): Promise<SelfTestResult> {
    const run = (async () => {
      await this.probing;
      await this.client.api.init();
      return this.client.api.selfTest({}, Comlink.proxy(onProgress));
    })();
    this.selfTestSettled = run.catch(() => undefined);
    return run;
  }

  /** Stops the self-test (the worker's one long task is it while it runs). */
  cancelSelfTest(): void {
    this.client.api.cancel();
  }

  async start(): Promise<void> {
    const [settings] = await Promise.all([this.settingsStore.load(), this.refreshConversations(), this.presets.load()]);
    this.settings = settings;
    this.settingsLoaded = true;
    await this.reopenLastConversation();
    if (!(await this.startEngine())) return;
    const entry = (await this.findModel(settings.modelId)) ?? demoEntry();
    if (entry) await this.loadModel(entry);
  }

  private watchCrash(client: EngineClient) {
    void client.crashed.then((message) => {
      if (this.client !== client) return;
      this.crashedMessage = message;
      this.generating = false;
      this.modelPhase = 'none';
      this.modelInfo = undefined;
      // The conversation is in the page and in storage; what was lost is the engine. Load the last model again
      // once by itself; a second crash soon after is left to the person (the banner's Restart).
      const now = Date.now();
      if (now - this.lastAutoRestart < AUTO_RESTART_GAP_MS) return;
      this.lastAutoRestart = now;
      void this.restartEngine().then(() => {
        if (this.modelReady) this.recoveredFrom = message;
      });
    });
  }

  private async startEngine(): Promise<boolean> {
    this.engineError = undefined;
    try {
      const init = { simulateMemoryBytes: simulatedTabMemory() };
      const measuring = startEngineOrFresh(this.client, () => this.freshClient(), STUCK_START_MS, init).then(async (status) => {
        this.measuredThreads = await this.measureThreads(status);
        return status;
      });
      this.probing = measuring.catch(() => undefined);
      const status = await measuring;
      const threads = resolveThreads(this.settings, status.maxThreads, this.measuredThreads);
      this.engineStatus = threads === status.threads ? status : await this.client.api.setThreads(threads);
      return true;
    } catch (e) {
      this.engineError = toUiError(e);
      return false;
    }
  }

  /** A new engine worker in place of the current one (ended by the caller), watched for crashes. */
  private freshClient(): EngineClient {
    // A self-test asked of the stuck worker never answers: nothing may wait for it.
    this.selfTestSettled = Promise.resolve();
    this.client = this.createClient();
    this.watchCrash(this.client);
    return this.client;
  }

  /** The thread count timed fastest on this device: remembered per device, probed again when it looks wrong. */
  private async measureThreads(status: EngineStatus): Promise<number> {
    if (status.maxThreads <= 1) return 1;
    const device = deviceKey(navigator.userAgent, navigator.hardwareConcurrency);
    // Timed: a stuck probe ends in the engine error (with Try again), never a start that waits in silence.
    // Not after the self-test: it waits for this probe (a self-test that started first makes the worker answer 'busy').
    const probe = probeWithin(() => this.whenFree(() => this.client.api.probeThreads(), { afterSelfTest: false }));
    const choice = await measuredThreads(probe, safeLocalStorage(), device, Date.now());
    return choice.threads;
  }

  /** After a crash (usually out of memory): a fresh worker, and the model loaded again. */
  async restartEngine(): Promise<void> {
    this.recoveredFrom = undefined;
    this.client.terminate();
    this.freshClient();
    this.crashedMessage = undefined;
    this.engineStatus = undefined;
    if (!(await this.startEngine())) return;
    // After a start that failed, no model was picked yet: the one start() would have loaded.
    const entry = this.modelEntry ?? (await this.findModel(this.settings.modelId)) ?? demoEntry();
    if (entry) await this.loadModel(entry);
  }

  /** Runs an engine call, waiting while the engine is busy with another task rather than failing at once. */
  async whenFree<T>(call: () => Promise<T>, opts: { afterSelfTest?: boolean } = {}): Promise<T> {
    if (opts.afterSelfTest !== false) await this.selfTestSettled;
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

  /**
   * Loads `entry`. If it fails, the app goes back to the model that was working (or the demo) so the person can keep
   * chatting, and `loadFailure` says what happened; only if that fails too is there no model.
   */
  async loadModel(entry: ModelChoice): Promise<void> {
    const error = await this.tryLoad(entry);
    if (!error) {
      this.loadFailure = undefined;
      return;
    }
    if (error.code === 'cancelled' || this.modelEntry !== entry) return;
    const demo = demoEntry();
    const fallbacks = [this.lastGood, demo].filter((c, i, all): c is ModelChoice =>
      c !== undefined && c.id !== entry.id && all.findIndex((o) => o?.id === c.id) === i);
    for (const back of fallbacks) {
      this.loadFailure = { entry, error, backTo: back.name };
      const again = await this.tryLoad(back);
      if (this.modelEntry !== back) return;
      if (!again) return;
    }
    this.loadFailure = { entry, error };
    this.modelEntry = entry;
    this.modelPhase = 'error';
    this.modelError = error;
  }

  /** One load; resolves with the error instead of throwing. */
  private async tryLoad(entry: ModelChoice): Promise<UiError | undefined> {
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
      if (this.modelEntry !== entry) return undefined;
      this.modelInfo = info;
      this.modelPhase = 'ready';
      this.lastGood = entry;
      this.loadedContextSize = contextSize;
      this.needsReload = false;
      if (this.settings.modelId !== entry.id) await this.saveSettings({ ...this.settings, modelId: entry.id });
      return undefined;
    } catch (e) {
      if (this.modelEntry !== entry) return toUiError(e);
      this.modelPhase = 'error';
      this.modelError = toUiError(e);
      return this.modelError;
    }
  }

  /** Lets the loaded model go (so the store can delete it); the chat then waits for a model to be picked. */
  async unloadModel(): Promise<void> {
    if (this.generating) this.stop();
    await this.whenFree(() => this.client.api.unloadModel());
    // It may be deleted next: a failed load later goes back to the demo instead.
    if (this.lastGood?.id === this.modelEntry?.id) this.lastGood = undefined;
    this.modelEntry = undefined;
    this.modelPhase = 'none';
    this.modelInfo = undefined;
    this.modelProgress = undefined;
  }

  async saveSettings(next: Settings): Promise<void> {
    const previous = this.settings;
    this.settings = await this.settingsStore.save(next);
    this.needsReload = this.modelPhase === 'ready' && this.settings.contextSize !== this.loadedContextSize;
    if (this.engineStatus && previous.threads !== this.settings.threads) {
      const threads = resolveThreads(this.settings, this.engineStatus.maxThreads, this.measuredThreads);
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

  // Counts the person's moves between chats. An open that awaits the store applies only if no other move came in
  // the meantime: tapping a chat and then "New chat" on a slow device must land in the new chat, not in the old one
  // when its read finishes (seen in WebKit under load: the next question went into the old chat).
  private chatMoves = 0;

  newConversation(): void {
    this.chatMoves++;
    if (this.generating) this.stop();
    this.readAloud.stop();
    this.current = undefined;
    this.tooLong = undefined;
    void this.rememberOpen('');
  }

  async openConversation(id: string): Promise<void> {
    const move = ++this.chatMoves;
    if (this.generating) this.stop();
    this.readAloud.stop();
    const c = await this.conversationStore.get(id);
    if (c && move === this.chatMoves) {
      this.current = c;
      this.tooLong = undefined;
      await this.rememberOpen(c.id);
    }
  }

  /** Reopening the app lands in the chat that was open, if it still exists. */
  private async reopenLastConversation(): Promise<void> {
    const id = this.settings.lastConversationId;
    if (!id || this.current) return;
    const move = this.chatMoves;
    try {
      const c = await this.conversationStore.get(id);
      if (c && !this.current && move === this.chatMoves) this.current = c;
    } catch (e) {
      this.historyError = toUiError(e);
    }
  }

  async rememberOpen(id: string): Promise<void> {
    if (this.settingsLoaded && this.settings.lastConversationId !== id) {
      await this.saveSettings({ ...this.settings, lastConversationId: id });
    }
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

  /** Chats whose title or text holds every word of `query`. */
  searchConversations(query: string): Promise<SearchHit[]> {
    return this.conversationStore.search(query);
  }

  /**
   * Adds a chat from a Trit Markdown export and opens it. A chat with the same id already here is kept (it may have
   * gone on since): the import comes in beside it. Throws a TritError when the file is not an export.
   */
  async importConversation(text: string): Promise<void> {
    const imported = fromMarkdown(text);
    const clash = await this.conversationStore.get(imported.id);
    const c = clash ? { ...imported, id: newId() } : imported;
    await this.conversationStore.save(c);
    await this.refreshConversations();
    await this.openConversation(c.id);
  }

  /**
   * This chat's instructions: a preset's, its own text, or (undefined) the settings' system prompt. Set on a new chat
   * before its first message, they wait with it until it is sent.
   */
  async setInstructions(systemPrompt: string | undefined, presetId?: string): Promise<void> {
    const c = this.current ?? createConversation(Date.now(), t.untitled);
    // Empty own text is kept as such: this chat then has no instructions at all, whatever the settings say.
    this.current = { ...c, systemPrompt: systemPrompt?.trim(), presetId: systemPrompt === undefined ? undefined : presetId };
    await this.persist(this.current);
  }

  async clearConversations(): Promise<void> {
    this.newConversation();
    await this.conversationStore.clear();
    await this.refreshConversations();
  }

  async persist(c: Conversation): Promise<void> {
    try {
      // Reactive proxies cannot be stored in IndexedDB; a snapshot is a plain copy.
      await this.conversationStore.save($state.snapshot(c) as Conversation);
      await this.refreshConversations();
    } catch (e) {
      this.historyError = toUiError(e);
    }
  }

  // Chat: generation control lives in generation.ts

  /**
   * Sends a message. Resolves false when it was not sent (nothing to send, busy, or too long for the model: see
   * `tooLong`), so the composer keeps the text.
   */
  send(text: string): Promise<boolean> {
    return this.generation.send(text);
  }

  /** Answers again the question before the reply at `index` (default: the last reply), keeping the earlier answers. */
  regenerate(index = (this.current?.messages.length ?? 0) - 1): Promise<void> {
    return this.generation.regenerate(index);
  }

  /** Edits the question at `index` (default: the last question), keeping the earlier version and what followed it. */
  editQuestion(text: string, index = this.current?.messages.findLastIndex((m) => m.role === 'user') ?? -1): Promise<void> {
    return this.generation.edit(index, text);
  }

  /** Carries on the last reply where it stopped at the length limit. */
  continueReply(): Promise<void> {
    return this.generation.continueReply();
  }

  stop(): void {
    this.generation.stop();
  }

  /** Shows version `number` of the message at `index`; the next reply reuses the engine's cache of the shared start. */
  async showVersion(index: number, number: number): Promise<void> {
    if (!this.current || this.generating) return;
    this.current = showVersion(this.current, index, number);
    await this.persist(this.current);
  }

  /** How many tokens this chat with `draft` sent would take, of the context (the context meter); undefined if unknown. */
  async contextUse(draft: string): Promise<{ tokens: number; nCtx: number } | undefined> {
    if (!this.modelReady || this.generating) return undefined;
    const base = this.current ?? createConversation(Date.now(), t.untitled);
    const withDraft = draft.trim() ? appendUserMessage(base, draft.trim(), Date.now(), t.untitled) : base;
    try {
      // The chat session also counts the whole conversation (conversationTokens), beyond what protocol.ts declares.
      const need = (await this.client.api.checkPrompt(this.generation.requestFor(withDraft))) as { tokens: number; nCtx: number; conversationTokens?: number };
      return { tokens: need.conversationTokens ?? need.tokens, nCtx: need.nCtx };
    } catch {
      return undefined; // busy or no model: the meter keeps its last figure
    }
  }
}
