/** Shared steps for the app's end-to-end tests. */
import { expect, type Page } from '@playwright/test';
import { resolve } from 'node:path';
import { startModelHost as startSharedHost } from '../support/hosts';

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

/** Sets a Settings field by its label as typing into it and leaving it does, waits for "Saved", closes Settings. */
export async function saveSetting(page: Page, label: string, value: string): Promise<void> {
  await page.getByTestId('open-settings').click();
  const field = page.getByLabel(label);
  await field.fill(value);
  await field.blur();
  await expect(page.getByTestId('settings-saved')).toHaveText('Saved');
  await page.keyboard.press('Escape');
}

/** Opens the chat list (a drawer on narrow screens; always visible on wide ones). */
export async function showConversations(page: Page): Promise<void> {
  const toggle = page.getByTestId('toggle-sidebar');
  if (await toggle.isVisible()) {
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  }
}

/** A model host on another origin (the shared one in e2e/support/hosts.ts) serving `file` as /tiny.gguf: the only
 * place besides the app itself that the app may contact. */
export async function startModelHost(
  file = resolve(import.meta.dirname, '../../test/fixtures/small.gguf'),
): Promise<{ origin: string; close: () => Promise<void> }> {
  return startSharedHost({ files: { 'tiny.gguf': file } });
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

/** Deletes one record of the app's IndexedDB, as the browser does when it evicts (e.g. a model's shard). */
export function deleteRecord(page: Page, db: string, store: string, key: string): Promise<void> {
  return page.evaluate(
    ([db, store, key]) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open(db);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(store, 'readwrite');
          tx.objectStore(store).delete(key);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
      }),
    [db, store, key] as const,
  );
}

/** Slows the page's CPU as a cheap tablet would be (1 = full speed), through the DevTools protocol. */
export async function throttleCpu(page: Page, rate: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
}
