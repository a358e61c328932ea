/**
 * Trit as a Web Share Target: a model file shared to the installed app arrives as the OS sends it, a multipart POST
 * to the manifest's action, taken by the service worker; the app imports and checks it like any import. A file that
 * is not a model is refused with words, and nothing of it is kept.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { waitForServiceWorkerControl } from '../app/helpers';
import { sha256File, shot, storedSha256 } from './steps';

const SMALL = resolve(import.meta.dirname, '../../test/fixtures/small.gguf');

/** What the OS does on "Share to Trit": a form POST of multipart/form-data to the share_target action. */
async function shareToTrit(page: Page, name: string, buffer: Buffer) {
  const manifest = await page.evaluate(async () => {
    const link = document.querySelector<HTMLLinkElement>('link[rel="manifest"]')!;
    return { href: link.href, json: await (await fetch(link.href)).json() };
  });
  const target = manifest.json.share_target;
  expect(target).toMatchObject({ method: 'POST', enctype: 'multipart/form-data' });
  const field = target.params.files[0].name;
  await page.evaluate(([action, field]) => {
    const form = document.createElement('form');
    form.method = 'POST';
    form.enctype = 'multipart/form-data';
    form.action = action;
    const input = Object.assign(document.createElement('input'), { type: 'file', name: field, id: 'os-share' });
    form.append(input);
    document.body.append(form);
  }, [new URL(target.action, manifest.href).href, field]);
  await page.setInputFiles('#os-share', { name, mimeType: 'application/octet-stream', buffer });
  await Promise.all([page.waitForURL(/shared-model|\/$/), page.evaluate(() => document.querySelector<HTMLFormElement>('form:has(#os-share)')!.submit())]);
}

test('a .gguf shared to Trit is imported and checked; a file that is not a model is refused', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/');
  await waitForServiceWorkerControl(page);

  await shareToTrit(page, 'lesson model.gguf', readFileSync(SMALL));
  // The model manager opens and the import runs; the share's marker leaves the address.
  await expect(page.getByTestId('model-manager')).toBeVisible();
  const card = page.locator('[data-testid^="model-file-lesson-model"]');
  await expect(card).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  expect(new URL(page.url()).search).toBe('');
  expect(await storedSha256(page, card)).toBe(sha256File(SMALL));
  await shot(page, testInfo, 'phone-shared-model-imported');

  await page.goto('/');
  await waitForServiceWorkerControl(page);
  await shareToTrit(page, 'notes.gguf', Buffer.from('These are my lesson notes for Tuesday, not a model.\n'.repeat(50)));
  const refused = page.getByTestId('import-error');
  await expect(refused).toBeInViewport({ timeout: 30_000 });
  await expect(refused).toContainText('This file is not a GGUF model');
  await shot(page, testInfo, 'phone-shared-not-a-model');
  // On a slow device the list above can still be filling in after the refusal shows, on a page that was too short to
  // scroll when it was brought into view: that growth must not push the refusal out of sight.
  await refused.evaluate((note) => {
    for (let box: Element | null = note; box; box = box.parentElement) box.scrollTop = 0;
    document.scrollingElement!.scrollTop = 0;
    const lateRows = Object.assign(document.createElement('li'), { style: 'height: 1600px', ariaHidden: 'true' });
    document.querySelector('[data-testid="model-manager"] ul')!.prepend(lateRows);
  });
  await expect(refused).toBeInViewport();
  await expect(page.locator('[data-testid^="model-file-notes"]')).toHaveCount(0);
  // The earlier model is still there.
  await expect(card).toHaveAttribute('data-state', 'ready');
});
