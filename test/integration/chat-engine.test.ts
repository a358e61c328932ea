/**
 * The chat logic (ChatSession, Sampler, ChatTemplate, tokenizer) on the real engine (Node build, 2-thread pool) and a
 * random-weight model with the real Llama-3 vocabulary. Replies are gibberish: these tests assert on tokens, cache
 * bookkeeping and stop reasons, never on meaning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmax, type ChatMessage, type SamplingSettings } from '../../src/lib/chat';
import { createChat, type LoadedChat } from '../../src/lib/engine/chat-factory';
import { TritError } from '../../src/lib/errors';
import type { WasmEngine } from '../../src/lib/engine/wasm-engine';
import type { GGUFMetadata } from '../../src/lib/tokenizer';
import { createNodeEngine, loadWithMetadata, writeTempModel, type TempModel } from './synthetic-model';

const SAMPLING: SamplingSettings = {
  temperature: 0.9,
  topK: 40,
  topP: 0.95,
  minP: 0.02,
  repeatPenalty: 1.1,
  repeatLastN: 64,
  seed: 1234,
  maxTokens: 16,
};
const GREEDY: SamplingSettings = { ...SAMPLING, temperature: 0, repeatPenalty: 1, seed: 1 };

let model: TempModel;
let engine: WasmEngine;
let metadata: GGUFMetadata;

beforeAll(async () => {
  model = await writeTempModel();
  engine = await createNodeEngine({ threads: 2 });
  metadata = await loadWithMetadata(engine, model.path, 512);
});

afterAll(() => {
  engine?.unload();
  model?.remove();
});

const conversation = (...users: string[]): ChatMessage[] => [
  { role: 'system', content: 'You are a helpful assistant.' },
  ...users.map((content) => ({ role: 'user' as const, content })),
];

describe('generation on the real engine', () => {
  it('is identical for the same seed across runs and across 1 and 2 threads, and differs for another seed', async () => {
    expect(engine.poolSize).toBeGreaterThanOrEqual(2);
    const messages = conversation('Write a haiku about ternary weights.');
    const runOn = async (threads: number, seed: number) => {
      engine.setThreads(threads);
      expect(engine.threads).toBe(threads);
      const chat = createChat(engine, metadata);
      await chat.session.reset();
      return chat.session.generate(messages, { ...SAMPLING, seed });
    };
    const first = await runOn(1, 1234);
    const again = await runOn(1, 1234);
    const twoThreads = await runOn(2, 1234);
    const otherSeed = await runOn(2, 99);
    engine.setThreads(2);

    expect(first.tokens.length).toBeGreaterThan(0);
    expect(first.stats.seed).toBe(1234);
    expect(first.stats.generatedTokens).toBe(first.tokens.length);
    expect(again.tokens).toEqual(first.tokens);
    expect(again.text).toBe(first.text);
    expect(twoThreads.tokens).toEqual(first.tokens);
    expect(twoThreads.text).toBe(first.text);
    expect(otherSeed.tokens).not.toEqual(first.tokens);
  });

  it('stops within one token of an abort, and the next turn evaluates only its new tokens', async () => {
    const { session, template } = createChat(engine, metadata);
    const abortAfter = 3;
    const controller = new AbortController();
    let streamed = 0;
    const messages = conversation('Count to one hundred, slowly.');
    const stopped = await session.generate(messages, { ...SAMPLING, maxTokens: 64 }, {
      signal: controller.signal,
      onToken: () => {
        if (++streamed === abortAfter) controller.abort();
      },
    });
    expect(stopped.stats.stopReason).toBe('aborted');
    expect(stopped.tokens).toHaveLength(abortAfter);
    // The last sampled token was never fed back to the model: the abort came before that call.
    expect(session.cachedTokens.length).toBe(stopped.stats.promptTokens + abortAfter - 1);
    expect(engine.nPast).toBe(session.cachedTokens.length);

    const user2 = { role: 'user' as const, content: 'Never mind. What is a trit?' };
    const next = await session.generate([...messages, { role: 'assistant', content: stopped.text }, user2], SAMPLING);
    const assistantTurn = template.encodeMessage({ role: 'assistant', content: stopped.text }, stopped.tokens);
    const newTokens = template.encodeMessage(user2).length + template.encodeGenerationPrompt().length;
    const openLength = template.encodeGenerationPrompt().length;
    // The reply's tokens are reused as generated (not re-encoded from its text), so the prompt grows by exactly them.
    expect(next.stats.promptTokens).toBe(stopped.stats.promptTokens - openLength + assistantTurn.length + newTokens);
    expect(next.stats.evaluatedPromptTokens).toBe(next.stats.promptTokens - (stopped.stats.promptTokens + abortAfter - 1));
    expect(next.stats.generatedTokens).toBeGreaterThan(0);
    expect(['max_tokens', 'eos']).toContain(next.stats.stopReason);
  });

  it('reuses the KV cache across turns: the second turn evaluates only the new turn, and matches a fresh evaluation', async () => {
    const { session, template } = createChat(engine, metadata);
    const messages = conversation('Name three prime numbers.');
    const turn1 = await session.generate(messages, GREEDY);
    expect(turn1.stats.evaluatedPromptTokens).toBe(turn1.stats.promptTokens);

    const user2 = { role: 'user' as const, content: 'And three more, please.' };
    const history = [...messages, { role: 'assistant' as const, content: turn1.text }, user2];
    const turn2 = await session.generate(history, GREEDY);
    // Not yet in the cache: the last reply token unless the reply ended on end-of-generation (never fed back),
    // the token closing the assistant turn, the new user turn and the assistant prompt.
    const unevaluatedReply = turn1.stats.stopReason === 'eos' ? 0 : 1;
    const closeLength = template.encodeMessage({ role: 'assistant', content: '' }, []).length - template.encodeGenerationPrompt().length;
    const expected = unevaluatedReply + closeLength + template.encodeMessage(user2).length + template.encodeGenerationPrompt().length;
    expect(turn2.stats.evaluatedPromptTokens).toBe(expected);
    expect(turn2.stats.promptTokens).toBe(turn1.stats.promptTokens + turn1.tokens.length + expected - unevaluatedReply);
    expect(turn2.tokens.length).toBeGreaterThan(0);

    // Greedy decoding's first token must equal the argmax of the whole second prompt evaluated from scratch:
    // it breaks if truncate/append on the reused cache put keys at the wrong positions.
    const prompt2 = session.cachedTokens.slice(0, turn2.stats.promptTokens);
    engine.truncate(0);
    const fresh = engine.eval(prompt2);
    expect(argmax(fresh)).toBe(turn2.tokens[0]);
  });

  it('refuses a conversation that does not end with a user message, with a typed error', async () => {
    const { session } = createChat(engine, metadata);
    await expect(session.generate([{ role: 'system', content: 'Hi' }], SAMPLING)).rejects.toMatchObject({ code: 'bad_request' });
  });
});

describe('a conversation longer than a small context', () => {
  let small: LoadedChat;

  beforeAll(async () => {
    metadata = await loadWithMetadata(engine, model.path, 128);
    expect(engine.info!.nCtx).toBe(128);
    small = createChat(engine, metadata);
  });

  it('drops the oldest turns, keeps the system prompt, says so, and still answers', async () => {
    const { session, template, tokenizer } = small;
    const system: ChatMessage = { role: 'system', content: 'You are Trit, a terse assistant.' };
    const systemPrefix = [...template.encodeStart(), ...template.encodeMessage(system)];
    const messages: ChatMessage[] = [system];
    const sampling = { ...SAMPLING, maxTokens: 8 };
    let dropped = 0;
    for (let turn = 0; turn < 8 && dropped === 0; turn++) {
      const user: ChatMessage = {
        role: 'user',
        content: `Question ${turn}: tell me about the number ${turn} and why it matters to people who count things every day.`,
      };
      messages.push(user);
      const reply = await session.generate(messages, sampling);
      messages.push({ role: 'assistant', content: reply.text });
      dropped = reply.stats.droppedMessages;

      expect(reply.stats.promptTokens).toBeLessThanOrEqual(128 - sampling.maxTokens);
      expect(reply.tokens.length).toBeGreaterThan(0);
      expect(reply.stats.stopReason).not.toBe('context_full');
      const prompt = session.cachedTokens.slice(0, reply.stats.promptTokens);
      expect(prompt.slice(0, systemPrefix.length)).toEqual(systemPrefix);
      // The prompt ends with the newest user turn and the assistant prompt, whatever was left out before them.
      const tail = [...template.encodeMessage(user), ...template.encodeGenerationPrompt()];
      expect(prompt.slice(-tail.length)).toEqual(tail);
      if (dropped > 0) {
        // Whole exchanges go, oldest first: the first user message is no longer in the prompt.
        expect(dropped % 2).toBe(0);
        expect(tokenizer.decode(prompt)).not.toContain('Question 0:');
        expect(tokenizer.decode(prompt)).toContain(`Question ${turn}:`);
      }
    }
    expect(dropped).toBeGreaterThan(0);
  });

  it('rejects a single message that cannot fit, with a typed error naming the limit', async () => {
    const { session } = small;
    const huge = 'ternary '.repeat(200);
    const error = await session.generate(conversation(huge), SAMPLING).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TritError);
    expect(error).toMatchObject({ code: 'prompt_too_long' });
    expect((error as TritError).message).toContain('128');
  });
});
