import { expect, test } from '@playwright/test';
import { resolve } from 'node:path';
import { sendAndWaitForReply, startModelHost, waitForModelReady } from './helpers';

test('model manager: add by address, download, use it, switch back, delete', async ({ page }) => {
  const host = await startModelHost();
  try {
    page.on('dialog', (d) => void d.accept());
    await page.goto('/');
    await waitForModelReady(page);
    await page.getByTestId('model-chip').click();
    const manager = page.getByTestId('model-manager');
    // Storage use and persistence are reported.
    await expect(manager).toContainText('Storage used by this app');
    await expect(manager.getByTestId('storage-persistent')).toBeVisible();
    // The official model shows its size before anything is fetched.
    await expect(page.getByTestId('model-bitnet-b1.58-2b-4t').getByTestId('model-size')).toHaveText('1.19 GB');

    await page.getByLabel('Link to a .gguf file').fill(`${host.origin}/tiny.gguf`);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const entry = page.locator('[data-testid^="model-url-tiny"]');
    await expect(entry).toHaveAttribute('data-state', 'available');
    await entry.getByRole('button', { name: /Download/ }).click();
    await expect(entry).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await expect(entry.getByTestId('model-size')).toHaveText('859 kB');

    await entry.getByRole('button', { name: 'Use this model' }).click();
    await expect(entry).toContainText('In use');
    await page.keyboard.press('Escape');
    await waitForModelReady(page);
    await expect(page.getByTestId('model-chip')).toContainText('tiny.gguf');
    await sendAndWaitForReply(page, 'Hello from a stored model');

    // The stored model is the saved choice: it loads again after a reload.
    await page.reload();
    await waitForModelReady(page);
    await expect(page.getByTestId('model-chip')).toContainText('tiny.gguf');

    await page.getByTestId('model-chip').click();
    await page.getByTestId('model-trit-demo').getByRole('button', { name: 'Use this model' }).click();
    await expect(page.getByTestId('model-trit-demo')).toContainText('In use');
    await entry.getByRole('button', { name: 'Delete' }).click();
    await expect(entry).toHaveCount(0);
  } finally {
    host.close();
  }
});

test('model manager: add a model from a file', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('model-chip').click();
  await page.getByLabel('Add a model from a file').setInputFiles(resolve(import.meta.dirname, '../../test/fixtures/small.gguf'));
  const imported = page.locator('[data-testid^="model-"][data-state="ready"]').filter({ hasText: 'small' });
  await expect(imported).toBeVisible({ timeout: 60_000 });
  await expect(imported.getByRole('button', { name: 'Save to a file' })).toBeVisible();
});
