/**
 * The CLI end to end: `tokenize` and `generate` spawned as a user runs them (npx tsx scripts/cli.ts ...), on a
 * random-weight model with the real Llama-3 vocabulary written at test time.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import llama3Tokenizer from 'llama3-tokenizer-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChat } from '../../src/lib/engine/chat-factory';
import type { ChatMessage, ChatStats } from '../../src/lib/chat';
import { createNodeEngine, loadWithMetadata, writeTempModel, type TempModel } from './synthetic-model';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], stdin?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    // node --import tsx runs the same program as npx tsx without npx's own start-up (about a second a run).
    const child = execFile(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], { cwd: ROOT, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(stdin ?? '');
  });
}

let model: TempModel;

beforeAll(async () => {
  model = await writeTempModel(11);
});

afterAll(() => model?.remove());

describe('cli tokenize', () => {
  const text = 'Hello world, ünïcode 🙂 and  spaces\n\tin 2025!';

  it('prints the ids as JSON, with BOS, agreeing with an independent Llama-3 tokenizer', async () => {
    const run = await cli(['tokenize', '--model', model.path, '--text', text]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(llama3Tokenizer.encode(text, { bos: true, eos: false }));
    expect(JSON.parse(run.stdout)[0]).toBe(128000);
  });

  it('--no-bos leaves BOS out; --special parses control-token text, and without it that text stays plain', async () => {
    const plain = await cli(['tokenize', '--model', model.path, '--text', 'Hi<|eot_id|>', '--no-bos']);
    const special = await cli(['tokenize', '--model', model.path, '--text', 'Hi<|eot_id|>', '--no-bos', '--special']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(special.code, special.stderr).toBe(0);
    const eot = llama3Tokenizer.getSpecialTokenId('<|eot_id|>');
    expect(JSON.parse(special.stdout)).toEqual([...llama3Tokenizer.encode('Hi', { bos: false, eos: false }), eot]);
    const plainIds = JSON.parse(plain.stdout) as number[];
    expect(plainIds).not.toContain(eot);
    expect(plainIds).not.toContain(128000);
    expect(plainIds.length).toBeGreaterThan(2);
  });

  it('reports a missing model file with a typed error and exit code 1', async () => {
    const run = await cli(['tokenize', '--model', join(model.dir, 'nope.gguf'), '--text', 'x']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error (not_found): There is no model file at');
    expect(run.stdout).toBe('');
  });
});

describe('cli generate', () => {
  const system = 'You are a helpful assistant.';
  const prompt = 'Say something about trits.';
  const settings = ['--temp', '0.8', '--top-k', '40', '--top-p', '0.9', '--min-p', '0.05', '--repeat-penalty', '1.1', '--repeat-last-n', '32'];
  const args = () => ['generate', '--model', model.path, '--system', system, '--prompt', prompt, '--seed', '42', '--max-tokens', '10', '--ctx', '256', ...settings];

  it('--json prints {text, tokens, stats} equal to the same generation done in-process', async () => {
    const run = await cli([...args(), '--json', '--threads', '2']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { text: string; tokens: number[]; stats: ChatStats };
    expect(out.tokens.length).toBeGreaterThan(0);
    expect(out.tokens.length).toBeLessThanOrEqual(10);
    expect(out.stats.generatedTokens).toBe(out.tokens.length);
    expect(out.stats.seed).toBe(42);
    expect(out.stats.evaluatedPromptTokens).toBe(out.stats.promptTokens);

    const engine = await createNodeEngine({ threads: 1 });
    try {
      const metadata = await loadWithMetadata(engine, model.path, 256);
      const { session, tokenizer } = createChat(engine, metadata);
      const messages: ChatMessage[] = [{ role: 'system', content: system }, { role: 'user', content: prompt }];
      const local = await session.generate(messages, {
        temperature: 0.8, topK: 40, topP: 0.9, minP: 0.05, repeatPenalty: 1.1, repeatLastN: 32, seed: 42, maxTokens: 10,
      });
      expect(out.tokens).toEqual(local.tokens);
      expect(out.text).toBe(local.text);
      expect(out.stats.promptTokens).toBe(local.stats.promptTokens);
      expect(tokenizer.decode(out.tokens)).toBe(out.text);
    } finally {
      engine.unload();
    }
  });

  it('streams the same reply text to stdout and the stats to stderr', async () => {
    const [streamed, json] = [await cli(args()), await cli([...args(), '--json'])];
    expect(streamed.code, streamed.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as { text: string; stats: ChatStats };
    expect(streamed.stdout).toBe(out.text);
    expect(streamed.stderr).toContain(`generated ${out.stats.generatedTokens} tokens`);
    expect(streamed.stderr).toContain(`prompt ${out.stats.promptTokens} tokens`);
    expect(streamed.stderr).toContain(`stop: ${out.stats.stopReason}`);
    expect(streamed.stderr).toMatch(/\d+\.\d tok\/s/);
  });

  it('--interactive answers one message per stdin line, reusing the cache for later turns', async () => {
    const run = await cli(['generate', '--model', model.path, '--interactive', '--seed', '5', '--max-tokens', '4', '--ctx', '256'], 'first question\nsecond question\n');
    expect(run.code, run.stderr).toBe(0);
    const stats = [...run.stderr.matchAll(/prompt (\d+) tokens \((\d+) evaluated/g)].map((m) => ({ prompt: Number(m[1]), evaluated: Number(m[2]) }));
    expect(stats).toHaveLength(2);
    expect(stats[0].evaluated).toBe(stats[0].prompt);
    expect(stats[1].prompt).toBeGreaterThan(stats[0].prompt);
    // Only the new turn (plus at most the first reply's last token, never fed back) is evaluated.
    expect(stats[1].evaluated).toBeLessThanOrEqual(stats[1].prompt - stats[0].prompt + 1);
    expect(stats[1].evaluated).toBeLessThan(stats[1].prompt);
  });

  it('exits with usage (code 2) when the prompt is missing', async () => {
    const run = await cli(['generate', '--model', model.path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('generate needs --prompt');
  });
});
