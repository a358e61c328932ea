/**
 * Engine speed in WebKit (WebKitGTK's MiniBrowser under Xvfb, over WebDriver), the way the app runs it: the same
 * benchmark page as Chromium (bench/chromium.html: the engine in its worker, through Comlink), served by Vite with the
 * isolation headers. `sharedArrayBuffer` starts WebKit with JSC_useSharedArrayBuffer=1, the Safari-like case (WebKitGTK
 * withholds SharedArrayBuffer otherwise, so the app runs one thread); `jscOptions` adds other JSC_* options, e.g.
 * {useOMGJIT: '0'} to see what each wasm tier is worth. One browser per run, so peak memory is per run.
 */
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchmarkResult } from '../src/lib/engine/protocol';
import { openMiniBrowser, waitFor } from '../e2e/webkit/app-steps';
import { startWebDriver, startXvfb } from '../e2e/webkit/processes';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface WebKitBenchRun {
  model: string;
  threads: number;
  promptTokens: number;
  generateTokens: number;
  nCtx: number;
  rounds: number;
  sharedArrayBuffer: boolean;
  jscOptions?: Record<string, string>;
  /** As bench/engine-chromium.ts: the KV cache and lm_head formats (default: the engine's exact ones). */
  kvCache?: 'f16' | 'int8';
  head?: 'int8' | 'int6' | 'int4';
}

export type WebKitBenchResult = BenchmarkResult & { build: string };

export async function benchEngineWebKit(runs: WebKitBenchRun[], port = 5296): Promise<WebKitBenchResult[]> {
  const { createServer } = await import('vite');
  const server = await createServer({
    root, logLevel: 'error', configFile: join(root, 'vite.config.ts'),
    server: { port, strictPort: true, headers: {
      'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin',
    } },
  });
  await server.listen();
  const xvfb = await startXvfb();
  const results: WebKitBenchResult[] = [];
  try {
    for (const run of runs) {
      const env: Record<string, string> = {};
      if (run.sharedArrayBuffer) env.JSC_useSharedArrayBuffer = '1';
      for (const [k, v] of Object.entries(run.jscOptions ?? {})) env[`JSC_${k}`] = v;
      const driver = await startWebDriver(port + 1, xvfb.display, env);
      const s = await openMiniBrowser(driver.url);
      try {
        await s.navigate(`http://localhost:${port}/bench/chromium.html`);
        await waitFor('the benchmark page', () => s.execute<boolean>('return typeof window.runTritBenchmark === "function";'));
        const url = '/' + relative(root, run.model).split('\\').join('/');
        const { model: _m, sharedArrayBuffer: _s, jscOptions: _j, ...opts } = run;
        // Started, then polled: a 2B run takes minutes, longer than a WebDriver script should stay open.
        await s.execute(
          `window.__bench = undefined;
           window.runTritBenchmark(arguments[0]).then((r) => (window.__bench = { r }), (e) => (window.__bench = { e: String(e && e.stack || e) }));`,
          { url, ...opts },
        );
        const done = await waitFor('the benchmark', () => s.execute<{ r?: BenchmarkResult & { crossOriginIsolated: boolean }; e?: string } | null>('return window.__bench ?? null;'), 60 * 60_000);
        if (done.e) throw new Error(`WebKit benchmark failed: ${done.e}`);
        const { crossOriginIsolated: _c, ...result } = done.r!;
        const build = await s.execute<string>('return typeof SharedArrayBuffer === "function" ? "threaded" : "single-thread";');
        results.push({ ...result, build });
      } finally {
        await s.close();
        await driver.stop();
      }
    }
  } finally {
    await xvfb.stop();
    await server.close();
  }
  return results;
}
