/** ChatSession.continueText: the text-continuation mode of base models (works for any model). */
import { describe, expect, it } from 'vitest';
import { ChatSession, ChatTemplate, type SamplingSettings } from '../../src/lib/chat';
import { Tokenizer } from '../../src/lib/tokenizer';
import { TritError } from '../../src/lib/errors';
import { llama3Metadata } from '../tokenizer/llama3-vocab';
import { FakeModel, scriptedLogits } from './fake-model';

const meta = llama3Metadata();
const tok = Tokenizer.fromGGUFMetadata(meta);
const template = ChatTemplate.forModel(meta, tok);
const BOS = 128000;
const EOT = 128009;
const greedy: SamplingSettings = { temperature: 0, topK: 0, topP: 1, minP: 0, repeatPenalty: 1, repeatLastN: 0, maxTokens: 32 };
const story = ' there lived a cat.';

function continuing(nCtx = 256) {
  const script = tok.encode(story, { addBos: false });
  // The continuation follows the word "time", wherever it is.
  const model = new FakeModel(nCtx, tok.vocabSize, scriptedLogits(script, EOT, tok.encode(' time', { addBos: false })));
  return { model, session: new ChatSession(model, tok, template), script };
}

describe('ChatSession.continueText', () => {
  it('continues a text with no chat format around it and stops on an end token', async () => {
    const { model, session, script } = continuing();
    const r = await session.continueText('Once upon a time', greedy);
    expect(r.text).toBe(story);
    expect(r.stats.stopReason).toBe('eos');
    expect(r.stats.droppedTokens).toBe(0);
    expect(model.context).toEqual([BOS, ...tok.encode('Once upon a time', { addBos: false }), ...script]);
    expect(tok.decode(model.context, { special: true })).not.toMatch(/User:|Assistant:/);
  });

  it('reuses the cache when the text grows by what the model wrote', async () => {
    const { session } = continuing();
    const r1 = await session.continueText('Once upon a time', greedy);
    const r2 = await session.continueText('Once upon a time' + r1.text + ' Then, one time', greedy);
    expect(r2.text).toBe(story);
    expect(r2.stats.evaluatedPromptTokens).toBeLessThan(r2.stats.promptTokens / 2);
  });

  it('keeps BOS and the end of a text too long for the context, and says how much it left out', async () => {
    const { model, session } = continuing(64);
    const long = 'word '.repeat(200) + 'Once upon a time';
    const r = await session.continueText(long, greedy);
    expect(r.text).toBe(story);
    expect(r.stats.droppedTokens).toBeGreaterThan(100);
    expect(model.context[0]).toBe(BOS);
    expect(r.stats.promptTokens).toBeLessThanOrEqual(64 - Math.min(greedy.maxTokens, 16));
    expect(tok.decode(model.context)).toContain('Once upon a time' + story);
  });

  it('refuses an empty text, and a second request while one runs', async () => {
    const { session } = continuing();
    await expect(session.continueText('', greedy)).rejects.toMatchObject({ code: 'bad_request' });
    const first = session.continueText('Once upon a time', greedy);
    await expect(session.continueText('Once upon a time', greedy)).rejects.toBeInstanceOf(TritError);
    await first;
  });

  it('refuses a reply length limit under one token, for a continuation and a chat alike, and runs the next request', async () => {
    const { session } = continuing();
    for (const maxTokens of [0, 2.5]) {
      await expect(session.continueText('Once upon a time', { ...greedy, maxTokens })).rejects.toMatchObject({ code: 'invalid_sampling' });
      await expect(session.generate([{ role: 'user', content: 'Once upon a time' }], { ...greedy, maxTokens })).rejects.toMatchObject({
        code: 'invalid_sampling',
      });
    }
    expect((await session.continueText('Once upon a time', greedy)).text).toBe(story);
  });
});
