/**
 * The reading helper example, built only on trit-web's public API: it downloads a model from a test server through
 * trit.models.download (with its sha256), loads it, streams a reply, and stops one; a wrong checksum is refused; on
 * a host without isolation headers the library's service worker still gets the threaded engine.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { MODEL_HOST, UNISOLATED_EXAMPLE_URL } from './playwright.library.config';

const MODEL = resolve(import.meta.dirname, '../../test/fixtures/small.gguf');
const SHA256 = createHash('sha256').update(readFileSync(MODEL)).digest('hex');
const MODEL_URL = `${MODEL_HOST}/range/small.gguf`;

async function ready(page: Page): Promise<void> {
  await expect(page.locator('#engine')).toHaveText(/Engine ready/);
  await expect(page.locator('#download')).toBeEnabled();
}

async function downloadAndLoad(page: Page): Promise<void> {
  await page.fill('#url', MODEL_URL);
  await page.fill('#sha', SHA256);
  await page.click('#download');
  await expect(page.locator('#model-status')).toHaveText('small.gguf is on this device.');
  await expect(page.locator('#models option')).toHaveCount(1);
  await page.click('#load');
  await expect(page.locator('#model-status')).toHaveText(/is loaded \(4096-token context\)/);
  // Greedy decoding: the replies below must run to their limits, and sampling can meet this model's end token early.
  await page.check('#same');
}

test('downloads a model through the public API, streams a reply and stops another', async ({ page }) => {
  await page.goto('/');
  await ready(page);
  await expect(page.locator('#engine')).toHaveAttribute('data-build', 'threaded');
  await downloadAndLoad(page);

  // A short reply, streamed: the answer grows piece by piece (seen by a MutationObserver, so no piece is missed
  // however fast they come), and it ends at its length limit.
  await page.fill('#length', '40');
  await page.evaluate(() => {
    const answer = document.getElementById('answer')!;
    const lengths: number[] = ((window as unknown as { lengths: number[] }).lengths = []);
    new MutationObserver(() => lengths.push(answer.textContent!.length)).observe(answer, { childList: true, characterData: true, subtree: true });
  });
  await page.click('#explain');
  await expect(page.locator('#answer-status')).toHaveText('Done (cut at the length limit).');
  const final = (await page.locator('#answer').textContent())!.length;
  const lengths = await page.evaluate(() => (window as unknown as { lengths: number[] }).lengths);
  expect(final).toBeGreaterThan(0);
  expect(new Set(lengths.filter((n) => n > 0 && n < final)).size, `lengths seen: ${lengths.join(',')}`).toBeGreaterThan(5);

  // A long one, stopped: it ends early, says so, and the engine answers the next request.
  await page.fill('#length', '3000');
  await page.click('#explain');
  await expect.poll(async () => (await page.locator('#answer').textContent())!.length).toBeGreaterThan(0);
  const beforeStop = (await page.locator('#answer').textContent())!.length;
  await page.click('#stop');
  await expect(page.locator('#answer-status')).toHaveText('Stopped.');
  const stoppedAt = (await page.locator('#answer').textContent())!.length;
  // The engine stops within a token of hearing it; what follows the click is the pieces already on their way and
  // those made while the click travels (a few dozen tokens of about a dozen characters here), not the rest of the
  // 3000 allowed (about 26,000 characters when stopping is broken).
  expect(stoppedAt - beforeStop).toBeLessThan(3000);
  await page.waitForTimeout(500);
  expect((await page.locator('#answer').textContent())!.length).toBe(stoppedAt);
  await page.fill('#length', '5');
  await page.click('#explain');
  await expect(page.locator('#answer-status')).toHaveText('Done (cut at the length limit).');
});

test('continues a story and counts a passage in the model\'s own tokens', async ({ page }) => {
  const passage = 'Once upon a time, a small fox found a lantern.';
  // The same tokenizer, run by the CLI on the same file, gives the count the page must show.
  const expected = JSON.parse(execFileSync('npx', ['tsx', 'scripts/cli.ts', 'tokenize', '--model', MODEL, '--text', passage, '--no-bos'],
    { cwd: resolve(import.meta.dirname, '../..'), encoding: 'utf8', env: { ...process.env, NODE_PATH: '/usr/share/nodejs' } })) as number[];
  await page.goto('/');
  await ready(page);
  await downloadAndLoad(page);
  await page.fill('#passage', passage);
  await expect(page.locator('#passage-size')).toHaveAttribute('data-tokens', String(expected.length));
  await page.fill('#length', '12');
  await page.click('#continue');
  await expect(page.locator('#answer-status')).toHaveText('Done (cut at the length limit).');
  expect((await page.locator('#answer').textContent())!.length).toBeGreaterThan(0);
});

test('when the engine worker dies mid-reply, the reply ends with a plain error and the page stays usable', async ({ page }) => {
  await page.goto('/');
  await ready(page);
  await downloadAndLoad(page);
  await page.fill('#length', '3000');
  await page.click('#explain');
  await expect.poll(async () => (await page.locator('#answer').textContent())!.length).toBeGreaterThan(0);
  // An uncaught error in the engine's worker, as a fault there would raise.
  const engine = page.workers().find((w) => w.url().includes('engine.worker'))!;
  await engine.evaluate(() => setTimeout(() => { throw new Error('simulated engine fault'); }));
  await expect(page.locator('#answer-status')).toHaveText(/The engine stopped: .*simulated engine fault.*Start it again/);
  await expect(page.locator('#explain')).toBeEnabled();
  // Every later call hears the same, at once, instead of waiting on a dead worker.
  await page.click('#explain');
  await expect(page.locator('#answer-status')).toHaveText(/The engine stopped/);
});

test('refuses a download whose sha256 does not match, and keeps nothing of it', async ({ page }) => {
  await page.goto('/');
  await ready(page);
  await page.fill('#url', `${MODEL_HOST}/range/medium.gguf`);
  await page.fill('#sha', SHA256);
  await page.click('#download');
  await expect(page.locator('#model-status')).toHaveText(/does not have the expected sha256.*the download was deleted/);
  await expect(page.locator('#models option')).toHaveCount(0);
});

test('on a host that cannot send isolation headers, the library service worker gets the threaded engine', async ({ page }) => {
  await page.goto(UNISOLATED_EXAMPLE_URL);
  await ready(page);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.locator('#engine')).toHaveAttribute('data-build', 'threaded');
});
