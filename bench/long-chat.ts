/**
 * A long conversation in Node: `turns` turns at an `nCtx`-token context, each a fixed question and a reply of up to
 * `replyTokens` tokens, through the same ChatSession the app uses. Reports per turn the prompt tokens, the tokens
 * that had to be evaluated (the rest came from the KV cache) and the seconds the turn took, and sums them before
 * and after the first turn whose oldest exchanges were dropped to fit the context.
 * Usage: tsx bench/long-chat.ts <model.gguf> [turns=50] [nCtx=2048] [threads=2] [replyTokens=48]; prints JSON.
 */
import type { ChatMessage } from '../src/lib/chat/types';
import { createChat } from '../src/lib/engine/chat-factory';
import { createNodeEngine, loadModelFile } from '../src/lib/engine/node';

export interface LongChatTurn {
  promptTokens: number;
  evaluatedPromptTokens: number;
  generatedTokens: number;
  droppedMessages: number;
  seconds: number;
}

export interface LongChatPhase {
  turns: number;
  meanEvaluatedTokens: number;
  meanSecondsPerTurn: number;
  /** Evaluated prompt tokens as a share of all prompt tokens in this phase. */
  evaluatedFraction: number;
}

export interface LongChatReport {
  nCtx: number;
  threads: number;
  firstOverflowTurn: number;
  beforeOverflow: LongChatPhase;
  afterOverflow: LongChatPhase;
  turns: LongChatTurn[];
}

function phase(turns: LongChatTurn[]): LongChatPhase {
  const sum = (f: (t: LongChatTurn) => number) => turns.reduce((n, t) => n + f(t), 0);
  const n = Math.max(1, turns.length);
  return {
    turns: turns.length,
    meanEvaluatedTokens: sum((t) => t.evaluatedPromptTokens) / n,
    meanSecondsPerTurn: sum((t) => t.seconds) / n,
    evaluatedFraction: sum((t) => t.evaluatedPromptTokens) / Math.max(1, sum((t) => t.promptTokens)),
  };
}

export async function benchLongChat(model: string, opts: { turns?: number; nCtx?: number; threads?: number; replyTokens?: number } = {}): Promise<LongChatReport> {
  const turns = opts.turns ?? 50, nCtx = opts.nCtx ?? 2048, threads = opts.threads ?? 2, replyTokens = opts.replyTokens ?? 48;
  const engine = await createNodeEngine({ threads });
  const { metadata } = await loadModelFile(engine, model, nCtx);
  const { session } = createChat(engine, metadata);
  const messages: ChatMessage[] = [{ role: 'system', content: 'You are a patient teacher. Answer in two sentences.' }];
  const log: LongChatTurn[] = [];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: 'user', content: `Question ${i + 1}: why does the moon look different on different nights of the month?` });
    const started = performance.now();
    const r = await session.generate(messages, {
      temperature: 0, topK: 1, topP: 1, minP: 0, repeatPenalty: 1, repeatLastN: 64, seed: 1, maxTokens: replyTokens,
    });
    log.push({
      promptTokens: r.stats.promptTokens,
      evaluatedPromptTokens: r.stats.evaluatedPromptTokens,
      generatedTokens: r.stats.generatedTokens,
      droppedMessages: r.stats.droppedMessages,
      seconds: (performance.now() - started) / 1000,
    });
    messages.push({ role: 'assistant', content: r.text });
  }
  engine.unload();
  const first = log.findIndex((t) => t.droppedMessages > 0);
  const split = first < 0 ? log.length : first;
  return {
    nCtx, threads,
    firstOverflowTurn: first < 0 ? -1 : first + 1,
    beforeOverflow: phase(log.slice(0, split)),
    afterOverflow: phase(log.slice(split)),
    turns: log,
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [model, turns, nCtx, threads, replyTokens] = process.argv.slice(2);
  const report = await benchLongChat(model, {
    turns: turns ? Number(turns) : undefined, nCtx: nCtx ? Number(nCtx) : undefined,
    threads: threads ? Number(threads) : undefined, replyTokens: replyTokens ? Number(replyTokens) : undefined,
  });
  console.log(JSON.stringify(report));
  process.exit(0);
}
