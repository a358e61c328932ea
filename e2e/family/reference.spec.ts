// Every BitNet-family reference model in Chromium, in the app's engine worker: logits at every position, token by
// token and as one batch, at 1 and 2 threads, against bitnet.cpp's (the criterion of test/fixtures/REFERENCE.md).
// The page is served by Vite from the source tree with the cross-origin isolation headers, as the benchmark's is.
import { expect, test } from '@playwright/test';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ViteDevServer } from 'vite';
import { FAMILY_MODELS, compareWithReference } from '../../test/engine/helpers';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const port = Number(process.env.TRIT_E2E_PORT ?? 4173) + 2;
let server: ViteDevServer;

test.beforeAll(async () => {
  const { createServer } = await import('vite');
  server = await createServer({
    root, logLevel: 'error', configFile: join(root, 'vite.config.ts'),
    // No file watching or HMR: a build or test run writing files into this tree beside a long run must not reload
    // the page mid-measurement (it did: "Execution context was destroyed").
    server: { port, strictPort: true, hmr: false, watch: null, headers: {
      'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin',
    } },
  });
  await server.listen();
});
test.afterAll(async () => { await server?.close(); });

test('every family model matches bitnet.cpp in the Chromium worker, token by token and as a batch, at 1 and 2 threads', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(`http://localhost:${port}/e2e/family/reference.html`);
  await page.waitForFunction(() => typeof window.tritFamilyLogits === 'function');
  for (const [name, model] of Object.entries(FAMILY_MODELS)) {
    for (const threads of [1, 2]) {
      const r = await page.evaluate((o) => window.tritFamilyLogits(o), { url: `/test/fixtures/family/${model.file}`, ids: model.input_ids, threads });
      expect(r.crossOriginIsolated).toBe(true);
      expect(r.threads).toBe(threads);
      expect(r.architecture).toBe(model.architecture);
      const ours = { sequential: new Float32Array(r.sequential), batch: new Float32Array(r.batch) };
      for (const c of compareWithReference(ours, model, 'family/')) {
        console.log(`chromium ${name} t=${threads}: corr>=${c.minCorrelation.toFixed(5)} maxdiff=${c.maxAbsDiff.toFixed(4)}`);
        expect(c.minCorrelation, name).toBeGreaterThanOrEqual(0.998);
        expect(c.maxAbsDiff, name).toBeLessThanOrEqual(0.35);
        expect(c.top1Mismatches, name).toEqual([]);
      }
    }
  }
});

// The relaxed dot kernel has two forms (cpp/src/i2s_dot.cpp): i16 lanes, which this x86 machine runs faster and the
// engine picks here, and the i32 dot-add, one SDOT on ARM phones, which a device that runs it faster picks. Both are
// integer-exact, so the logits of every family model must be the same bit for bit whichever form ran.
test('both forms of the dot kernel give every family model the same logits bit for bit in Chromium', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(`http://localhost:${port}/e2e/family/reference.html`);
  await page.waitForFunction(() => typeof window.tritFamilyLogits === 'function');
  for (const [name, model] of Object.entries(FAMILY_MODELS)) {
    const runs = [];
    for (const i2sKernel of ['relaxed-dot', 'relaxed-dot-add'] as const) {
      const r = await page.evaluate((o) => window.tritFamilyLogits(o), { url: `/test/fixtures/family/${model.file}`, ids: model.input_ids, threads: 2, i2sKernel });
      expect(r.i2sKernel, name).toBe(i2sKernel);
      runs.push(r);
    }
    expect(runs[1].sequential, name).toEqual(runs[0].sequential);
    expect(runs[1].batch, name).toEqual(runs[0].batch);
  }
});
