/**
 * The local server against the official `openai` client: streamed, whole, aborted, refused (400, 413) and queued
 * requests, on the repo's small synthetic model. Its replies are nonsense tokens, which is all these checks need.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type StartedServer } from './start-server';

const PORT = Number(process.env.TRIT_SERVE_TEST_PORT ?? 4811);
const MAX_BODY = 64 * 1024;
let server: StartedServer;
let client: OpenAI;

interface Health {
  status: string;
  generating: boolean;
  queued: number;
  completed: number;
  aborted: number;
}

const health = async (): Promise<Health> => (await fetch(server.baseURL.replace('/v1', '/health'))).json() as Promise<Health>;
/** The server serves one model whatever is asked; OpenAI's client requires a name. */
const model = 'small.gguf';
// Replies that must run to their token limit are greedy (temperature 0): with this model greedy decoding does not
// meet its end token for thousands of tokens, where sampling may end after a few (seen: 48 ms).
const ask = (content: string) => [{ role: 'user' as const, content }];

beforeAll(async () => {
  server = await startServe(['--model', 'test/fixtures/small.gguf', '--threads', '1', '--max-body-bytes', String(MAX_BODY)], PORT);
  client = new OpenAI({ baseURL: server.baseURL, apiKey: 'not-needed', maxRetries: 0 });
});

afterAll(async () => {
  await server?.stop();
});

describe('npm run cli -- serve', () => {
  it('lists its model and answers /health', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['small.gguf']);
    expect((await health()).status).toBe('ok');
  });

  it('streams a chat completion as chunks that add up to the whole reply', async () => {
    const params = { model: 'small.gguf', messages: ask('Tell me a story.'), temperature: 0, max_tokens: 12 };
    const stream = await client.chat.completions.create({ ...params, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    const last = chunks[chunks.length - 1];
    expect(last.choices[0].finish_reason).toBe('length');
    expect(last.usage?.completion_tokens).toBe(12);
    const streamed = chunks.map((c) => c.choices[0].delta.content ?? '').join('');
    expect(streamed.length).toBeGreaterThan(0);

    const whole = await client.chat.completions.create(params);
    expect(whole.object).toBe('chat.completion');
    expect(whole.choices[0].message.content).toBe(streamed);
    expect(whole.usage?.completion_tokens).toBe(12);
  });

  it('gives a non-streamed chat completion and a text completion for base models', async () => {
    const chat = await client.chat.completions.create({ model, messages: ask('Hello'), max_tokens: 5, seed: 7 });
    expect(chat.choices[0].message.role).toBe('assistant');
    expect(chat.choices[0].message.content!.length).toBeGreaterThan(0);
    expect(chat.usage!.prompt_tokens).toBeGreaterThan(0);

    const text = await client.completions.create({ model: 'small.gguf', prompt: 'Once upon a time', max_tokens: 6, temperature: 0 });
    expect(text.object).toBe('text_completion');
    expect(text.choices[0].finish_reason).toBe('length');
    expect(text.usage?.completion_tokens).toBe(6);
    const streamed = [];
    for await (const c of await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 6, temperature: 0, stream: true })) {
      streamed.push(c.choices[0].text);
    }
    expect(streamed.join('')).toBe(text.choices[0].text);
  });

  it('stops generating when the client aborts, and serves the next request', async () => {
    const before = await health();
    const controller = new AbortController();
    // 2000 tokens take this model several seconds here: the abort comes long before the end.
    const stream = await client.chat.completions.create(
      { model, messages: ask('Go on forever.'), max_tokens: 2000, temperature: 0, stream: true },
      { signal: controller.signal },
    );
    let pieces = 0;
    let finished = false;
    // The client ends the stream quietly on abort, as OpenAI's SDK does.
    for await (const c of stream) {
      if (c.choices[0].delta.content && ++pieces === 3) controller.abort();
      if (c.choices[0].finish_reason) finished = true;
    }
    expect(finished).toBe(false);
    await expect.poll(async () => (await health()).aborted, { timeout: 5_000 }).toBe(before.aborted + 1);
    const after = await health();
    expect(after.generating).toBe(false);
    expect(after.completed).toBe(before.completed);
    const next = await client.chat.completions.create({ model, messages: ask('Still there?'), max_tokens: 3, temperature: 0 });
    expect(next.choices[0].finish_reason).toBe('length');
  });

  it('answers a malformed request with 400 and says what is wrong', async () => {
    const noMessages = client.chat.completions.create({ model, messages: [], max_tokens: 3 });
    await expect(noMessages).rejects.toMatchObject({ status: 400, code: 'bad_request' });
    await expect(noMessages).rejects.toThrow(/messages/);
    await expect(client.chat.completions.create({ model, messages: ask('hi'), temperature: -1 })).rejects.toMatchObject({ status: 400 });
    await expect(client.chat.completions.create({ model, messages: ask('hi'), max_tokens: 100_000 })).rejects.toThrow(/max_tokens/);
    // Inside the body limit but far past the 4096-token context: refused up front, not after minutes of work.
    const long = client.chat.completions.create({ model, messages: ask('word '.repeat(10_000)), max_tokens: 3 });
    await expect(long).rejects.toMatchObject({ status: 400, code: 'prompt_too_long' });
    const notJson = await fetch(`${server.baseURL}/chat/completions`, { method: 'POST', body: '{"messages": [', headers: { 'Content-Type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
  });

  it('refuses a request larger than --max-body-bytes with 413', async () => {
    const huge = 'word '.repeat(MAX_BODY / 4);
    await expect(client.chat.completions.create({ model, messages: ask(huge), max_tokens: 3 })).rejects.toMatchObject({ status: 413 });
    // The server is fine afterwards.
    const ok = await client.chat.completions.create({ model, messages: ask('short'), max_tokens: 2 });
    expect(ok.choices[0].message.content).toBeTypeOf('string');
  });

  it('says plainly when its port is taken, and leaves the running server alone', async () => {
    await expect(startServe(['--model', 'test/fixtures/small.gguf', '--threads', '1'], PORT)).rejects.toThrow(/Port \d+ on 127\.0\.0\.1 is already in use/);
    expect((await health()).status).toBe('ok');
  });

  it('answers two concurrent requests one after the other, in the order they came', async () => {
    const events: string[] = [];
    const run = async (name: string, maxTokens: number) => {
      const stream = await client.chat.completions.create({ model, messages: ask(`Request ${name}`), max_tokens: maxTokens, temperature: 0, stream: true });
      let first = true;
      let text = '';
      for await (const c of stream) {
        const piece = c.choices[0].delta.content;
        if (piece && first) {
          events.push(`${name} first`);
          first = false;
        }
        text += piece ?? '';
      }
      events.push(`${name} done`);
      return text;
    };
    const a = run('A', 1000);
    await expect.poll(async () => (await health()).generating, { timeout: 10_000 }).toBe(true);
    const b = run('B', 5);
    await expect.poll(async () => (await health()).queued, { timeout: 10_000 }).toBe(1);
    const [textA, textB] = await Promise.all([a, b]);
    expect(textA.length).toBeGreaterThan(0);
    expect(textB.length).toBeGreaterThan(0);
    expect(events).toEqual(['A first', 'A done', 'B first', 'B done']);
  });
});
