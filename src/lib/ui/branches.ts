/**
 * Versions of a conversation: editing any question or regenerating any reply starts a new version from that
 * message on, and the earlier ones stay browsable ("< 2/3 >"). The live conversation is always a plain list of
 * messages (what is shown and sent); the versions not shown sit on the message where they branch.
 */
import { newId, titleFromText, type Conversation, type MessageVersions, type StoredMessage } from './conversations';

/** Which version the message at `index` is, counted from 1, and how many there are (1 of 1 with no branch). */
export function versionOf(m: StoredMessage): { number: number; count: number } {
  const v = m.versions;
  return v ? { number: v.active + 1, count: v.others.length + 1 } : { number: 1, count: 1 };
}

/** All versions from `index` on, in order, the shown one (without its branch record) at its place. */
function allVersions(c: Conversation, index: number): { all: StoredMessage[][]; active: number } {
  const [head, ...rest] = c.messages.slice(index);
  const { versions, ...plain } = head;
  const live = [plain as StoredMessage, ...rest];
  const others = versions?.others ?? [];
  const active = versions?.active ?? 0;
  return { all: [...others.slice(0, active), live, ...others.slice(active)], active };
}

function withVersions(c: Conversation, index: number, all: StoredMessage[][], show: number, now: number): Conversation {
  const shown = all[show];
  const others = all.filter((_, i) => i !== show);
  const versions: MessageVersions | undefined = others.length > 0 ? { others, active: show } : undefined;
  const head = { ...shown[0], versions };
  if (!versions) delete head.versions;
  return { ...c, updatedAt: now, messages: [...c.messages.slice(0, index), head, ...shown.slice(1)] };
}

/** Shows version `number` (from 1) of the message at `index`; the version shown before is kept. */
export function showVersion(c: Conversation, index: number, number: number): Conversation {
  const { all } = allVersions(c, index);
  if (number < 1 || number > all.length) return c;
  // Switching is not an edit: the chat keeps its place in the list.
  return withVersions(c, index, all, number - 1, c.updatedAt);
}

/** Starts a new version at `index` with `first` as its message (nothing after it yet), and shows it. */
function branch(c: Conversation, index: number, first: StoredMessage, now: number): Conversation {
  const { all } = allVersions(c, index);
  all.push([first]);
  return withVersions(c, index, all, all.length - 1, now);
}

/** The question at `index` edited: a new version from there, ready for its reply. Undefined if not a question. */
export function editQuestion(c: Conversation, index: number, text: string, now: number, untitled: string): Conversation | undefined {
  const m = c.messages[index];
  const content = text.trim();
  if (m?.role !== 'user' || !content) return undefined;
  const next = branch(c, index, { id: newId(), role: 'user', content }, now);
  const isFirst = c.messages.slice(0, index).every((o) => o.role !== 'user');
  return isFirst && !c.titleEdited ? { ...next, title: titleFromText(content, untitled) } : next;
}

/**
 * The reply at `index` asked for again: a new version of it, pending, with nothing after it. Undefined if there is
 * no question before it to answer.
 */
export function regenerateReply(c: Conversation, index: number, now: number): Conversation | undefined {
  const m = c.messages[index];
  if (m?.role !== 'assistant' || c.messages[index - 1]?.role !== 'user') return undefined;
  return branch(c, index, { id: newId(), role: 'assistant', content: '', pending: true }, now);
}
