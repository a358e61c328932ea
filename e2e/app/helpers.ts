/** Shared steps for the app's end-to-end tests. */
import { expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';

export async function waitForServiceWorkerControl(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, undefined, { timeout: 60_000 });
}

/** The model chip says "ready" once the demo model (or the saved choice) has loaded in the engine. */
export async function waitForModelReady(page: Page): Promise<void> {
  const chip = page.getByTestId('model-chip');
  await expect(chip).toHaveAttribute('data-phase', /ready|error/, { timeout: 120_000 });
  if ((await chip.getAttribute('data-phase')) === 'error') {
    throw new Error(`the model did not load: ${await page.getByTestId('model-error').innerText()}`);
  }
}

/** Sends a message and waits for the complete reply; returns the reply's element. */
export async function sendAndWaitForReply(page: Page, text: string) {
  const replies = page.getByTestId('message-assistant');
  const before = await replies.count();
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
  const reply = replies.nth(before);
  await expect(reply).toHaveAttribute('data-pending', 'false', { timeout: 120_000 });
  await expect(reply).toHaveAttribute('data-stop-reason', /.+/);
  return reply;
}

/** Opens the chat list (a drawer on narrow screens; always visible on wide ones). */
export async function showConversations(page: Page): Promise<void> {
  const toggle = page.getByTestId('toggle-sidebar');
  if (await toggle.isVisible()) {
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  }
}

/** A model host on another origin: the only place besides the app itself that the app may contact. */
export async function startModelHost(
  file = resolve(import.meta.dirname, '../../test/fixtures/small.gguf'),
): Promise<{ origin: string; close: () => void }> {
  const model = readFileSync(file);
  const server = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Range');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, Accept-Ranges');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Accept-Ranges', 'bytes');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (req.url !== '/tiny.gguf') return void res.writeHead(404).end();
    const m = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] ? Math.min(Number(m[2]) + 1, model.length) : model.length;
    res.writeHead(m ? 206 : 200, {
      'Content-Length': String(end - start),
      ...(m ? { 'Content-Range': `bytes ${start}-${end - 1}/${model.length}` } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : model.subarray(start, end));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}


/** Reads one record of the app's IndexedDB (settings: 'trit-settings'/'settings'; chats: 'trit-conversations'/'conversations'). */
export function readRecord(page: Page, db: string, store: string, key: string): Promise<unknown> {
  return page.evaluate(
    ([db, store, key]) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open(db);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction(store).objectStore(store).get(key);
          get.onsuccess = () => resolve(get.result);
          get.onerror = () => reject(get.error);
        };
      }),
    [db, store, key] as const,
  );
}

/** Writes one record as the app would have stored it (the app must have created the database: call after it started). */
export function writeRecord(page: Page, db: string, store: string, key: string, value: unknown): Promise<void> {
  return page.evaluate(
    ([db, store, key, value]) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open(db);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(store, 'readwrite');
          tx.objectStore(store).put(value, key);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
      }),
    [db, store, key, value] as const,
  );
}

/** Slows the page's CPU as a cheap tablet would be (1 = full speed), through the DevTools protocol. */
export async function throttleCpu(page: Page, rate: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
}
