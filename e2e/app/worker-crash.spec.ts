/**
 * The engine's worker dies in the middle of a reply (issue 17: a tab out of memory kills the worker, not the page).
 * The death is made the way Chromium reports a WebAssembly allocation that fails in a worker: an uncaught error
 * there, which reaches the page as the Worker's 'error' event. The page stays, says so plainly, keeps the
 * conversation, and the restart it offers loads the same model again, which then answers.
 */
import { expect, test } from '@playwright/test';
import { waitForModelReady } from './helpers';

test('the worker dies mid-reply: the page stays, the conversation is kept, the model loads again', async ({ page }) => {
  await page.goto('/');
  await waitForModelReady(page);
  // Marks this document: a reload or a crashed tab would lose it.
  await page.evaluate(() => ((window as { tritSamePage?: boolean }).tritSamePage = true));
  const engine = page.workers().find((w) => w.url().includes('engine.worker'));
  expect(engine, 'the engine worker').toBeDefined();

  // Mid-reply: the worker dies right after it has sent the page the reply's first piece (Comlink calls the page's
  // onDelta with an APPLY message on the callback's MessagePort); the demo model is too quick to catch by timing.
  await engine!.evaluate(() => {
    const post = MessagePort.prototype.postMessage as (this: MessagePort, message: unknown, transfer?: Transferable[]) => void;
    let armed = true;
    MessagePort.prototype.postMessage = function (this: MessagePort, message: { type?: string }, transfer?: Transferable[]) {
      post.call(this, message, transfer);
      if (armed && message?.type === 'APPLY') {
        armed = false;
        setTimeout(() => {
          throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
        });
      }
    } as typeof MessagePort.prototype.postMessage;
  });
  await page.getByTestId('composer').fill('What can you do?');
  await page.getByTestId('composer').press('Enter');

  const banner = page.getByRole('alert').filter({ hasText: 'The engine stopped unexpectedly' });
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('Maximum memory size exceeded');
  // The page is the same page, and the person's message is still there.
  expect(await page.evaluate(() => (window as { tritSamePage?: boolean }).tritSamePage)).toBe(true);
  await expect(page.getByTestId('message-user').first()).toContainText('What can you do?');

  await banner.getByRole('button', { name: 'Restart the engine' }).click();
  await expect(banner).toBeHidden();
  await waitForModelReady(page);
  await expect(page.getByTestId('model-chip')).toHaveAttribute('data-phase', 'ready');
  await expect(page.getByTestId('message-user').first()).toContainText('What can you do?');
  // The reloaded model answers.
  await page.getByTestId('composer').fill('What is 7 plus 5?');
  await page.getByTestId('composer').press('Enter');
  const reply = page.getByTestId('message-assistant').last();
  await expect(reply).toHaveAttribute('data-pending', 'false', { timeout: 120_000 });
  await expect(reply).not.toBeEmpty();
});
