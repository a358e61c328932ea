// Runs the engine exactly as the app does (its worker, through Comlink) and hands the numbers to bench/run.ts.
import { createEngineClient } from '../src/lib/engine/client';
import type { BenchmarkResult } from '../src/lib/engine/protocol';

declare global {
  interface Window {
    runTritBenchmark(opts: { url: string; threads: number; promptTokens: number; generateTokens: number; nCtx: number; rounds: number; kvCache?: 'f16' | 'int8' }): Promise<BenchmarkResult & { crossOriginIsolated: boolean }>;
  }
}

const PIECE_BYTES = 256 << 20;

window.runTritBenchmark = async ({ url, threads, promptTokens, generateTokens, nCtx, rounds, kvCache }) => {
  const client = createEngineClient();
  try {
    const status = await client.api.init({ threads });
    // As a file (the Blob Chromium keeps on disk), like a stored model: the input embedding stays in it. Fetched in
    // 256 MiB ranges composed into one Blob (nothing copied): one fetch of a 3.9 GB file failed in Chromium.
    const size = Number((await fetch(url, { method: 'HEAD' })).headers.get('content-length'));
    const parts: Blob[] = [];
    for (let at = 0; at < size; at += PIECE_BYTES) {
      const end = Math.min(size, at + PIECE_BYTES) - 1;
      const piece = await fetch(url, { headers: { Range: `bytes=${at}-${end}` } });
      if (piece.status !== 206) throw new Error(`range ${at}-${end} of ${url}: HTTP ${piece.status}`);
      parts.push(await piece.blob());
    }
    const file = new Blob(parts);
    await client.api.loadModel({ kind: 'file', file, name: url.split('/').pop() }, { nCtx, kvCache });
    const result = await client.api.benchmark({ promptTokens, generateTokens, threads, rounds });
    return { ...result, crossOriginIsolated: status.crossOriginIsolated };
  } finally {
    client.terminate();
  }
};
