/**
 * Hand to hand: "Share this model" gives the device's share sheet the stored file, built from its shards; where the
 * browser has no file sharing and no save picker, "Save to a file" downloads it and says where it went.
 * Chromium on Linux has no share sheet, so the page is given one that records what it was handed, as Android's would
 * receive it; what is checked is the file Trit hands over.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sha256File, shot } from './steps';

const SMALL = resolve(import.meta.dirname, '../../test/fixtures/small.gguf');

async function importSmall(page: Page) {
  await page.goto('/');
  await page.getByTestId('model-chip').click();
  await page.getByLabel('Add a model from a file').setInputFiles({ name: 'lesson.gguf', mimeType: 'application/octet-stream', buffer: readFileSync(SMALL) });
  const card = page.locator('[data-testid^="model-file-lesson"]');
  await expect(card).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  return card;
}

test('Share this model hands the whole stored file to the share sheet', async ({ page }, testInfo) => {
  await page.addInitScript(() => {
    const w = window as unknown as { sharedFile?: Promise<{ name: string; size: number; sha256: string }> };
    Object.assign(navigator, {
      canShare: (d: ShareData) => (d.files?.length ?? 0) === 1,
      share: async (d: ShareData) => {
        const f = d.files![0];
        w.sharedFile = crypto.subtle.digest('SHA-256', await f.arrayBuffer()).then((h) => ({
          name: f.name,
          size: f.size,
          sha256: Array.from(new Uint8Array(h), (b) => b.toString(16).padStart(2, '0')).join(''),
        }));
      },
    });
  });
  await page.setViewportSize({ width: 360, height: 740 });
  const card = await importSmall(page);
  await card.getByRole('button', { name: 'Share this model' }).click();
  const shared = await page.waitForFunction(() => (window as unknown as { sharedFile?: unknown }).sharedFile);
  const got = await shared.evaluate((p) => p as Promise<{ name: string; size: number; sha256: string }>);
  expect(got).toEqual({ name: 'lesson.gguf', size: readFileSync(SMALL).length, sha256: sha256File(SMALL) });
  await shot(page, testInfo, 'phone-share-this-model');
});

test('without file sharing or a save picker, Save to a file downloads it and says where it went', async ({ page }, testInfo) => {
  await page.addInitScript(() => {
    delete (window as unknown as { showSaveFilePicker?: unknown }).showSaveFilePicker;
  });
  const card = await importSmall(page);
  await expect(card.getByRole('button', { name: 'Share this model' })).toHaveCount(0); // no share sheet here
  const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'Save to a file' }).click()]);
  expect(download.suggestedFilename()).toBe('lesson.gguf');
  expect(sha256File(await download.path())).toBe(sha256File(SMALL));
  await expect(card.getByRole('status')).toContainText('is saved as the file lesson.gguf');
  await expect(card.getByRole('status')).toContainText('Downloads folder');
  await shot(page, testInfo, 'laptop-export-where-it-went');
});
