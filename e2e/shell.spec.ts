import { test, expect, chromium, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ISOLATED_URL, UNISOLATED_URL, launchOptions } from '../playwright.config';

async function waitForServiceWorkerControl(page: Page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, undefined, { timeout: 60_000 });
}

async function expectThreadedSelfTest(page: Page) {
  const selftest = page.getByTestId('selftest');
  await expect(selftest).toHaveAttribute('data-ok', 'true', { timeout: 90_000 });
  const threads = Number(await selftest.getAttribute('data-threads'));
  expect(threads).toBeGreaterThan(1);
  await expect(page.getByTestId('worker-isolated')).toHaveText('yes');
  // This Chromium has relaxed SIMD: the self-test above ran the dot kernel's build (offline too: it is precached).
  await expect(page.getByTestId('build')).toHaveText('relaxed SIMD, threaded');
  // The form of the dot kernel the engine timed fastest here: on this x86 machine the i16 one (cpp/README.md).
  await expect(page.getByTestId('i2s-kernel')).toHaveText('relaxed-dot');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
}

test('online visit, then offline reload: isolated, threaded, served by the service worker', async ({ page, context }) => {
  await page.goto('/');
  await waitForServiceWorkerControl(page);
  await expectThreadedSelfTest(page);

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Trit', level: 1 })).toBeVisible();
  await expectThreadedSelfTest(page);
});

test('Chrome finds the app installable', async () => {
  // Playwright's usual contexts are incognito, where Chrome never offers installation: use a real profile.
  const profile = mkdtempSync(join(tmpdir(), 'trit-profile-'));
  const context = await chromium.launchPersistentContext(profile, { ...launchOptions, headless: true });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(ISOLATED_URL);
    await waitForServiceWorkerControl(page);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: Array<{ errorId: string }>;
    };
    expect(installabilityErrors).toEqual([]);
    await checkManifest(page);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

async function checkManifest(page: Page) {
  const manifest = await page.evaluate(async () => {
    const href = document.querySelector<HTMLLinkElement>('link[rel="manifest"]')!.href;
    return (await fetch(href)).json();
  });
  expect(manifest.display).toBe('standalone');
  expect(manifest.icons.map((i: { sizes: string; purpose: string }) => `${i.sizes} ${i.purpose}`)).toEqual(
    expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']),
  );
}

test('a host without COOP/COEP headers ends isolated once the service worker takes over', async ({ page }) => {
  const response = await page.goto(UNISOLATED_URL);
  expect(response?.headers()['cross-origin-embedder-policy']).toBeUndefined();
  await waitForServiceWorkerControl(page);
  // The page reloads itself once when the service worker takes control.
  await page.waitForFunction(() => crossOriginIsolated === true, undefined, { timeout: 60_000 });
  await expectThreadedSelfTest(page);
});

test.describe('with service workers blocked', () => {
  test.use({ serviceWorkers: 'block' });

  test('on a host without headers, the engine runs on one thread and says so', async ({ page }) => {
    await page.goto(UNISOLATED_URL);
    await expect(page.getByTestId('single-thread-notice')).toBeVisible();
    const selftest = page.getByTestId('selftest');
    await expect(selftest).toHaveAttribute('data-ok', 'true', { timeout: 90_000 });
    await expect(selftest).toHaveAttribute('data-threads', '1');
    await expect(page.getByTestId('build')).toHaveText('relaxed SIMD, one thread');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  });
});
