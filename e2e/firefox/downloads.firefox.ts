/**
 * Firefox: a model downloaded by link, as a person does it in a fresh profile, where Firefox asks for persistent
 * storage with a real prompt that nobody answers; the download interrupted by a reload and resumed; the model used,
 * and a long reply stopped. Also importing a model from a file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'puppeteer-core';
import { writeSyntheticModel } from '../../scripts/make-fixture';
import { BASE_PORT, ROOT, startModelHost, startPreview, type ModelHost, type Server } from './servers';
import { byTestId, clickButton, waitFor, waitForModelReady, withFirefox } from './firefox';

const SHARD = 16 * 1024 * 1024; // The store's shard size: the held response is the second shard.
const ENTRY = '[data-testid^="model-url-"]';

let app: Server;
let host: ModelHost;
let dir: string;

before(async () => {
  // A random-weight model of real architecture, large enough (two shards) to be interrupted half-way, and slow
  // enough (tens of tokens per second) to have a reply to stop.
  dir = mkdtempSync(join(tmpdir(), 'trit-firefox-model-'));
  const file = join(dir, 'talkative.gguf');
  await writeSyntheticModel(file, { embd: 1024, layers: 8, heads: 8, headsKv: 2, ff: 2816, vocab: 4096, ctx: 4096 }, { seed: 7 });
  [app, host] = await Promise.all([
    startPreview(BASE_PORT + 3, { isolationHeaders: true }),
    startModelHost({ files: { 'talkative.gguf': file }, port: BASE_PORT + 4 }),
  ]);
});

after(async () => {
  await Promise.all([app?.close(), host?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What navigator.storage.persist() does in the page after `ms`: resolved (and how), or still pending. */
function persistOutcome(page: Page, ms: number): Promise<string> {
  return page.evaluate(
    (ms) =>
      Promise.race([
        navigator.storage.persist().then((granted) => `answered ${granted}`),
        new Promise<string>((done) => setTimeout(() => done('pending'), ms)),
      ]),
    ms,
  );
}

async function openManager(page: Page) {
  if (!(await page.$(byTestId('model-manager')))) await page.click(byTestId('model-chip'));
  await page.waitForSelector(byTestId('model-manager'), { visible: true });
}

test('a download by link starts at once while Firefox asks about persistent storage, resumes after a reload, and the model chats and stops', async () => {
  await withFirefox(async ({ page }) => {
    await page.goto(app.url);
    await waitForModelReady(page, 60_000);
    const baseUsage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);

    await openManager(page);
    await page.type('#model-url', host.fileUrl('talkative.gguf'));
    await clickButton(page, byTestId('model-manager'), /^Add$/);
    await waitFor(page, `document.querySelector('${ENTRY}')?.getAttribute('data-state') === 'available'`, 30_000);
    host.holdFrom = SHARD;
    const requestsBefore = host.requests.length;
    await clickButton(page, ENTRY, /^Download/);

    // The first shard arrives within seconds; nobody has answered Firefox's storage prompt.
    const deadline = Date.now() + 15_000;
    while (!host.requests.slice(requestsBefore).some((r) => r.method === 'GET' && r.bodyBytes > 0)) {
      assert.ok(Date.now() < deadline, `no model bytes were fetched within 15 s of tapping Download: ${JSON.stringify(host.requests)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await persistOutcome(page, 1000), 'pending', 'the persistent-storage prompt should still be unanswered');
    assert.equal(await page.evaluate(() => navigator.storage.persisted()), false);

    // The first shard is stored (the estimate grows by it) while the second is held back; then the tab reloads.
    await page.waitForFunction(
      (min) => navigator.storage.estimate().then((e) => (e.usage ?? 0) >= min),
      { timeout: 60_000, polling: 200 },
      baseUsage + SHARD,
    );
    await page.reload();
    await waitForModelReady(page, 60_000);
    await openManager(page);
    host.holdFrom = undefined;
    const resumedFrom = host.requests.length;
    await page.waitForFunction(
      (sel) => {
        const entry = document.querySelector(sel);
        if (entry?.getAttribute('data-state') === 'ready') return true;
        return [...(entry?.querySelectorAll('button') ?? [])].some((b) => b.textContent?.trim() === 'Resume');
      },
      { timeout: 60_000, polling: 100 },
      ENTRY,
    );
    if ((await page.$eval(ENTRY, (e) => e.getAttribute('data-state'))) !== 'ready') await clickButton(page, ENTRY, /^Resume$/);
    await waitFor(page, `document.querySelector('${ENTRY}')?.getAttribute('data-state') === 'ready'`, 60_000);
    // Only what was missing came again: the second shard, not the first.
    const resumed = host.requests.slice(resumedFrom).filter((r) => r.method === 'GET');
    assert.ok(resumed.length > 0);
    for (const r of resumed) assert.ok(!r.range || Number(/bytes=(\d+)/.exec(r.range)?.[1]) >= SHARD, `fetched again: ${r.range}`);
    assert.equal(resumed.reduce((sum, r) => sum + r.bodyBytes, 0), host.size('talkative.gguf') - SHARD);

    // Use it, and stop a long reply.
    await clickButton(page, ENTRY, /^Use this model$/);
    await page.keyboard.press('Escape');
    await waitFor(page, `document.querySelector('${byTestId('model-chip')}')?.textContent.includes('talkative')`, 60_000);
    await waitForModelReady(page, 60_000);
    await page.type(byTestId('composer'), 'Write a very long story about a school trip, with many chapters.');
    await page.keyboard.press('Enter');
    const last = `[...document.querySelectorAll('[data-testid="message-assistant"]')].at(-1)`;
    await waitFor(page, `(${last})?.innerText.trim().length > 0 && (${last}).getAttribute('data-pending') === 'true'`, 60_000);
    await page.click(byTestId('stop'));
    await waitFor(page, `(${last}).getAttribute('data-pending') === 'false' && !!document.querySelector('${byTestId('send')}')`, 2000);
    await waitFor(page, `(${last}).getAttribute('data-stop-reason') === 'aborted'`, 2000);
    const stoppedText = await page.evaluate(`(${last}).innerText`);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await page.evaluate(`(${last}).innerText`), stoppedText, 'text kept coming after Stop');
  });
});

test('a model imported from a file is stored and ready', async () => {
  await withFirefox(async ({ page }) => {
    await page.goto(app.url);
    await waitForModelReady(page, 60_000);
    await openManager(page);
    const input = await page.waitForSelector(`${byTestId('model-manager')} input[type="file"]`);
    await input!.uploadFile(resolve(ROOT, 'test/fixtures/small.gguf'));
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid^="model-"][data-state="ready"]')].some((e) => e.textContent?.includes('small')),
      { timeout: 60_000, polling: 100 },
    );
  });
});
