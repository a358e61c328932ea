/**
 * The USB path with the checksum scanned, not typed: Chromium's fake camera shows the checksum QR code that the
 * classroom computer's share page draws under each model (written here by the test with the same library), and the
 * copy from the stick is then checked against it.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { APP_URL } from './playwright.classroom.config';
import { writeQrVideo } from './qr-video';
import { fakeCamera, sha256File, shot, trackCameraStreams } from './steps';

const SMALL = resolve(import.meta.dirname, '../../test/fixtures/small.gguf');
const video = join(tmpdir(), `trit-usb-checksum-${new URL(APP_URL).port}.y4m`);
writeQrVideo(video, sha256File(SMALL));
test.use(fakeCamera(video));

test('the checksum scanned from the classroom computer fills the field, and the copy is kept as checked', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const cameraLive = await trackCameraStreams(page);
  await page.goto('/');
  await page.getByTestId('model-chip').click();
  await page.getByText('Checksum (sha256) from the classroom computer, if you have it').click();
  await page.getByRole('button', { name: 'Scan the checksum code' }).click();
  const checksum = page.getByRole('textbox', { name: 'Checksum (sha256) from the classroom computer, if you have it' });
  await expect(checksum).toHaveValue(sha256File(SMALL), { timeout: 30_000 });
  expect(await cameraLive()).toEqual(['ended']);
  await shot(page, testInfo, 'phone-usb-checksum-scanned');

  const file = { name: 'scanned-usb.gguf', mimeType: 'application/octet-stream', buffer: readFileSync(SMALL) };
  await page.getByLabel('Add a model from a file').setInputFiles(file);
  const card = page.locator('[data-testid^="model-file-scanned-usb"]');
  await expect(card).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(card.getByTestId('model-integrity')).toContainText('matches the checksum');
});
