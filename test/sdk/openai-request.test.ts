/** The OpenAI request checks shared by the library and the server: what passes, what becomes of it, what is refused. */
import { describe, expect, it } from 'vitest';
import { parseChatRequest, parseCompletionRequest } from '../../src/lib/sdk/openai-request';
import { chatChunk, finishReason } from '../../src/lib/sdk/openai-response';
import { ReplyStream } from '../../src/lib/sdk/reply-stream';

const limits = { maxTokens: 100 };

describe('parseChatRequest', () => {
  it('maps OpenAI fields onto sampling settings, text parts onto text, developer onto system', () => {
    const r = parseChatRequest({
      model: 'x',
      messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'He' }, { type: 'text', text: 'llo' }] }],
      temperature: 0,
      top_p: 0.5,
      max_tokens: 7,
      seed: 3,
      stop: 'END',
      stream: true,
    }, limits);
    expect(r.messages).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }]);
    expect(r.sampling).toMatchObject({ temperature: 0, topP: 0.5, maxTokens: 7, seed: 3, stop: ['END'] });
    expect(r.stream).toBe(true);
  });

  it('asks for the limit when max_tokens is not given', () => {
    expect(parseChatRequest({ messages: [{ role: 'user', content: 'hi' }] }, limits).sampling.maxTokens).toBe(100);
  });

  it.each([
    [null, /JSON object/],
    [{ messages: [] }, /non-empty list/],
    [{ messages: [{ role: 'tool', content: 'x' }] }, /role/],
    [{ messages: [{ role: 'user', content: 5 }] }, /content must be text/],
    [{ messages: [{ role: 'assistant', content: 'x' }] }, /last message/],
    [{ messages: [{ role: 'user', content: 'x' }], max_tokens: 101 }, /at most 100/],
    [{ messages: [{ role: 'user', content: 'x' }], temperature: 'hot' }, /temperature/],
    [{ messages: [{ role: 'user', content: 'x' }], n: 2 }, /"n" must be 1/],
    [{ messages: [{ role: 'user', content: 'x' }], tools: [] }, /"tools" is not supported/],
  ])('refuses %j', (body, message) => {
    expect(() => parseChatRequest(body, limits)).toThrow(message);
    try {
      parseChatRequest(body, limits);
    } catch (e) {
      expect(e).toMatchObject({ code: 'bad_request' });
    }
  });
});

describe('parseCompletionRequest', () => {
  it('takes a one-item prompt list and refuses echo', () => {
    expect(parseCompletionRequest({ prompt: ['Once'] }, limits).prompt).toBe('Once');
    expect(() => parseCompletionRequest({ prompt: 'Once', echo: true }, limits)).toThrow(/echo/);
    expect(() => parseCompletionRequest({ prompt: '' }, limits)).toThrow(/prompt/);
  });
});

describe('responses', () => {
  it('says length for the token limit and a full context, stop otherwise', () => {
    expect(finishReason('max_tokens')).toBe('length');
    expect(finishReason('context_full')).toBe('length');
    expect(finishReason('eos')).toBe('stop');
    expect(finishReason('stop_string')).toBe('stop');
  });

  it('puts usage on the last chunk only', () => {
    const h = { id: 'a', created: 1, model: 'm' };
    expect(chatChunk(h, { content: 'x' }).usage).toBeUndefined();
    const stats = { promptTokens: 3, generatedTokens: 2, stopReason: 'eos' } as Parameters<typeof chatChunk>[2];
    expect(chatChunk(h, {}, stats)).toMatchObject({ usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }, choices: [{ finish_reason: 'stop' }] });
  });
});

describe('ReplyStream', () => {
  it('hands on every piece pushed before the end, then the error', async () => {
    const s = new ReplyStream<number>();
    s.push(1);
    setTimeout(() => {
      s.push(2);
      s.end(new Error('boom'));
      s.push(3);
    }, 5);
    const seen: number[] = [];
    await expect((async () => { for await (const n of s) seen.push(n); })()).rejects.toThrow('boom');
    expect(seen).toEqual([1, 2]);
  });
});
