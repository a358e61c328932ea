/**
 * Trit's command line, on the Node build of the engine (run: npm run cli -- <command> ...).
 *   info <model.gguf> [--ctx N]                       metadata, tensor table, memory needed
 *   logits --model <gguf> --tokens 1,2,3 [--threads N] [--batch] [--ctx N]
 *        prints one JSON object {"n_vocab": V, "logits": [[V floats] per input position]}; token by token by
 *        default (as in generation), all at once with --batch (as in prompt processing)
 *   tokenize --model <gguf> --text <text> [--no-bos] [--special]
 *        prints the token ids as a JSON array; --special turns control-token text (<|eot_id|>) into those tokens
 *   generate --model <gguf> --prompt <text> [--system S] [sampling options] [--threads N] [--ctx N] [--json]
 *        [--interactive]
 *        streams the reply to stdout and stats to stderr; --json prints one {text, tokens, stats} object instead;
 *        --interactive keeps chatting, one user message per line of stdin (--prompt optional)
 */
import { openSync, readSync, closeSync, statSync, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createNodeEngine, loadModelFile } from '../src/lib/engine/node';
import { createChat } from '../src/lib/engine/chat-factory';
import { DEFAULT_SAMPLER_SETTINGS, type ChatMessage, type ChatResult, type SamplingSettings } from '../src/lib/chat';
import { TritError } from '../src/lib/errors';
import { Tokenizer } from '../src/lib/tokenizer';
import { serve, SERVE_USAGE } from '../src/server/serve-command';
import { share, SHARE_USAGE } from '../src/server/share-command';
import type { EngineModelInfo, MetadataValue, WasmEngine } from '../src/lib/engine/wasm-engine';

interface ParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) positional.push(a);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) options.set(a.slice(2), argv[++i]);
    else options.set(a.slice(2), true);
  }
  return { positional, options };
}

function intOption(args: ParsedArgs, name: string, fallback: number): number {
  const v = args.options.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) usage(`--${name} needs a whole number`);
  return n;
}

function numberOption(args: ParsedArgs, name: string, fallback: number): number {
  const v = args.options.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === true || !Number.isFinite(n)) usage(`--${name} needs a number`);
  return n;
}

function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  if (v === true) usage(`--${name} needs a value`);
  return v;
}

function usage(problem?: string): never {
  if (problem) console.error(`error: ${problem}`);
  console.error('usage: npm run cli -- info <model.gguf> [--ctx N]\n' +
    '       npm run cli -- logits --model <model.gguf> --tokens 1,2,3 [--threads N] [--batch] [--ctx N]\n' +
    '       npm run cli -- tokenize --model <model.gguf> --text <text> [--no-bos] [--special]\n' +
    '       npm run cli -- generate --model <model.gguf> --prompt <text> [--system <text>] [--temp F] [--top-k N]\n' +
    '            [--top-p F] [--min-p F] [--repeat-penalty F] [--repeat-last-n N] [--seed N] [--max-tokens N]\n' +
    '            [--stop <text>] [--threads N] [--ctx N] [--json] [--interactive]\n' +
    `       ${SERVE_USAGE}\n` +
    `       ${SHARE_USAGE}`);
  process.exit(2);
}

