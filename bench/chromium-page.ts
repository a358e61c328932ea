// Runs the engine exactly as the app does (its worker, through Comlink) and hands the numbers to bench/run.ts.
import { createEngineClient } from '../src/lib/engine/client';
import type { BenchmarkResult, LoadPhases } from '../src/lib/engine/protocol';
import { getModelStore } from '../src/lib/store';

export interface StoredLoadTiming {
  /** Import of the file into IndexedDB (not part of the person's wait: done once, at download). */
  importMs: number;
  /** "Use this model" to ready: the stored model loaded in the worker. */
  readyMs: number;
  /** Ready to the first reply token: a 32-token prompt evaluated and one token generated. */
  firstTokenMs: number;
  /** The loaded model's memory plan. */
  plannedBytes: number;
  /** Where the ready time went (header, waiting for IndexedDB, copying, finishing). */
  phases: LoadPhases;
}

declare global {
  interface Window {
    runTritBenchmark(opts: { url: string; threads: number; promptTokens: number; generateTokens: number; nCtx: number; rounds: number; kvCache?: 'f16' | 'int8'; head?: 'int8' | 'int6' | 'int4'; stored?: boolean; i2sKernel?: 'relaxed-dot' | 'relaxed-dot-add' }): Promise<BenchmarkResult & { crossOriginIsolated: boolean; stored?: StoredLoadTiming; loadMs?: number; rendererRssBytes?: number }>;
    /** Set by bench/engine-chromium.ts: the renderer's resident memory, read by the Node side from /proc. */
    tritRendererRss?: () => Promise<number | undefined>;
  }
}

const PIECE_BYTES = 256 << 20;

/** The model as a file (the Blob Chromium keeps on disk), fetched in 256 MiB ranges composed into one Blob (nothing
 * copied): one fetch of a 3.9 GB file failed in Chromium. */
async function fetchAsBlob(url: string): Promise<Blob> {
  const size = Number((await fetch(url, { method: 'HEAD' })).headers.get('content-length'));
  const parts: Blob[] = [];
  for (let at = 0; at < size; at += PIECE_BYTES) {
    const end = Math.min(size, at + PIECE_BYTES) - 1;
    const piece = await fetch(url, { headers: { Range: `bytes=${at}-${end}` } });
    if (piece.status !== 206) throw new Error(`range ${at}-${end} of ${url}: HTTP ${piece.status}`);
    parts.push(await piece.blob());
  }
  return new Blob(parts);
}

window.runTritBenchmark = async ({ url, threads, promptTokens, generateTokens, nCtx, rounds, kvCache, head, stored, i2sKernel }) => {
  const client = createEngineClient();
  try {
    const status = await client.api.init({ threads, i2sKernel });
    const file = await fetchAsBlob(url);
    let timing: StoredLoadTiming | undefined;
    let loadMs: number | undefined;
    if (stored) {
      // As the app does it: the file in IndexedDB, then "Use this model" loads it from there.
      const t0 = performance.now();
      const view = await getModelStore().import(Object.assign(file, { name: url.split('/').pop() }));
      const importMs = performance.now() - t0;
      const t1 = performance.now();
      const info = await client.api.loadModel({ kind: 'stored', modelId: view.id }, { nCtx, kvCache, head });
      const readyMs = performance.now() - t1;
      // A 32-token prompt and one generated token, as the engine measures them (no warm-up: the first ones).
      const first = await client.api.benchmark({ promptTokens: 32, generateTokens: 1, threads, rounds: 1, bandwidth: false });
      const firstTokenMs = (32 / first.promptTokensPerSecond + 1 / first.generationTokensPerSecond) * 1000;
      timing = { importMs, readyMs, firstTokenMs, plannedBytes: info.memoryBytes, phases: info.loadPhases };
    } else {
      // The file (a Blob on disk) to a ready engine: what an added file costs before its first reply.
      const t0 = performance.now();
      await client.api.loadModel({ kind: 'file', file, name: url.split('/').pop() }, { nCtx, kvCache, head });
      loadMs = performance.now() - t0;
    }
    const result = await client.api.benchmark({ promptTokens, generateTokens, threads, rounds, bandwidth: false });
    // The renderer's memory before the bandwidth test, whose 256 MiB buffer would stay in the (never shrinking) heap.
    const rendererRssBytes = await window.tritRendererRss?.();
    const { bandwidthGBps } = await client.api.benchmark({ promptTokens: 1, generateTokens: 1, threads, rounds: 1 });
    return { ...result, bandwidthGBps, loadMs, rendererRssBytes, crossOriginIsolated: status.crossOriginIsolated, stored: timing };
  } finally {
    client.terminate();
  }
};
