/**
 * Uses trit-web's public types the way an embedder would. It is never run, only compiled: a change to the published
 * types that breaks this code (or makes a wrong use compile: the @ts-expect-error lines) fails the check.
 */
import {
  createTrit,
  isolatePage,
  TritError,
  type ChatCompletion,
  type ChatCompletionChunk,
  type Completion,
  type CompletionChunk,
  type EngineStatus,
  type ModelInfo,
  type ModelView,
  type Trit,
  type TritErrorCode,
  type TritProgress,
} from 'trit-web';

export async function example(file: File): Promise<string> {
  if ((await isolatePage('./isolation-sw.js')) === 'reloading') return '';
  const trit: Trit = await createTrit({
    threads: 2,
    onProgress: (p: TritProgress) => {
      if (p.kind === 'store') console.log(p.phase, p.fraction);
      else console.log(p.modelId, p.loadedBytes / p.totalBytes);
    },
  });
  const status: EngineStatus = trit.status;
  const build: 'threaded' | 'single-thread' = status.build;
  const stored: ModelView = await trit.models.download('https://example.org/m.gguf', { sha256: 'ab', signal: AbortSignal.timeout(1000) });
  const imported: ModelView = await trit.models.import(file, { name: 'mine' });
  const all: ModelView[] = await trit.models.list();
  const info: ModelInfo = await trit.load(stored.id, { nCtx: 2048, onProgress: (p) => p.loadedBytes });

  const stream: AsyncIterable<ChatCompletionChunk> = await trit.chat.completions.create({
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    temperature: 0.5,
    max_tokens: 64,
    stream: true,
    signal: new AbortController().signal,
  });
  let text = '';
  for await (const chunk of stream) {
    text += chunk.choices[0].delta.content ?? '';
    const finish: 'stop' | 'length' | null = chunk.choices[0].finish_reason;
    void finish;
  }
  const whole: ChatCompletion = await trit.chat.completions.create({ messages: [{ role: 'user', content: 'Hi' }], seed: 1 });
  const reply: string = whole.choices[0].message.content;
  const base: Completion = await trit.completions.create({ prompt: 'Once upon a time', max_tokens: 8 });
  const baseStream: AsyncIterable<CompletionChunk> = await trit.completions.create({ prompt: 'Once', stream: true });
  const ids: number[] = await trit.tokenize('hello', { addBos: false });

  // @ts-expect-error a streamed request gives chunks, not a whole completion
  const wrong: ChatCompletion = await trit.chat.completions.create({ messages: [], stream: true });
  // @ts-expect-error roles are OpenAI's: no tool messages
  await trit.chat.completions.create({ messages: [{ role: 'tool', content: 'x' }] });
  // @ts-expect-error a text completion needs a prompt
  await trit.completions.create({ max_tokens: 3 });

  try {
    await trit.unload();
  } catch (e) {
    if (e instanceof TritError) {
      const code: TritErrorCode = e.code;
      return `${code}: ${e.hint}`;
    }
  }
  trit.dispose();
  void [build, imported, all, info, reply, base, baseStream, ids, wrong];
  return text;
}