function readPrefix(path: string): (bytes: number) => Promise<Uint8Array> {
  return async (bytes) => {
    const fd = openSync(path, 'r');
    try {
      const buf = new Uint8Array(bytes);
      const n = readSync(fd, buf, 0, bytes, 0);
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  };
}

function describeValue(v: MetadataValue): string {
  if (Array.isArray(v)) {
    const head = v.slice(0, 6).map(describeValue).join(', ');
    return `[${v.length} items: ${head}${v.length > 6 ? ', …' : ''}]`;
  }
  if (typeof v === 'string') return JSON.stringify(v.length > 120 ? v.slice(0, 120) + '…' : v);
  return String(v);
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

async function info(args: ParsedArgs): Promise<void> {
  const path = args.positional[0] ?? usage('info needs a model file');
  const engine = await createNodeEngine({ threads: 1 });
  const r = await engine.inspectFile(readPrefix(path), statSync(path).size, { nCtx: intOption(args, 'ctx', 0) });
  if (!r.complete) throw new Error('unreachable: inspectFile returns a complete header');
  console.log(`GGUF v${r.version}, alignment ${r.alignment}, header ${r.headerBytes} bytes`);
  console.log('\nmetadata:');
  for (const [k, v] of Object.entries(r.metadata)) console.log(`  ${k} = ${r.omitted.includes(k) ? '(too large to show)' : describeValue(v)}`);
  console.log(`\ntensors (${r.tensorCount}${r.tensors.length < r.tensorCount ? ', too many to list' : ''}):`);
  for (const t of r.tensors) console.log(`  ${t.name.padEnd(32)} ${t.typeName.padEnd(5)} {${t.shape.join(', ')}}  @${t.offset}  ${t.bytes} bytes`);
  if (r.plan) {
    const p = r.plan;
    console.log(`\nmemory for a ${p.nCtx}-token context: ${mib(p.total)} (weights ${mib(p.weights)}, KV cache ${mib(p.kvCache)}, scratch ${mib(p.scratch)})`);
    console.log(`parameters ${p.parameters}, weights read per generated token ${mib(p.weightBytesPerToken)}`);
  } else if (r.planError) {
    console.log(`\nthe engine cannot run this model: ${r.planError.message} (${r.planError.code})`);
  }
}

async function logits(args: ParsedArgs): Promise<void> {
  const path = args.options.get('model');
  const tokenList = args.options.get('tokens');
  if (typeof path !== 'string') usage('logits needs --model <file>');
  if (typeof tokenList !== 'string') usage('logits needs --tokens 1,2,3');
  const tokens = tokenList.split(',').map((s) => Number(s.trim()));
  if (tokens.some((t) => !Number.isInteger(t) || t < 0)) usage('--tokens must be comma-separated token ids');
  const threads = Math.max(1, intOption(args, 'threads', 1));
  const engine = await createNodeEngine({ threads });
  const { info: model } = await loadModelFile(engine, path, intOption(args, 'ctx', 0) || Math.min(4096, Math.max(tokens.length, 64)));
  const rows: number[][] = [];
  if (args.options.get('batch')) {
    const all = engine.eval(tokens, { allLogits: true });
    for (let i = 0; i < tokens.length; i++) rows.push(Array.from(all.subarray(i * model.nVocab, (i + 1) * model.nVocab)));
  } else {
    for (const t of tokens) rows.push(Array.from(engine.eval([t])));
  }
  process.stdout.write(JSON.stringify({ n_vocab: model.nVocab, logits: rows }) + '\n');
}

/** The GGUF header of a file, read by the engine's parser. */
async function readMetadata(engine: WasmEngine, path: string) {
  const r = await engine.inspectFile(readPrefix(path), statSync(path).size);
  if (!r.complete) throw new Error('unreachable: inspectFile returns a complete header');
  if (r.planError) throw r.planError;
  return r.metadata;
}

function modelPath(args: ParsedArgs, command: string): string {
  const path = args.options.get('model');
  if (typeof path !== 'string') usage(`${command} needs --model <file>`);
  if (!existsSync(path)) throw new TritError('not_found', `There is no model file at ${path}.`, 'Check the path given to --model.');
  return path;
}

async function tokenize(args: ParsedArgs): Promise<void> {
  const path = modelPath(args, 'tokenize');
  const text = args.options.get('text');
  if (typeof text !== 'string') usage('tokenize needs --text <text>');
  const engine = await createNodeEngine({ threads: 1 });
  const tokenizer = Tokenizer.fromGGUFMetadata(await readMetadata(engine, path));
  const ids = tokenizer.encode(text, {
    addBos: args.options.has('no-bos') ? false : undefined,
    parseSpecial: args.options.has('special'),
  });
  process.stdout.write(JSON.stringify(ids) + '\n');
}

function samplingFrom(args: ParsedArgs): SamplingSettings {
  const d = DEFAULT_SAMPLER_SETTINGS;
  const seed = args.options.has('seed') ? intOption(args, 'seed', 0) : undefined;
  const stop = stringOption(args, 'stop');
  return {
    temperature: numberOption(args, 'temp', d.temperature),
    topK: intOption(args, 'top-k', d.topK),
    topP: numberOption(args, 'top-p', d.topP),
    minP: numberOption(args, 'min-p', d.minP),
    repeatPenalty: numberOption(args, 'repeat-penalty', d.repeatPenalty),
    repeatLastN: intOption(args, 'repeat-last-n', d.repeatLastN),
    seed,
    maxTokens: intOption(args, 'max-tokens', 256),
    stop: stop === undefined ? undefined : [stop],
  };
}

function printStats(result: ChatResult, model: EngineModelInfo, threads: number): void {
  const s = result.stats;
  console.error(
    `\n[prompt ${s.promptTokens} tokens (${s.evaluatedPromptTokens} evaluated, ${s.promptTokensPerSecond.toFixed(1)} tok/s)` +
      ` | generated ${s.generatedTokens} tokens (${s.generationTokensPerSecond.toFixed(1)} tok/s)` +
      ` | first token ${s.timeToFirstTokenMs.toFixed(0)} ms | stop: ${s.stopReason}` +
      (s.droppedMessages ? ` | ${s.droppedMessages} oldest messages left out to fit the ${model.nCtx}-token context` : '') +
      ` | seed ${s.seed} | ${threads} thread${threads === 1 ? '' : 's'}]`,
  );
}

async function generate(args: ParsedArgs): Promise<void> {
  const path = modelPath(args, 'generate');
  const prompt = stringOption(args, 'prompt');
  const interactive = args.options.has('interactive');
  const json = args.options.has('json');
  if (prompt === undefined && !interactive) usage('generate needs --prompt <text> (or --interactive)');
  if (json && interactive) usage('--json and --interactive do not go together');
  const system = stringOption(args, 'system');
  const sampling = samplingFrom(args);
  const threads = Math.max(1, intOption(args, 'threads', 1));
  const nCtx = intOption(args, 'ctx', 0);

  const engine = await createNodeEngine({ threads });
  const { info: model, metadata } = await loadModelFile(engine, path, nCtx);
  const { session, templateNotice } = createChat(engine, metadata);
  if (templateNotice) console.error(`note: ${templateNotice}`);

  const messages: ChatMessage[] = system ? [{ role: 'system', content: system }] : [];
  const reply = async (content: string): Promise<ChatResult> => {
    messages.push({ role: 'user', content });
    const result = await session.generate(messages, sampling, {
      onToken: json ? undefined : (d) => { if (d.text) process.stdout.write(d.text); },
    });
    messages.push({ role: 'assistant', content: result.text });
    // The same seed on every turn would make each reply start the same way; follow on from this one.
    if (sampling.seed !== undefined) sampling.seed = (result.stats.seed + 1) >>> 0;
    return result;
  };

  if (!interactive) {
    const result = await reply(prompt!);
    if (json) process.stdout.write(JSON.stringify({ text: result.text, tokens: result.tokens, stats: result.stats }) + '\n');
    else printStats(result, model, engine.threads);
    return;
  }
  if (prompt !== undefined) printStats(await reply(prompt), model, engine.threads);
  const lines = createInterface({ input: process.stdin, terminal: false });
  const ask = () => { if (process.stdin.isTTY) process.stderr.write('> '); };
  ask();
  for await (const line of lines) {
    if (line.trim()) printStats(await reply(line), model, engine.threads);
    ask();
  }
}

/** Subcommands by name. */
const COMMANDS: Record<string, (args: ParsedArgs) => Promise<void>> = { info, logits, tokenize, generate, serve, share };

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const run = command ? COMMANDS[command] : undefined;
  if (!run) usage(command ? `unknown command '${command}'` : undefined);
  await run(parseArgs(rest));
}

main().then(
  () => process.exit(0), // the engine's pthread workers would keep Node alive
  (e: unknown) => {
    if (e instanceof TritError) console.error(`error (${e.code}): ${e.message}\n${e.hint}`);
    else console.error(e);
    process.exit(1);
  },
);
