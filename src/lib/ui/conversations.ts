/**
 * Saved conversations: their shape, the pure edits the chat makes (send, regenerate, edit-and-resend),
 * and their persistence in IndexedDB. A conversation may carry its own instructions (`systemPrompt`); without them
 * the settings' system prompt applies at the time of each request. Earlier versions of an edited question or a
 * regenerated reply are kept on the message where they branch (see branches.ts).
 */
import type { ChatMessage, GenerateStats } from '../engine/protocol';
import type { KeyValueStore } from './kv';

export interface StoredMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  /** Set on assistant replies when generation finished or was stopped. */
  stats?: GenerateStats;
  /** Set when the reply failed; the message and what to do next. */
  error?: { message: string; hint: string; code?: string };
  /** True while the reply is still streaming. Never true in storage after a reload (see normalizeConversation). */
  pending?: boolean;
  /** Set when the person stopped the reply (perhaps before its first word, so the reply is empty). */
  stopped?: boolean;
  /** Set where the conversation branches: the other versions of this message, each with what followed it. */
  versions?: MessageVersions;
}

/**
 * The versions at a branch point. The shown version is the live conversation from this message on; the others are
 * kept whole (their message and everything after it). The shown one counts as number `active` of them all.
 */
export interface MessageVersions {
  others: StoredMessage[][];
  active: number;
}

/** The storage format written by this version; chats saved before it had no `format` (see migrateConversation). */
export const CONVERSATION_FORMAT = 2;

export interface Conversation {
  id: string;
  title: string;
  /** True once the person renamed it, so the automatic title never overwrites their choice. */
  titleEdited?: boolean;
  createdAt: number;
  updatedAt: number;
  messages: StoredMessage[];
  /** The model that wrote the replies, for the list. */
  modelId?: string;
  format?: number;
  /** This chat's own instructions; undefined means the settings' system prompt. */
  systemPrompt?: string;
  /** The preset the instructions came from, so the picker shows its name. */
  presetId?: string;
}

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: number;
  messageCount: number;
}

const TITLE_LENGTH = 48;

export function newId(): string {
  return globalThis.crypto.randomUUID();
}

