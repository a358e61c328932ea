import { describe, expect, it } from 'vitest';
import { fromMarkdown, toMarkdown, toPrintablePage } from './conversation-export';
import { createConversation, type Conversation } from './conversations';
import { editQuestion } from './branches';
import { groupByDay } from './history';
import { presetFileName, presetFromText, presetToText, PresetStore, type Preset } from './presets';
import { MemoryKeyValueStore } from './kv';
import { pickVoice, speakableText } from './read-aloud';

const labels = { you: 'You', assistant: 'Trit', instructions: 'Instructions' };

function chat(): Conversation {
  const c = createConversation(1000, 'New chat');
  c.title = 'Fractions <b>';
  c.titleEdited = true;
  c.systemPrompt = 'Explain simply.';
  c.messages = [
    { id: 'q', role: 'user', content: 'What is -->half<!-- of 8?' },
    { id: 'r', role: 'assistant', content: 'Four.\n\n```js\nconst a = 1 > 0;\n```', stats: { stopReason: 'eos' } as never },
  ];
  return c;
}

describe('conversation export', () => {
  it('Markdown reads as the chat and imports back identical, versions included', () => {
    const c = editQuestion(chat(), 0, 'What is a quarter of 8?', 2000, 'New chat')!;
    c.messages.push({ id: 'r2', role: 'assistant', content: 'Two.' });
    const md = toMarkdown(c, labels);
    expect(md).toContain('# Fractions <b>');
    expect(md).toContain('> **Instructions:** Explain simply.');
    expect(md).toContain('**You:**\n\nWhat is a quarter of 8?');
    expect(md.match(/-->/g)?.length).toBe(1);
    expect(fromMarkdown(md)).toEqual(c);
  });

  it('refuses files that are not a Trit export, or were cut short', () => {
    expect(() => fromMarkdown('# Just notes\n\nhello')).toThrow(/not a chat saved by Trit/);
    const md = toMarkdown(chat(), labels);
    expect(() => fromMarkdown(md.slice(0, md.length - 40))).toThrow(/not a chat saved by Trit/);
    expect(() => fromMarkdown(md.replace('"messages":[', '"messages":[1,'))).toThrow(/not a chat saved by Trit/);
  });

  it('the printable page escapes the chat and carries the language and direction', () => {
    const page = toPrintablePage(chat(), labels, 'ar', 'rtl');
    expect(page).toContain('<html lang="ar" dir="rtl">');
    expect(page).toContain('<title>Fractions &lt;b&gt;</title>');
    expect(page).toContain('What is --&gt;half&lt;!-- of 8?');
    expect(page).not.toContain('<b>');
  });
});

describe('presets', () => {
  it('round-trips through its file text and refuses anything else with a clear reason', () => {
    const p = { name: 'Maths helper for 10-year-olds', instructions: 'Use small numbers.\nBe kind.' };
    expect(presetFromText(presetToText(p))).toEqual(p);
    expect(presetFileName(p)).toBe('maths-helper-for-10-year-olds.trit-preset.json');
    expect(() => presetFromText('hello')).toThrow(/not a Trit preset/);
    expect(() => presetFromText('{"kind":"other"}')).toThrow(/does not say it is one/);
    expect(() => presetFromText('{"kind":"trit-preset","version":2,"name":"a","instructions":"b"}')).toThrow(/newer version/);
    expect(() => presetFromText('{"kind":"trit-preset","version":1,"name":"a","instructions":" "}')).toThrow(/missing/);
  });

  it('keeps one preset per name, sorted', async () => {
    const store = new PresetStore(new MemoryKeyValueStore<Preset>());
    await store.save({ name: 'Explain simply', instructions: 'Short words.' });
    const a = await store.save({ name: 'Art', instructions: 'Be creative.' });
    const again = await store.save({ name: 'explain simply', instructions: 'Shorter words.' });
    expect((await store.list()).map((p) => [p.name, p.instructions])).toEqual([['Art', 'Be creative.'], ['explain simply', 'Shorter words.']]);
    await store.delete(a.id);
    expect((await store.list()).map((p) => p.id)).toEqual([again.id]);
  });
});

describe('history by day', () => {
  it('groups by the calendar day, not by 24-hour steps', () => {
    const now = new Date(2026, 10, 30, 0, 30).getTime();
    const items = [
      { id: 'a', updatedAt: new Date(2026, 10, 30, 0, 10).getTime() },
      { id: 'b', updatedAt: new Date(2026, 10, 29, 23, 0).getTime() },
      { id: 'c', updatedAt: new Date(2026, 10, 29, 0, 1).getTime() },
      { id: 'd', updatedAt: new Date(2026, 10, 28, 23, 59).getTime() },
    ];
    expect(groupByDay(items, now).map((g) => [g.group, g.items.map((i) => i.id)])).toEqual([
      ['today', ['a']],
      ['yesterday', ['b', 'c']],
      ['earlier', ['d']],
    ]);
    expect(groupByDay([], now)).toEqual([]);
  });
});

describe('read aloud', () => {
  const v = (name: string, lang: string, localService: boolean, isDefault = false) => ({ name, lang, localService, default: isDefault });

  it('prefers a voice on the device for the UI language, and says when only online or no voices exist', () => {
    const voices = [v('Google français', 'fr-FR', false, true), v('Amélie', 'fr-CA', true), v('Daniel', 'en-GB', true)];
    expect(pickVoice(voices, 'fr-FR')).toEqual({ voice: voices[1], kind: 'offline' });
    expect(pickVoice([voices[0]], 'fr')).toEqual({ voice: voices[0], kind: 'online' });
    expect(pickVoice(voices, 'sw')).toEqual({ kind: 'none' });
    expect(pickVoice([v('A', 'en-US', true), v('B', 'en-GB', true)], 'en-GB').voice?.name).toBe('B');
  });

  it('reads the words, not the Markdown marks', () => {
    expect(speakableText('## Steps\n\n1. **Add** the `numbers`\n- see [the page](https://x.y)\n\n```\ncode\n```')).toBe('Steps\nAdd the numbers\nsee the page\ncode');
  });
});
