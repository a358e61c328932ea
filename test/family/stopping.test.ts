/**
 * End-of-generation tokens of each family stop a reply, through ChatSession, with each reference file's real
 * metadata (tokenizer, special ids, template) and the deterministic FakeModel standing in for the engine.
 */
import { describe, expect, it } from 'vitest';
import { ChatSession, type ChatMessage, type SamplingSettings } from '../../src/lib/chat';
import { TritError } from '../../src/lib/errors';
import { FakeModel, scriptedLogits } from '../chat/fake-model';
import { familyChat, type FamilyName } from './family-files';
import type { GGUFMetadata } from '../../src/lib/tokenizer';

const greedy: SamplingSettings = { temperature: 0, topK: 0, topP: 1, minP: 0, repeatPenalty: 1, repeatLastN: 0, maxTokens: 40 };
const REPLY = 'The sum is 5.';

/** A chat whose model writes REPLY after the generation prompt, then `end`. */
function scriptedChat(name: FamilyName, end: (ids: { eos?: number; id: (t: string) => number }) => number, edit?: (m: GGUFMetadata) => GGUFMetadata) {
  const { tokenizer, template } = familyChat(name, edit);
  const script = tokenizer.encode(REPLY, { addBos: false });
  const endToken = end({ eos: tokenizer.eosId, id: (t) => tokenizer.tokenId(t)! });
  const marker = template.isBaseModel ? tokenizer.encode('Once', { addBos: false }) : template.encodeGenerationPrompt();
  const model = new FakeModel(512, tokenizer.vocabSize, scriptedLogits(script, endToken, marker));
  return { tokenizer, template, script, endToken, model, session: new ChatSession(model, tokenizer, template) };
}

async function expectStopsOn(chat: ReturnType<typeof scriptedChat>) {
  const messages: ChatMessage[] = [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Add 2 and 3.' },
  ];
  const r1 = await chat.session.generate(messages, greedy);
  expect(r1.stats.stopReason).toBe('eos');
  expect(r1.text).toBe(REPLY);
  expect(r1.tokens).toEqual(chat.script);
  // The end token was sampled, not evaluated: the cache holds the prompt and the reply.
  expect(chat.model.context).toEqual([...chat.template.encode(messages), ...chat.script]);
  // The next turn writes the reply back closed the family's way and only evaluates what is new.
  const next = [...messages, { role: 'assistant' as const, content: r1.text }, { role: 'user' as const, content: 'And 3 and 4?' }];
  const r2 = await chat.session.generate(next, greedy);
  expect(r2.stats.stopReason).toBe('eos');
  expect(r2.stats.evaluatedPromptTokens).toBe(r2.stats.promptTokens - (r1.stats.promptTokens + r1.tokens.length));
  return r2;
}

describe('BOS/EOS/EOT of each family stop generation through ChatSession', () => {
  it('Falcon3: <|endoftext|> (11)', async () => {
    const chat = scriptedChat('falcon3', ({ eos }) => eos!);
    expect(chat.endToken).toBe(11);
    expect(chat.tokenizer.endOfGeneration).toEqual(new Set([11]));
    await expectStopsOn(chat);
  });

  it('Falcon3 without an eos key: 11, the reference default', async () => {
    const chat = scriptedChat('falcon3', () => 11, ({ ['tokenizer.ggml.eos_token_id']: _, ...m }) => m);
    expect(chat.tokenizer.eosId).toBe(11);
    expect(chat.tokenizer.endOfGeneration).toEqual(new Set([11]));
    await expectStopsOn(chat);
  });

  it('Llama3-8B-1.58: <|eot_id|>, and <|end_of_text|> too', async () => {
    const chat = scriptedChat('llama3', ({ id }) => id('<|eot_id|>'));
    expect(chat.tokenizer.bosId).toBe(1008);
    expect(chat.tokenizer.endOfGeneration).toEqual(new Set([1017, 1009]));
    await expectStopsOn(chat);
    const other = scriptedChat('llama3', ({ id }) => id('<|end_of_text|>'));
    const r = await other.session.generate([{ role: 'user', content: 'Hi' }], greedy);
    expect([r.stats.stopReason, r.text]).toEqual(['eos', REPLY]);
  });

  it('Falcon-E: <|im_end|>, and the file\'s eos <|end_of_text|>', async () => {
    const chat = scriptedChat('falcon-e', ({ id }) => id('<|im_end|>'));
    expect(chat.tokenizer.endOfGeneration).toEqual(new Set([2, 4]));
    await expectStopsOn(chat);
    const other = scriptedChat('falcon-e', ({ eos }) => eos!);
    const r = await other.session.generate([{ role: 'user', content: 'Hi' }], greedy);
    expect([r.stats.stopReason, r.text]).toEqual(['eos', REPLY]);
  });

  it('bitnet_b1_58-large (base model): </s> ends a continuation after BOS; chat is refused', async () => {
    const chat = scriptedChat('bitnet-large', ({ eos }) => eos!);
    expect(chat.endToken).toBe(2);
    expect(chat.tokenizer.endOfGeneration).toEqual(new Set([2]));
    const r = await chat.session.continueText('Once', greedy);
    expect(r.stats.stopReason).toBe('eos');
    expect(r.text).toBe(' ' + REPLY); // SentencePiece pieces carry their leading space
    expect(chat.model.context).toEqual([1, ...chat.tokenizer.encode('Once', { addBos: false }), ...chat.script]);
    await expect(chat.session.generate([{ role: 'user', content: 'Hi' }], greedy)).rejects.toBeInstanceOf(TritError);
  });

  it('a token that is not an end marker does not stop: the reply runs to the limit', async () => {
    const chat = scriptedChat('falcon3', ({ id }) => id('>>TITLE<<'));
    const r = await chat.session.generate([{ role: 'user', content: 'Hi' }], { ...greedy, maxTokens: chat.script.length + 3 });
    expect(r.stats.stopReason).toBe('max_tokens');
  });
});
