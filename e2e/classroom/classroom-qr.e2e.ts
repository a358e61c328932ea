/**
 * Classroom sharing by QR code: Chromium's fake camera shows a video of the share's QR code (written by the test),
 * the app reads it (jsQR here: Chromium on Linux has no BarcodeDetector), finds the model and stores it intact.
 */
import { expect, test } from '@playwright/test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_URL } from './playwright.classroom.config';
import { writeQrVideo } from './qr-video';
import { copyFixture, removeFixture, startShare } from './share-process';
import { fakeCamera, getFound, openClassroom, sha256File, shot, storedSha256, trackCameraStreams } from './steps';

const QR_PORT = Number(new URL(APP_URL).port) + 1;
const video = join(tmpdir(), `trit-classroom-qr-${QR_PORT}.y4m`);
writeQrVideo(video, `http://127.0.0.1:${QR_PORT}/1`);
test.use(fakeCamera(video));

test('the camera reads the code on the classroom computer and the model comes down', async ({ page }, testInfo) => {
  const file = copyFixture('small.gguf');
  const share = await startShare(file, QR_PORT);
  try {
    await page.setViewportSize({ width: 768, height: 1024 });
    const cameraLive = await trackCameraStreams(page);
    await openClassroom(page);
    // A cheap tablet: the CPU 4x slower while the camera frames are read.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await page.getByRole('button', { name: 'Scan the code' }).click();
    await expect(page.getByLabel('Address of the classroom computer')).toHaveValue(share.address, { timeout: 30_000 });
    await shot(page, testInfo, 'tablet-classroom-scanned');
    await getFound(page, 'bitnet-small-synthetic');
    const card = page.locator('[data-testid^="model-url-small"]');
    await expect(card).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    expect(await storedSha256(page, card)).toBe(sha256File(file));
    await expect(page.getByTestId('classroom-camera')).toHaveCount(0);
    expect(await cameraLive()).toEqual(['ended']); // the camera is let go once the code is read
  } finally {
    await share.stop();
    removeFixture(file);
  }
});
