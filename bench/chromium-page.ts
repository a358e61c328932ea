// Runs the engine exactly as the app does (its worker, through Comlink) and hands the numbers to bench/run.ts.
import { createEngineClient } from '../src/lib/engine/client';
import type { BenchmarkResult } from '../src/lib/engine/protocol';

declare global {
  interface Window {
    runTritBenchmark(opts: { url: string; threads: number; promptTokens: number; generateTokens: number; nCtx: number; rounds: number }): Promise<BenchmarkResult & { crossOriginIsolated: boolean }>;
  }
}

window.runTritBenchmark = async ({ url, threads, promptTokens, generateTokens, nCtx, rounds }) => {
  const client = createEngineClient();
  try {
    const status = await client.api.init({ threads });
    await client.api.loadModel({ kind: 'url', url }, { nCtx });
    const result = await client.api.benchmark({ promptTokens, generateTokens, threads, rounds });
    return { ...result, crossOriginIsolated: status.crossOriginIsolated };
  } finally {
    client.terminate();
  }
};
