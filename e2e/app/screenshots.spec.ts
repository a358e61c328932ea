/**
 * Screenshots of the app at phone, tablet and laptop sizes in light and dark, kept under test-results/screenshots
 * (outside Playwright's per-run output folder) for a person to look at after a change. Each page is also checked for
 * sideways scrolling, so a screenshot set never hides a layout that broke.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { sendAndWaitForReply, waitForModelReady } from './helpers';

const OUT = resolve(import.meta.dirname, '../../test-results/screenshots');
const SIZES = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'tablet', width: 800, height: 1280 },
  { name: 'laptop', width: 1366, height: 768 },
] as const;

async function shoot(page: Page, name: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${name} scrolls sideways`).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${OUT}/${name}.png` });
}

test.beforeAll(() => mkdirSync(OUT, { recursive: true }));

for (const size of SIZES) {
  for (const scheme of ['light', 'dark'] as const) {
    test(`screenshots: ${size.name} ${scheme}`, async ({ page }) => {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
      await page.goto('/');
      await waitForModelReady(page);
      await shoot(page, `${size.name}-${scheme}-1-start`);
      await sendAndWaitForReply(page, 'What can you do?');
      await page.getByTestId('stats').getByText('About the last reply').click();
      await shoot(page, `${size.name}-${scheme}-2-chat`);
      const toggle = page.getByTestId('toggle-sidebar');
      if (await toggle.isVisible()) {
        await toggle.click();
        await shoot(page, `${size.name}-${scheme}-3-drawer`);
        await page.keyboard.press('Escape');
      }
      await page.getByTestId('open-settings').click();
      await shoot(page, `${size.name}-${scheme}-4-settings`);
      await page.keyboard.press('Escape');
      await page.getByTestId('open-models').click();
      await shoot(page, `${size.name}-${scheme}-5-models`);
    });
  }
}

test('screenshots: 320 px offline with the install offer, and a message too long', async ({ page, context }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto('/');
  await waitForModelReady(page);
  await context.setOffline(true);
  await page.evaluate(() => {
    const e = new Event('beforeinstallprompt', { cancelable: true }) as Event & { prompt(): Promise<void>; userChoice: Promise<unknown> };
    e.prompt = async () => undefined;
    e.userChoice = Promise.resolve({ outcome: 'dismissed' });
    window.dispatchEvent(e);
  });
  await expect(page.getByTestId('install')).toBeVisible();
  await page.getByTestId('composer').fill('Tell me a story. '.repeat(120));
  await page.getByTestId('composer').press('Enter');
  await expect(page.getByTestId('too-long')).toBeVisible();
  await shoot(page, 'narrow-320-offline-install-too-long');
  await context.setOffline(false);
});
