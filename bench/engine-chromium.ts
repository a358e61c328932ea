/**
 * Engine speed in headless Chromium, the way the app runs it (its worker, through Comlink; bench/chromium-page.ts),
 * served by Vite with the cross-origin isolation headers. One browser per run, so peak memory is per run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchmarkResult } from '../src/lib/engine/protocol';
import { launchOptions } from '../playwright.config';
import type { StoredLoadTiming } from './chromium-page';
import { rendererRssBytes } from './renderer-memory';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface ChromiumBenchRun {
  model: string;
  threads: number;
  promptTokens: number;
  generateTokens: number;
  nCtx: number;
  rounds: number;
  kvCache?: 'f16' | 'int8';
  head?: 'int8' | 'int6' | 'int4';
  /** Import the file into IndexedDB first and load it from there, timing ready and the first token. */
  stored?: boolean;
  /** A form of the relaxed dot kernel instead of the one the engine timed fastest. */
  i2sKernel?: 'relaxed-dot' | 'relaxed-dot-add';
}

/** Runs each benchmark in its own browser; `extraArgs` go to Chromium (e.g. `--js-flags=--perf-prof`). */
/** A run's result, with the renderer's resident memory after the run where /proc tells it. */
export type ChromiumBenchResult = BenchmarkResult & { stored?: StoredLoadTiming; loadMs?: number; rendererRssBytes?: number };

export async function benchEngineChromium(runs: ChromiumBenchRun[], extraArgs: string[] = [], port = 5299): Promise<ChromiumBenchResult[]> {
  const { createServer } = await import('vite');
  const { chromium } = await import('@playwright/test');
  const server = await createServer({
    root, logLevel: 'error', configFile: join(root, 'vite.config.ts'),
    // No file watching or HMR: a build or test run writing files into this tree beside a long run must not reload
    // the page mid-measurement (it did: "Execution context was destroyed").
    server: { port, strictPort: true, hmr: false, watch: null, headers: {
      'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin',
    } },
  });
  await server.listen();
  const results: ChromiumBenchResult[] = [];
  try {
    for (const run of runs) {
      // A persistent profile: its Blobs can live on disk (an incognito context keeps them in memory, which refused
      // the 3.9 GB Llama3-8B file); the model is handed to the worker as such a Blob.
      const profile = mkdtempSync(join(tmpdir(), 'trit-bench-'));
      const browser = await chromium.launchPersistentContext(profile, { ...launchOptions, args: [...launchOptions.args, ...extraArgs] });
      try {
        const page = await browser.newPage();
        page.setDefaultTimeout(30 * 60_000);
        await page.exposeFunction('tritRendererRss', () => rendererRssBytes(profile));
        await page.goto(`http://localhost:${port}/bench/chromium.html`);
        await page.waitForFunction(() => typeof window.runTritBenchmark === 'function');
        const url = '/' + relative(root, run.model).split('\\').join('/');
        const { model: _model, ...opts } = run;
        const r = await page.evaluate((o) => window.runTritBenchmark(o), { url, ...opts });
        if (!r.crossOriginIsolated) throw new Error('benchmark page was not cross-origin isolated');
        const { crossOriginIsolated: _ignored, ...result } = r;
        results.push(result);
      } finally {
        await browser.close();
        rmSync(profile, { recursive: true, force: true });
      }
    }
  } finally {
    await server.close();
  }
  return results;
}
