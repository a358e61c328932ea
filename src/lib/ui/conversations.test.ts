import { describe, expect, it } from 'vitest';
import {
  ConversationStore,
  appendUserMessage,
  createConversation,
  forEditLast,
  forRegenerate,
  titleFromText,
  toEngineMessages,
  type Conversation,
} from './conversations';
import { MemoryKeyValueStore } from './kv';

function withTurns(...turns: Array<[role: 'user' | 'assistant', text: string]>): Conversation {
  const c = createConversation(1, 'New chat');
  c.messages = turns.map(([role, content], i) => ({ id: `m${i}`, role, content }));
  return c;
}

describe('conversation edits', () => {
  it('titles a chat from the first line of its first question, cut at a word', () => {
    expect(titleFromText('  What is photosynthesis?\nExplain simply.', 'x')).toBe('What is photosynthesis?');
    const long = titleFromText('Please explain the difference between mitosis and meiosis in plants', 'x');
    expect(long.endsWith('…')).toBe(true);
    expect(long.length).toBeLessThanOrEqual(49);
    expect(long).toBe('Please explain the difference between mitosis…');
    expect(titleFromText('   ', 'New chat')).toBe('New chat');
  });

  it('sends the system prompt first and leaves out failed or empty replies', () => {
    const c = withTurns(['user', 'Hi'], ['assistant', 'Hello!'], ['user', 'Again'], ['assistant', '']);
    c.messages.push({ id: 'e', role: 'assistant', content: 'partial', error: { message: 'boom', hint: 'retry' } });
    expect(toEngineMessages(' Be brief. ', c.messages)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'Again' },
    ]);
    expect(toEngineMessages('', c.messages)[0]).toEqual({ role: 'user', content: 'Hi' });
  });

  it('names the chat after the first question only, and never over a rename', () => {
    let c = appendUserMessage(createConversation(1, 'New chat'), 'First question', 2, 'New chat');
    expect(c.title).toBe('First question');
    c = appendUserMessage(c, 'Second question', 3, 'New chat');
    expect(c.title).toBe('First question');
    const renamed = { ...createConversation(1, 'New chat'), title: 'Mine', titleEdited: true };
    expect(appendUserMessage(renamed, 'Q', 2, 'New chat').title).toBe('Mine');
  });

  it('regenerate keeps everything up to the last question', () => {
    const c = withTurns(['user', 'a'], ['assistant', 'b'], ['user', 'c'], ['assistant', 'd']);
    expect(forRegenerate(c, 5)!.messages.map((m) => m.content)).toEqual(['a', 'b', 'c']);
    expect(forRegenerate(withTurns(), 5)).toBeUndefined();
  });

  it('edit-and-resend replaces the last question and drops its answer', () => {
    const c = withTurns(['user', 'a'], ['assistant', 'b'], ['user', 'c'], ['assistant', 'd']);
    const edited = forEditLast(c, 'c2', 5, 'New chat')!;
    expect(edited.messages.map((m) => m.content)).toEqual(['a', 'b', 'c2']);
    expect(edited.messages[2].id).toBe('m2');
    expect(edited.title).toBe(c.title);
    expect(forEditLast(c, '   ', 5, 'New chat')).toBeUndefined();
    // Editing the only question renames an automatically titled chat.
    const single = appendUserMessage(createConversation(1, 'New chat'), 'old', 2, 'New chat');
    expect(forEditLast(single, 'new question', 3, 'New chat')!.title).toBe('new question');
  });
});

describe('ConversationStore', () => {
  it('saves, lists newest first, renames, deletes and clears', async () => {
    const kv = new MemoryKeyValueStore<Conversation>();
    const store = new ConversationStore(kv);
    const older = { ...withTurns(['user', 'old']), title: 'Old', updatedAt: 10 };
    const newer = { ...withTurns(['user', 'new']), title: 'New', updatedAt: 20 };
    await store.save(older);
    await store.save(newer);
    await store.save(createConversation(30, 'Empty'));
    expect((await store.list()).map((s) => s.title)).toEqual(['New', 'Old']);

    await store.rename(older.id, '  Renamed  ');
    const renamed = await store.get(older.id);
    expect(renamed?.title).toBe('Renamed');
    expect(renamed?.titleEdited).toBe(true);
    expect((await store.list()).map((s) => s.title)).toEqual(['New', 'Renamed']);
    await store.rename(older.id, '   ');
    expect((await store.get(older.id))?.title).toBe('Renamed');

    await store.delete(newer.id);
    expect((await store.list()).map((s) => s.id)).toEqual([older.id]);
    await store.clear();
    expect(await store.list()).toEqual([]);
  });

  it('a reply that was streaming when the tab closed comes back as finished', async () => {
    const kv = new MemoryKeyValueStore<Conversation>();
    const store = new ConversationStore(kv);
    const c = withTurns(['user', 'q']);
    c.messages.push({ id: 'r', role: 'assistant', content: 'half', pending: true });
    await store.save(c);
    expect((await store.get(c.id))!.messages[1].pending).toBe(false);
  });
});
