/**
 * Saved conversations: their shape, the pure edits the chat makes (send, regenerate, edit-and-resend),
 * and their persistence in IndexedDB. The system prompt is not stored per message: it comes from the
 * settings at the time of each request.
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
  error?: { message: string; hint: string };
  /** True while the reply is still streaming. Never true in storage after a reload (see normalizeConversation). */
  pending?: boolean;
  /** Set when the person stopped the reply (perhaps before its first word, so the reply is empty). */
  stopped?: boolean;
}

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
  return { id: newId(), title: untitled, createdAt: now, updatedAt: now, messages: [] };
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

function lastUserIndex(c: Conversation): number {
  for (let i = c.messages.length - 1; i >= 0; i--) if (c.messages[i].role === 'user') return i;
  return -1;
}

/** Drops everything after the last question, so it can be answered again. Undefined when there is no question. */
export function forRegenerate(c: Conversation, now: number): Conversation | undefined {
  const i = lastUserIndex(c);
  if (i < 0) return undefined;
  return { ...c, updatedAt: now, messages: c.messages.slice(0, i + 1) };
}

/** Replaces the last question with its edited text and drops the answer to it. */
export function forEditLast(c: Conversation, text: string, now: number, untitled: string): Conversation | undefined {
  const i = lastUserIndex(c);
  if (i < 0 || !text.trim()) return undefined;
  const edited: StoredMessage = { ...c.messages[i], content: text };
  const isFirst = c.messages.slice(0, i).every((m) => m.role !== 'user');
  return {
    ...c,
    title: isFirst && !c.titleEdited ? titleFromText(text, untitled) : c.title,
    updatedAt: now,
    messages: [...c.messages.slice(0, i), edited],
  };
}

/** A conversation read back from storage: a reply that was streaming when the tab closed is no longer pending. */
export function normalizeConversation(c: Conversation): Conversation {
  return { ...c, messages: c.messages.map((m) => (m.pending ? { ...m, pending: false } : m)) };
}

export function summarize(c: Conversation): ConversationSummary {
  return { id: c.id, title: c.title, updatedAt: c.updatedAt, messageCount: c.messages.length };
}

export class ConversationStore {
  constructor(private readonly kv: KeyValueStore<Conversation>) {}

  /** Newest first. */
  async list(): Promise<ConversationSummary[]> {
    const all = await this.kv.entries();
    return all.map(([, c]) => summarize(c)).sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async get(id: string): Promise<Conversation | undefined> {
    const c = await this.kv.get(id);
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
