/**
 * The engine's worker dies in the middle of a reply (issue 17: a tab out of memory kills the worker, not the page).
 * The death is made the way Chromium reports a WebAssembly allocation that fails in a worker: an uncaught error
 * there, which reaches the page as the Worker's 'error' event. The page stays, says so plainly, keeps the
 * conversation, and loads the same model again by itself (once: a second crash soon after waits for the person's
 * Restart), which then answers.
 */
import { expect, test, type Page } from '@playwright/test';
import { waitForModelReady } from './helpers';

/**
 * Mid-reply: the worker dies right after it has sent the page the reply's first piece (Comlink calls the page's
 * onDelta with an APPLY message on the callback's MessagePort); the demo model is too quick to catch by timing.
 */
async function crashOnFirstPiece(page: Page): Promise<void> {
  const engine = page.workers().filter((w) => w.url().includes('engine.worker')).pop();
  expect(engine, 'the engine worker').toBeDefined();
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
}

async function ask(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}

test('the worker dies mid-reply: the page stays, the conversation is kept, the model loads again by itself', async ({ page }) => {
  await page.goto('/');
  await waitForModelReady(page);
  // Marks this document: a reload or a crashed tab would lose it.
  await page.evaluate(() => ((window as { tritSamePage?: boolean }).tritSamePage = true));

  await crashOnFirstPiece(page);
  await ask(page, 'What can you do?');
  // The page restarts the engine and loads the same model by itself, and says what happened.
  const recovered = page.getByTestId('engine-recovered');
  await expect(recovered).toBeVisible({ timeout: 60_000 });
  await expect(recovered).toContainText('The engine stopped unexpectedly');
  await expect(recovered).toContainText('Maximum memory size exceeded');
  await expect(page.getByTestId('model-chip')).toHaveAttribute('data-phase', 'ready');
  // The page is the same page, and the person's message is still there.
  expect(await page.evaluate(() => (window as { tritSamePage?: boolean }).tritSamePage)).toBe(true);
  await expect(page.getByTestId('message-user').first()).toContainText('What can you do?');

  // The reloaded model answers.
  await ask(page, 'What is 7 plus 5?');
  const reply = page.getByTestId('message-assistant').last();
  await expect(reply).toHaveAttribute('data-pending', 'false', { timeout: 120_000 });
  await expect(reply).not.toBeEmpty();

  // A second crash soon after is not restarted in a loop: the person is asked, and Restart loads the model again.
  await crashOnFirstPiece(page);
  await ask(page, 'And then?');
  const banner = page.getByRole('alert').filter({ hasText: 'The engine stopped unexpectedly' });
  await expect(banner).toBeVisible();
  await page.waitForTimeout(2_000);
  await expect(banner).toBeVisible();
  await expect(page.getByTestId('model-chip')).not.toHaveAttribute('data-phase', 'ready');
  await banner.getByRole('button', { name: 'Restart the engine' }).click();
  await expect(banner).toBeHidden();
  await waitForModelReady(page);
  await expect(page.getByTestId('message-user').first()).toContainText('What can you do?');
});
