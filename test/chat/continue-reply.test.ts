/**
 * Continuing a reply that stopped at the length limit, branching, and the context meter's figure, on the fake model
 * (logits are a function of the cache, so a cache bug changes the text).
 */
import { describe, expect, it } from 'vitest';
import { ChatSession, ChatTemplate, type ChatMessage } from '../../src/lib/chat';
import { Tokenizer } from '../../src/lib/tokenizer';
import type { SamplingSettings } from '../../src/lib/engine/protocol';
import { llama3Metadata } from '../tokenizer/llama3-vocab';
import { FakeModel, scriptedLogits } from './fake-model';

const meta = llama3Metadata();
const tok = Tokenizer.fromGGUFMetadata(meta);
const template = ChatTemplate.forModel(meta, tok);
const EOT = 128009;
const marker = template.encodeGenerationPrompt();
const sampling: SamplingSettings = {
  temperature: 0, topK: 40, topP: 0.95, minP: 0.05, repeatPenalty: 1, repeatLastN: 64, seed: 1, maxTokens: 64,
};
const story = 'Once upon a time a small robot learned to paint the sea at night.';

function scripted(text: string) {
  const model = new FakeModel(2048, tok.vocabSize, scriptedLogits(tok.encode(text, { addBos: false }), EOT, marker));
  return { model, session: new ChatSession(model, tok, template) };
}

describe('continuing a reply', () => {
  it('carries a reply cut at the length limit on from where it stopped, reusing its cache', async () => {
    const { model, session } = scripted(story);
    const ask: ChatMessage[] = [{ role: 'user', content: 'Tell a story.' }];
    const first = await session.generate(ask, { ...sampling, maxTokens: 5 });
    expect(first.stats.stopReason).toBe('max_tokens');
    const before = model.evaluated;
    const rest = await session.generate([...ask, { role: 'assistant', content: first.text }], sampling);
    expect(rest.stats.stopReason).toBe('eos');
    expect(first.text + rest.text).toBe(story);
    // Only the last generated token (never evaluated while generating) is new in the prompt.
    expect(rest.stats.evaluatedPromptTokens).toBe(1);
    expect(model.evaluated - before).toBe(1 + rest.stats.generatedTokens);
  });

  it('continues a reply it did not write in this session (after a reload) from its text', async () => {
    const { session } = scripted(story);
    const cut = 'Once upon a time a'; // a token boundary: the fake model spells its script by position
    const rest = await session.generate([{ role: 'user', content: 'Tell a story.' }, { role: 'assistant', content: cut }], sampling);
    expect(rest.stats.stopReason).toBe('eos');
    expect(cut + rest.text).toBe(story);
  });

  it('refuses an assistant message with no question before it', async () => {
    const { session } = scripted(story);
    await expect(session.generate([{ role: 'assistant', content: 'Hi' }], sampling)).rejects.toMatchObject({ code: 'bad_request' });
  });
});

describe('branches share the cache', () => {
  it('an edited earlier question evaluates only what follows the shared prefix', async () => {
    const { session } = scripted('Fine.');
    const head: ChatMessage[] = [{ role: 'user', content: 'Hello there.' }];
    const a1 = await session.generate(head, sampling);
    const base: ChatMessage[] = [...head, { role: 'assistant', content: a1.text }];
    const v1 = await session.generate([...base, { role: 'user', content: 'What is seven plus five?' }], sampling);
    const v2 = await session.generate([...base, { role: 'user', content: 'Name a colour.' }], sampling);
    expect(v2.stats.evaluatedPromptTokens).toBeLessThan(v2.stats.promptTokens / 2);
    // Back to the first version: again only its own question is evaluated.
    const back = await session.generate([...base, { role: 'user', content: 'What is seven plus five?' }], sampling);
    const q1 = template.encode([...base, { role: 'user', content: 'What is seven plus five?' }]);
    const q2 = template.encode([...base, { role: 'user', content: 'Name a colour.' }]);
    let shared = 0;
    while (q1[shared] === q2[shared]) shared++;
    expect(back.stats.evaluatedPromptTokens).toBe(q1.length - shared);
    expect(back.text).toBe(v1.text);
  });
});

describe('context meter figure', () => {
  it('counts the whole conversation, not only what must fit', () => {
    const { session } = scripted(story);
    const one: ChatMessage[] = [{ role: 'user', content: 'Short.' }];
    const three: ChatMessage[] = [...one, { role: 'assistant', content: 'A long answer about many things.' }, { role: 'user', content: 'Short.' }];
    const a = session.minimumPrompt(one);
    const b = session.minimumPrompt(three);
    expect(a.conversationTokens).toBe(template.encode(one).length);
    expect(b.conversationTokens).toBe(template.encode(three).length);
    expect(b.tokens).toBe(a.tokens);
  });
});
