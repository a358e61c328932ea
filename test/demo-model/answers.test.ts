/**
 * The committed demo model, the way the CLI and the app use it: the wasm engine, the GGUF's own tokenizer and chat
 * template, greedy decoding through ChatSession. Text in, text out; nothing pre-tokenised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeEngine } from '../../src/lib/engine/node';
import { createChat, type LoadedChat } from '../../src/lib/engine/chat-factory';
import type { WasmEngine } from '../../src/lib/engine/wasm-engine';
import type { SamplingSettings } from '../../src/lib/chat';

const root = join(import.meta.dirname, '../..');
const MODEL = join(root, 'public/models/trit-demo.gguf');
const { prompts } = JSON.parse(readFileSync(join(import.meta.dirname, 'prompts.json'), 'utf8')) as {
  prompts: Array<{ prompt: string; ids: number[]; expect_substring: string }>;
};
const greedy: SamplingSettings = { temperature: 0, topK: 0, topP: 1, minP: 0, repeatPenalty: 1, repeatLastN: 0, maxTokens: 48 };

let engine: WasmEngine;
let chat: LoadedChat;

beforeAll(async () => {
  engine = await createNodeEngine({ threads: 1 });
  const bytes = new Uint8Array(readFileSync(MODEL));
  const inspection = engine.inspect(bytes, { fileSize: bytes.byteLength });
  if (!inspection.complete) throw new Error('demo model header incomplete');
  await engine.load([bytes], bytes.byteLength);
  chat = createChat(engine, inspection.metadata);
});

afterAll(() => engine?.unload());

async function ask(prompt: string): Promise<string> {
  await chat.session.reset();
  const result = await chat.session.generate([{ role: 'user', content: prompt }], greedy);
  return result.text;
}

describe('the demo model through the app path', () => {
  it("uses its own chat template without a notice, rendering exactly the training format", () => {
    expect(chat.templateNotice).toBeUndefined();
    for (const p of prompts) {
      expect(chat.template.encode([{ role: 'user', content: p.prompt }]), p.prompt).toEqual(p.ids);
    }
  });

  it('answers "What is 7 plus 5?" with 12', async () => {
    expect(await ask('What is 7 plus 5?')).toContain('12');
  });

  it('says it is a small demo model running offline', async () => {
    const reply = await ask('Who are you?');
    expect(reply).toContain('small demo model');
    expect(reply).toContain('offline');
  });

  it('answers most of the acceptance prompts (the model card lists what it gets wrong)', async () => {
    const failures: string[] = [];
    for (const p of prompts) {
      const reply = await ask(p.prompt);
      if (!reply.includes(p.expect_substring)) failures.push(`${p.prompt} -> ${JSON.stringify(reply)}`);
    }
    expect(failures.length, failures.join('\n')).toBeLessThanOrEqual(2);
  });
});
