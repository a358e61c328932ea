import { test, expect } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { waitForModelReady, waitForServiceWorkerControl } from './app/helpers';

test('offline, a deep link opens the app, and the demo model loads', async ({ page, context }) => {
  await page.goto('/');
  await waitForServiceWorkerControl(page);
  await waitForModelReady(page);

  await context.setOffline(true);
  await page.goto('/some/deep/link');
  await expect(page.getByRole('heading', { name: 'Trit', level: 1 })).toBeVisible();
  // The demo model is the app's own file: found from the app's address, not the deep link's folder.
  await waitForModelReady(page);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
});

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** The production build on a host whose model file never answers: the request is accepted and then nothing comes. */
async function startSilentModelHost(): Promise<{ url: string; server: Server }> {
  const root = resolve(import.meta.dirname, '..', process.env.TRIT_DIST ?? 'dist');
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.endsWith('.gguf')) return; // Never answered.
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    try {
      const file = normalize(join(root, path === '/' ? 'index.html' : path));
      if (!file.startsWith(root)) throw new Error('outside');
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

test.describe('with service workers blocked', () => {
  // Without a service worker nothing is precached, so the demo model comes from the silent host itself.
  test.use({ serviceWorkers: 'block' });

  test('a model server that never answers ends the load in an error with Try again, not a silent wait', async ({ page }) => {
    const { url, server } = await startSilentModelHost();
    try {
      await page.goto(url);
      const chip = page.getByTestId('model-chip');
      await expect(chip).toHaveAttribute('data-phase', 'loading', { timeout: 30_000 });
      // The load gives up after 20 s of silence (URL_SILENCE_MS).
      await expect(chip).not.toHaveAttribute('data-phase', 'loading', { timeout: 45_000 });
      const failure = page.getByTestId('model-error');
      await expect(failure).toBeVisible();
      await expect(failure.getByRole('button', { name: 'Try again' })).toBeVisible();
      await expect(failure.getByTestId('model-error-details')).toContainText('sent nothing for 20 s');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
