/**
 * The device says what fits (issue 17): the engine's worker measures how much memory this tab can get, and a model
 * larger than that is refused before a byte is downloaded, with the numbers. ?trit-memory-mib=N is the probe's test
 * hook (src/lib/ui/models.svelte.ts simulatedTabMemory): the worker reports N MiB as if the browser refused more.
 */
import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { sendAndWaitForReply, waitForModelReady } from './helpers';

const SCREENSHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');

test('a tab with 600 MiB: the official model is refused before download with the numbers, the demo model runs', async ({ page }) => {
  const modelRequests: string[] = [];
  page.on('request', (r) => {
    if (/\.gguf\b/.test(r.url()) && !r.url().includes('trit-demo')) modelRequests.push(r.url());
  });
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/?trit-memory-mib=600');
  // The small demo model is offered and runs.
  await waitForModelReady(page);
  await expect(page.getByTestId('model-chip')).toHaveAttribute('data-phase', 'ready');
  const offer = page.getByTestId('official-offer');
  await expect(offer).toContainText('Too large for this device');
  await page.getByTestId('offer-download').click();
  const error = page.getByTestId('offer-error');
  await expect(error).toContainText(/needs about [\d.,]+ GB of memory, and this browser tab can use about (600|629) MB/);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/memory-fit-360-refused.png`, fullPage: true });
  expect(modelRequests).toEqual([]);
});

test('a tab with 1,050 MiB: the official model runs with memory saving, said in plain words, not refused', async ({ page }) => {
  // 2B-4T needs 1.19 GB as made, 0.97 GB with the int8 KV cache and 6-bit head (the catalogue's leanMemoryBytes).
  await page.goto('/?trit-memory-mib=1050');
  await waitForModelReady(page);
  const offer = page.getByTestId('official-offer');
  await expect(offer).toContainText('Runs here, saving memory: answers may differ very slightly');
  await expect(offer).not.toContainText('Too large for this device');
  // The memory shown is what it will take here, not the as-made 1.19 GB.
  await expect(page.getByTestId('offer-memory')).toContainText('Memory needed: 970 MB.');
  await page.getByTestId('model-chip').click();
  await expect(page.getByTestId('model-manager')).toContainText('Runs here, saving memory');
  await expect(page.getByTestId('model-bitnet-b1.58-2b-4t').getByTestId('model-memory')).toHaveText('970 MB');
});

test('a tab with 900 MiB: the official model runs with a shorter context, said in plain words, not refused', async ({ page }) => {
  // Even with memory saving 2B-4T needs 0.97 GB at 4,096 tokens; at 2,048 its int8 KV cache is 81 MB smaller.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/?trit-memory-mib=900');
  await waitForModelReady(page);
  const offer = page.getByTestId('official-offer');
  await expect(offer).toContainText('Runs here, but remembers less of a long chat (2,048 tokens)');
  await expect(offer).not.toContainText('Too large for this device');
  // 970 MB less 2,048 tokens of the int8 cache at 39,600 bytes each.
  await expect(page.getByTestId('offer-memory')).toContainText('Memory needed: 889 MB.');
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/memory-fit-360-shorter.png`, fullPage: true });
  await page.getByTestId('model-chip').click();
  await expect(page.getByTestId('model-manager')).toContainText('Runs here, but remembers less of a long chat (2,048 tokens)');
});

test('without the hook the same model is offered for download on this machine', async ({ page }) => {
  await page.goto('/');
  await waitForModelReady(page);
  await expect(page.getByTestId('official-offer')).toContainText('Fits this device');
  await expect(page.getByTestId('offer-memory')).toContainText('Memory needed: 1.19 GB.');
});

// The medium reference model (2B-4T layout) at the app's 2,048-token context needs 10.56 MiB as made, 10.12 with the
// 6-bit head, 8.68 with the int8 KV cache, 8.24 with both. Stored on the device, its input rows are read from the
// file, so the head can shrink. A tab that can hold only so much gets the least lossy step that fits, says so in
// plain words, and still answers.
for (const [mib, kv, head] of [['10.3', 'f16', 'int6'], ['8.4', 'int8', 'int6']] as const) {
  test(`a tab with ${mib} MiB: an added model loads with memory saving (${kv} KV cache, ${head} head) and answers`, async ({ page }) => {
    await page.setViewportSize({ width: 1024, height: 800 });
    await page.goto(`/?trit-memory-mib=${mib}`);
    await waitForModelReady(page);
    await page.getByTestId('model-chip').click();
    await page.getByLabel('Add a model from a file').setInputFiles(resolve(import.meta.dirname, '../../test/fixtures/medium.gguf'));
    const entry = page.locator('[data-testid^="model-"][data-state="ready"]').filter({ hasText: /medium/ });
    await expect(entry).toBeVisible({ timeout: 60_000 });
    await entry.getByRole('button', { name: 'Use this model' }).click();
    await page.keyboard.press('Escape');
    await waitForModelReady(page);
    await expect(page.getByTestId('model-chip')).toContainText('medium');
    await page.locator('details.device > summary').click();
    const saving = page.getByTestId('memory-saving');
    await expect(saving).toContainText('On: this device has little memory');
    await saving.locator('summary').click();
    await expect(saving).toContainText(`Attention cache: ${kv}. Output layer: ${head}.`);
    await expect(page.getByTestId('context-in-use')).toHaveText('2048');
    await sendAndWaitForReply(page, 'Hello there');
    await expect(page.getByTestId('message-assistant').last().getByRole('alert')).toHaveCount(0);
  });
}
