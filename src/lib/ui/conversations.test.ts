import { describe, expect, it } from 'vitest';
import {
  ConversationStore,
  appendUserMessage,
  createConversation,
  migrateConversation,
  searchConversation,
  titleFromText,
  toEngineMessages,
  type Conversation,
} from './conversations';
import { MemoryKeyValueStore } from './kv';
import { editQuestion, regenerateReply, showVersion, versionOf } from './branches';

const texts = (c: Conversation) => c.messages.map((m) => m.content);

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

describe('versions (branches)', () => {

  it('editing an earlier question keeps the old version with everything after it, browsable both ways', () => {
    const c = withTurns(['user', 'a'], ['assistant', 'b'], ['user', 'c'], ['assistant', 'd']);
    const edited = editQuestion(c, 0, 'a2', 5, 'New chat')!;
    expect(texts(edited)).toEqual(['a2']);
    expect(versionOf(edited.messages[0])).toEqual({ number: 2, count: 2 });
    edited.messages.push({ id: 'r2', role: 'assistant', content: 'b2' });
    const back = showVersion(edited, 0, 1);
    expect(texts(back)).toEqual(['a', 'b', 'c', 'd']);
    expect(versionOf(back.messages[0])).toEqual({ number: 1, count: 2 });
    expect(texts(showVersion(back, 0, 2))).toEqual(['a2', 'b2']);
    expect(showVersion(back, 0, 3)).toBe(back);
    expect(editQuestion(c, 1, 'x', 5, 'New chat')).toBeUndefined();
    expect(editQuestion(c, 0, '   ', 5, 'New chat')).toBeUndefined();
  });

  it('regenerating any reply adds a pending version of it and drops what followed from view only', () => {
    const c = withTurns(['user', 'a'], ['assistant', 'b'], ['user', 'c'], ['assistant', 'd']);
    const again = regenerateReply(c, 1, 5)!;
    expect(texts(again)).toEqual(['a', '']);
    expect(again.messages[1].pending).toBe(true);
    again.messages[1] = { ...again.messages[1], content: 'b2', pending: false };
    // A third version, then back to the first: nothing is lost, and nested branches survive the switch.
    const third = regenerateReply(again, 1, 6)!;
    expect(versionOf(third.messages[1])).toEqual({ number: 3, count: 3 });
    const nested = editQuestion(showVersion(third, 1, 1), 2, 'c2', 7, 'New chat')!;
    expect(texts(nested)).toEqual(['a', 'b', 'c2']);
    const round = showVersion(showVersion(nested, 1, 2), 1, 1);
    expect(texts(round)).toEqual(['a', 'b', 'c2']);
    expect(texts(showVersion(round, 2, 1))).toEqual(['a', 'b', 'c', 'd']);
    expect(regenerateReply(c, 0, 5)).toBeUndefined();
  });

  it('editing the first question retitles an automatically named chat', () => {
    const single = appendUserMessage(createConversation(1, 'New chat'), 'old', 2, 'New chat');
    expect(editQuestion(single, 0, 'new question', 3, 'New chat')!.title).toBe('new question');
  });
});

describe('storage format', () => {
  it('loads a chat saved by the previous version (no format, no versions, no own instructions)', async () => {
    const kv = new MemoryKeyValueStore<Conversation>();
    // Exactly what the previous version wrote.
    const v1 = { id: 'old', title: 'Fractions', createdAt: 1, updatedAt: 2, modelId: 'trit-demo',
      messages: [{ id: 'q', role: 'user', content: 'What is a half of 8?' }, { id: 'r', role: 'assistant', content: 'Four.' }] };
    kv.map.set('old', v1 as Conversation);
    const store = new ConversationStore(kv);
    const c = (await store.get('old'))!;
    expect(c.format).toBe(2);
    expect(c.systemPrompt).toBeUndefined();
    expect(texts(c)).toEqual(['What is a half of 8?', 'Four.']);
    expect(texts(regenerateReply(c, 1, 3)!)).toEqual(['What is a half of 8?', '']);
    expect((await store.list()).map((s) => s.title)).toEqual(['Fractions']);
  });

  it('leaves out records that are not chats, or from a newer version, instead of failing the list', async () => {
    const kv = new MemoryKeyValueStore<Conversation>();
    kv.map.set('junk', { nope: 1 } as unknown as Conversation);
    kv.map.set('future', { ...withTurns(['user', 'x']), format: 99 });
    kv.map.set('ok', withTurns(['user', 'fine']));
    const store = new ConversationStore(kv);
    expect((await store.list()).length).toBe(1);
    expect(migrateConversation(null)).toBeUndefined();
  });
});

describe('search', () => {
  it('finds every word in titles, replies and kept versions, ignoring case and accents, with an excerpt', async () => {
    const c = withTurns(['user', 'Tell me about plants'], ['assistant', 'Plants make food by PHOTOSYNTHÈSE in their leaves.']);
    const hit = searchConversation(c, 'photosynthese leaves')!;
    expect(hit.excerpt).toContain('PHOTOSYNTHÈSE');
    expect(searchConversation(c, 'photosynthese volcano')).toBeUndefined();
    const edited = editQuestion(c, 0, 'Something else', 3, 'New chat')!;
    expect(searchConversation(edited, 'leaves')).toBeDefined();
    const store = new ConversationStore(new MemoryKeyValueStore<Conversation>());
    await store.save(edited);
    expect((await store.search('LEAVES')).map((h) => h.id)).toEqual([c.id]);
    expect(await store.search('   ')).toEqual([]);
  });
});
