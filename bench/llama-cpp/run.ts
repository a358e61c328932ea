/**
 * One native peer run: upstream llama.cpp (the prebuilt CPU build node-llama-cpp ships, its best kernels for this CPU)
 * on a model converted by convert.ts, measured as src/lib/engine/benchmark.ts measures Trit: the same prompt tokens,
 * an 8-token warm-up, then per round one prompt batch and greedy generation one token at a time, best of the rounds.
 * Prints one JSON line. Usage: tsx bench/llama-cpp/run.ts <install dir> <model.gguf> <threads,...> <prompt> <generate> <nCtx> <rounds>
 */
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readGgufHeader } from '../../tools/gguf/file-header';
import { benchmarkPrompt } from '../../src/lib/engine/benchmark';

// The few parts of node-llama-cpp used here (it is installed outside the project, in bench/out, only for the benchmark).
interface Sequence {
  evaluate(tokens: number[], options: { temperature: number }): AsyncGenerator<number>;
  clearHistory(): Promise<void>;
}
interface Context { getSequence(): Sequence; dispose(): Promise<void> }
interface Model { createContext(o: { contextSize: number; threads: number; batchSize: number; sequences: number }): Promise<Context>; tokens: { eos: number | null } }
interface Llama { loadModel(o: { modelPath: string }): Promise<Model>; systemInfo: string }
interface NodeLlamaCpp {
  getLlama(o: { gpu: false; build: 'never'; logLevel: unknown; logger?: (level: unknown, message: string) => void }): Promise<Llama>;
  LlamaLogLevel: { error: unknown };
}

export interface PeerRun { threads: number; promptTokensPerSecond: number; generationTokensPerSecond: number }
export interface PeerReport { runs: PeerRun[]; peakRssBytes: number; loadMs: number; cpuFeatures: string; version: string }

const [installDir, modelPath, threadList, promptArg, generateArg, nCtxArg, roundsArg] = process.argv.slice(2);
const moduleDir = join(installDir!, 'node_modules/node-llama-cpp');
const lib = (await import(pathToFileURL(join(moduleDir, 'dist/index.js')).href)) as NodeLlamaCpp;
const version = (JSON.parse(readFileSync(join(moduleDir, 'package.json'), 'utf8')) as { version: string }).version;
const llama = await lib.getLlama({ gpu: false, build: 'never', logLevel: lib.LlamaLogLevel.error });
const t0 = performance.now();
const model = await llama.loadModel({ modelPath: modelPath! });
const loadMs = performance.now() - t0;

const promptTokens = Number(promptArg), generateTokens = Number(generateArg), rounds = Math.max(1, Number(roundsArg));
const file = await open(modelPath!, 'r');
const header = await readGgufHeader(file, (await file.stat()).size);
await file.close();
const nVocab = (header.kv.find(([k]) => k === 'tokenizer.ggml.tokens')?.[2] as unknown[]).length;
const prompt = benchmarkPrompt(nVocab, promptTokens);

/** Time to the first generated token (the prompt batch) and the next `generateTokens` decode steps. */
async function round(sequence: Sequence, tokens: number[], generate: number): Promise<{ promptMs: number; generateMs: number }> {
  const it = sequence.evaluate(tokens, { temperature: 0 })[Symbol.asyncIterator]();
  let t = performance.now();
  await it.next();
  const promptMs = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < generate; i++) await it.next();
  const generateMs = performance.now() - t;
  await it.return(undefined);
  await sequence.clearHistory();
  return { promptMs, generateMs };
}

const runs: PeerRun[] = [];
for (const threads of threadList!.split(',').map(Number)) {
  const context = await model.createContext({ contextSize: Number(nCtxArg), threads, batchSize: 512, sequences: 1 });
  const sequence = context.getSequence();
  await round(sequence, prompt.slice(0, 8), 0); // warm-up, as Trit's benchmark does
  let promptMs = Infinity, generateMs = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = await round(sequence, prompt, generateTokens);
    promptMs = Math.min(promptMs, t.promptMs);
    generateMs = Math.min(generateMs, t.generateMs);
  }
  runs.push({ threads, promptTokensPerSecond: promptTokens / (promptMs / 1000), generationTokensPerSecond: generateTokens / (generateMs / 1000) });
  await context.dispose();
}
// The process's peak resident memory (the model is memory-mapped, as llama.cpp and bitnet.cpp do by default).
const peakRssBytes = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
const report: PeerReport = { runs, peakRssBytes, loadMs, cpuFeatures: llama.systemInfo.trim(), version };
console.log(JSON.stringify(report));
process.exit(0);
