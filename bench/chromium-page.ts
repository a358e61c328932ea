// Runs the engine exactly as the app does (its worker, through Comlink) and hands the numbers to bench/run.ts.
import { createEngineClient } from '../src/lib/engine/client';
import type { BenchmarkResult } from '../src/lib/engine/protocol';

declare global {
  interface Window {
    runTritBenchmark(opts: { url: string; threads: number; promptTokens: number; generateTokens: number; nCtx: number; rounds: number; kvCache?: 'f16' | 'int8' }): Promise<BenchmarkResult & { crossOriginIsolated: boolean }>;
  }
}

window.runTritBenchmark = async ({ url, threads, promptTokens, generateTokens, nCtx, rounds, kvCache }) => {
  const client = createEngineClient();
  try {
    const status = await client.api.init({ threads });
    // As a file (the Blob Chromium keeps on disk), like a stored model: the input embedding stays in it.
    const file = await (await fetch(url)).blob();
    await client.api.loadModel({ kind: 'file', file, name: url.split('/').pop() }, { nCtx, kvCache });
    const result = await client.api.benchmark({ promptTokens, generateTokens, threads, rounds });
    return { ...result, crossOriginIsolated: status.crossOriginIsolated };
  } finally {
    client.terminate();
  }
};
