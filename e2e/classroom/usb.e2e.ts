/** The USB path at phone size: a file from the stick, checked against the checksum the classroom computer shows. */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sha256File, shot } from './steps';

const SMALL = resolve(import.meta.dirname, '../../test/fixtures/small.gguf');

test('a copy that does not match the typed checksum is refused; the right one is kept as checked', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/');
  await page.getByTestId('model-chip').click();
  const file = { name: 'from-usb.gguf', mimeType: 'application/octet-stream', buffer: readFileSync(SMALL) };
  await page.getByText('Checksum (sha256) from the classroom computer, if you have it').click();
  const checksum = page.getByRole('textbox', { name: 'Checksum (sha256) from the classroom computer, if you have it' });
  await checksum.fill('0'.repeat(64));
  await page.getByLabel('Add a model from a file').setInputFiles(file);
  await expect(page.getByTestId('import-error')).toContainText('does not match the checksum you gave');
  await shot(page, testInfo, 'phone-usb-checksum-mismatch');
  await expect(page.locator('[data-testid^="model-file-from-usb"]')).toHaveCount(0);

  await checksum.fill(sha256File(SMALL));
  await page.getByLabel('Add a model from a file').setInputFiles(file);
  const card = page.locator('[data-testid^="model-file-from-usb"]');
  await expect(card).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(card.getByTestId('model-integrity')).toContainText('matches the checksum');
});
