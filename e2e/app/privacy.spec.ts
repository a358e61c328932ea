import { expect, test } from '@playwright/test';
import { sendAndWaitForReply, startModelHost, waitForModelReady, waitForServiceWorkerControl } from './helpers';

test('no request leaves for any origin but the app and the model host the person chose', async ({ page, context, baseURL }) => {
  const host = await startModelHost();
  const hostOrigin = host.origin;
  const allowed = new Set([new URL(baseURL!).origin, hostOrigin]);
  const seen: string[] = [];
  // Context-wide: pages, dedicated workers and the service worker.
  context.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith('data:') && !url.startsWith('blob:')) seen.push(url);
  });

  try {
    page.on('dialog', (d) => void d.accept());
    await page.goto('/');
    await waitForServiceWorkerControl(page);
    await waitForModelReady(page);
    await sendAndWaitForReply(page, 'Hello');

    // The person adds a model by its address and downloads it: that host is now allowed, and only it.
    await page.getByTestId('model-chip').click();
    await page.getByLabel('Link to a .gguf file').fill(`${hostOrigin}/tiny.gguf`);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const entry = page.locator('[data-testid^="model-url-tiny"]');
    await expect(entry).toBeVisible();
    await entry.getByRole('button', { name: /Download/ }).click();
    await expect(entry).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });

    const foreign = seen.filter((u) => !allowed.has(new URL(u).origin));
    expect(foreign).toEqual([]);
    expect(seen.some((u) => u.startsWith(hostOrigin))).toBe(true);
  } finally {
    host.close();
  }
});