/** The first line of the first question, shortened at a word boundary. */
export function titleFromText(text: string, fallback: string): string {
  const line = text.trim().split(/\r?\n/)[0]?.trim() ?? '';
  if (!line) return fallback;
  if (line.length <= TITLE_LENGTH) return line;
  const cut = line.slice(0, TITLE_LENGTH);
  const space = cut.lastIndexOf(' ');
  return `${(space > TITLE_LENGTH / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export function createConversation(now: number, untitled: string): Conversation {
  return { id: newId(), title: untitled, createdAt: now, updatedAt: now, messages: [], format: CONVERSATION_FORMAT };
}

/** The instructions a chat's requests carry: its own, or else the settings'. */
export function instructionsFor(c: Conversation | undefined, settingsPrompt: string): string {
  return c?.systemPrompt ?? settingsPrompt;
}

function isMessage(m: unknown): m is StoredMessage {
  const o = m as StoredMessage;
  return typeof o === 'object' && o !== null && typeof o.id === 'string' && (o.role === 'user' || o.role === 'assistant') &&
    typeof o.content === 'string';
}

/**
 * A stored (or imported) record as this version's Conversation, or undefined when it is not a conversation at all.
 * Format 1 (no `format` field, before branches and per-chat instructions) needs nothing but the mark: its chats
 * follow the settings' system prompt as they did.
 */
export function migrateConversation(raw: unknown): Conversation | undefined {
  const o = raw as Conversation;
  if (typeof o !== 'object' || o === null || typeof o.id !== 'string' || !Array.isArray(o.messages)) return undefined;
  if (!o.messages.every(isMessage)) return undefined;
  if ((o.format ?? 1) > CONVERSATION_FORMAT) return undefined;
  return {
    ...o,
    title: typeof o.title === 'string' ? o.title : '',
    createdAt: Number.isFinite(o.createdAt) ? o.createdAt : 0,
    updatedAt: Number.isFinite(o.updatedAt) ? o.updatedAt : 0,
    format: CONVERSATION_FORMAT,
  };
}

/** The messages the engine sees: the system prompt, then every turn that has content and did not fail. */
export function toEngineMessages(systemPrompt: string, messages: readonly StoredMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (systemPrompt.trim()) out.push({ role: 'system', content: systemPrompt.trim() });
  for (const m of messages) {
    if (m.error || m.pending) continue;
    if (m.role === 'assistant' && m.content.length === 0) continue;
    out.push({ role: m.role, content: m.content });
  }
  return out;
}

export function appendUserMessage(c: Conversation, text: string, now: number, untitled: string): Conversation {
  const first = c.messages.every((m) => m.role !== 'user');
  return {
    ...c,
    title: first && !c.titleEdited ? titleFromText(text, untitled) : c.title,
    updatedAt: now,
    messages: [...c.messages, { id: newId(), role: 'user', content: text }],
  };
}

/** A conversation read back from storage: a reply that was streaming when the tab closed is no longer pending. */
export function normalizeConversation(c: Conversation): Conversation {
  return { ...c, messages: c.messages.map((m) => (m.pending ? { ...m, pending: false } : m)) };
}

export function summarize(c: Conversation): ConversationSummary {
  return { id: c.id, title: c.title, updatedAt: c.updatedAt, messageCount: c.messages.length };
}

/** Every text of a chat, shown versions and kept ones, for search. */
function allTexts(messages: readonly StoredMessage[], out: string[] = []): string[] {
  for (const m of messages) {
    out.push(m.content);
    for (const other of m.versions?.others ?? []) allTexts(other, out);
  }
  return out;
}

/** A search hit: the chat, and a short piece of the text around the first match (undefined when only the title matched). */
export interface SearchHit extends ConversationSummary {
  excerpt?: string;
}

const EXCERPT_SIDE = 40;

/** Whether `c` contains every word of `query` (case- and accent-insensitive), in its title or any message. */
export function searchConversation(c: Conversation, query: string): SearchHit | undefined {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return undefined;
  const texts = [c.title, ...allTexts(c.messages)];
  const folded = fold(texts.join('\n'));
  if (!words.every((w) => folded.includes(w))) return undefined;
  const hit: SearchHit = summarize(c);
  for (const text of texts.slice(1)) {
    const at = fold(text).indexOf(words[0]);
    if (at < 0) continue;
    const start = Math.max(0, at - EXCERPT_SIDE);
    const piece = text.slice(start, at + words[0].length + EXCERPT_SIDE).replace(/\s+/g, ' ').trim();
    hit.excerpt = `${start > 0 ? '…' : ''}${piece}${at + words[0].length + EXCERPT_SIDE < text.length ? '…' : ''}`;
    break;
  }
  return hit;
}

export class ConversationStore {
  constructor(private readonly kv: KeyValueStore<Conversation>) {}

  /** Newest first. Records that are not conversations (damaged, or from a newer version) are left out, not fatal. */
  async list(): Promise<ConversationSummary[]> {
    return (await this.all()).map(summarize);
  }

  /** Chats containing every word of `query`, newest first. */
  async search(query: string): Promise<SearchHit[]> {
    return (await this.all()).map((c) => searchConversation(c, query)).filter((h): h is SearchHit => h !== undefined);
  }

  private async all(): Promise<Conversation[]> {
    const all = await this.kv.entries();
    return all.map(([, raw]) => migrateConversation(raw)).filter((c): c is Conversation => c !== undefined)
      .sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async get(id: string): Promise<Conversation | undefined> {
    const c = migrateConversation(await this.kv.get(id));
    return c && normalizeConversation(c);
  }

  /** Empty conversations are not worth a row in the list. */
  async save(c: Conversation): Promise<void> {
    if (c.messages.length === 0) return;
    await this.kv.set(c.id, c);
  }

  /** Keeps updatedAt: renaming should not move a chat to the top of the list. */
  async rename(id: string, title: string): Promise<Conversation | undefined> {
    const c = await this.kv.get(id);
    const clean = title.trim();
    if (!c || !clean) return c;
    const renamed = { ...c, title: clean, titleEdited: true };
    await this.kv.set(id, renamed);
    return renamed;
  }

  delete(id: string): Promise<void> {
    return this.kv.delete(id);
  }

  clear(): Promise<void> {
    return this.kv.clear();
  }
}
