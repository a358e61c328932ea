/**
 * Classroom sharing end to end: the real share command on a loopback address, the app at its own origin getting the
 * model through "Get from a classroom computer" by a typed address, and after the share stopped halfway; each time the stored bytes hash to the shared file.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { APP_URL } from './playwright.classroom.config';
import { copyFixture, removeFixture, startShare } from './share-process';
import { getFound, openClassroom, sha256File, shot, storedSha256 } from './steps';

const appPort = Number(new URL(APP_URL).port);
const RESUME_PORT = appPort + 2;

test('typed address: the model comes from the classroom computer, checked against its sha256', async ({ page }, testInfo) => {
  const file = copyFixture('small.gguf');
  const share = await startShare(file);
  try {
    await page.setViewportSize({ width: 360, height: 740 });
    await openClassroom(page);
    // A wrong number is refused with words, not a download.
    await page.getByLabel('Address of the classroom computer').fill(share.address.replace('http://', '').replace(/\/1$/, '/7'));
    await page.getByRole('button', { name: 'Find the model' }).click();
    await expect(page.getByTestId('classroom-error')).toContainText('has nothing at');
    // The address as the page shows it: no http://.
    await page.getByLabel('Address of the classroom computer').fill(share.address.replace('http://', ''));
    await page.getByRole('button', { name: 'Find the model' }).click();
    await shot(page, testInfo, 'phone-classroom-found');
    await getFound(page, 'bitnet-small-synthetic');
    const card = page.locator('[data-testid^="model-url-small"]');
    await expect(card).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await expect(card.getByTestId('model-integrity')).toContainText('matches the checksum');
    expect(await storedSha256(page, card)).toBe(sha256File(file));
    await shot(page, testInfo, 'phone-classroom-ready');
    // The share saw this device fetch the whole file.
    const rows = await share.status();
    expect(rows.find((r) => r.model === 'small.gguf')).toMatchObject({ sent: readFileSync(file).length });
  } finally {
    await share.stop();
    removeFixture(file);
  }
});

test('the share stops halfway: the download keeps what arrived and resumes from there when it is back', async ({ page }, testInfo) => {
  const file = copyFixture('medium.gguf');
  const size = readFileSync(file).length;
  let share = await startShare(file, RESUME_PORT);
  try {
    await page.setViewportSize({ width: 800, height: 1000 });
    await openClassroom(page);
    // Slow Wi-Fi (about 1 MB/s), so there is a middle to cut.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: 1_000_000, uploadThroughput: 1_000_000 });
    await page.getByLabel('Address of the classroom computer').fill(share.address);
    await page.getByRole('button', { name: 'Find the model' }).click();
    await getFound(page, 'bitnet-medium-synthetic');
    const card = page.locator('[data-testid^="model-url-medium"]');
    const bar = card.getByTestId('download-progress').locator('progress');
    await expect.poll(async () => Number(await bar.getAttribute('value', { timeout: 1000 }).catch(() => 0)), { timeout: 60_000 }).toBeGreaterThan(0.3);
    await share.stop();
    await expect(card.getByRole('button', { name: 'Resume' })).toBeVisible({ timeout: 60_000 });
    await expect(card.getByRole('alert')).toBeVisible();
    await shot(page, testInfo, 'tablet-classroom-interrupted');
    await expect(card.getByTestId('stored-progress')).toBeVisible(); // what arrived is kept

    share = await startShare(file, RESUME_PORT);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await card.getByRole('button', { name: 'Resume' }).click();
    await expect(card).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    expect(await storedSha256(page, card)).toBe(sha256File(file));
    // The second share sent only what was missing.
    const sent = (await share.status()).find((r) => r.model === 'medium.gguf')!.sent;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(size * 0.75);
  } finally {
    await share.stop();
    removeFixture(file);
  }
});
