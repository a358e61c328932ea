/**
 * Trit's command line, on the Node build of the engine (run: npm run cli -- <command> ...).
 *   info <model.gguf> [--ctx N]                       metadata, tensor table, memory needed
 *   logits --model <gguf> --tokens 1,2,3 [--threads N] [--batch] [--ctx N]
 *        prints one JSON object {"n_vocab": V, "logits": [[V floats] per input position]}; token by token by
 *        default (as in generation), all at once with --batch (as in prompt processing)
 * Add further subcommands (generate, tokenize) to COMMANDS below.
 */
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { createNodeEngine, loadModelFile } from '../src/lib/engine/node';
import { EngineError } from '../src/lib/engine/errors';
import type { MetadataValue, WasmEngine } from '../src/lib/engine/wasm-engine';

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

function usage(problem?: string): never {
  if (problem) console.error(`error: ${problem}`);
  console.error('usage: npm run cli -- info <model.gguf> [--ctx N]\n' +
    '       npm run cli -- logits --model <model.gguf> --tokens 1,2,3 [--threads N] [--batch] [--ctx N]');
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
  for (const [k, v] of Object.entries(r.metadata)) console.log(`  ${k} = ${describeValue(v)}`);
  console.log(`\ntensors (${r.tensors.length}):`);
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
  const model = await loadModelFile(engine, path, intOption(args, 'ctx', 0) || Math.min(4096, Math.max(tokens.length, 64)));
  const rows: number[][] = [];
  if (args.options.get('batch')) {
    const all = engine.eval(tokens, { allLogits: true });
    for (let i = 0; i < tokens.length; i++) rows.push(Array.from(all.subarray(i * model.nVocab, (i + 1) * model.nVocab)));
  } else {
    for (const t of tokens) rows.push(Array.from(engine.eval([t])));
  }
  process.stdout.write(JSON.stringify({ n_vocab: model.nVocab, logits: rows }) + '\n');
}

/** Subcommands by name. generate and tokenize are added here by the tokenizer/chat work. */
const COMMANDS: Record<string, (args: ParsedArgs) => Promise<void>> = { info, logits };

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const run = command ? COMMANDS[command] : undefined;
  if (!run) usage(command ? `unknown command '${command}'` : undefined);
  await run(parseArgs(rest));
}

main().then(
  () => process.exit(0), // the engine's pthread workers would keep Node alive
  (e: unknown) => {
    if (e instanceof EngineError) console.error(`error (${e.code}): ${e.message}\n${e.hint}`);
    else console.error(e);
    process.exit(1);
  },
);
