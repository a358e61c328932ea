import { expect, test } from '@playwright/test';
import { sendAndWaitForReply, showConversations, waitForModelReady, waitForServiceWorkerControl } from './helpers';

test('first visit online, chat with the demo model, then offline: reload, history kept, chat again', async ({ page, context }) => {
  await page.goto('/');
  await waitForServiceWorkerControl(page);
  await waitForModelReady(page);
  // First run: the bundled demo model is the one loaded, and no download was needed.
  await expect(page.getByTestId('model-chip')).toContainText('demo');
  // The official model is offered with its size before anything is fetched.
  await expect(page.getByTestId('offer-download')).toContainText(/\d(\.\d+)? GB/);

  const first = await sendAndWaitForReply(page, 'Hello! What can you do?');
  await expect(first.locator('.markdown')).not.toBeEmpty();

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('offline-indicator')).toBeVisible();
  await waitForModelReady(page);

  await showConversations(page);
  const item = page.getByTestId('conversation-item').filter({ hasText: 'Hello! What can you do?' });
  await expect(item).toBeVisible();
  await item.click();
  await expect(page.getByTestId('message-user').first().locator('.user-text')).toHaveText('Hello! What can you do?');
  await expect(page.getByTestId('message-assistant')).toHaveCount(1);

  const second = await sendAndWaitForReply(page, 'Tell me more.');
  await expect(second.locator('.markdown')).not.toBeEmpty();
  await expect(page.getByTestId('message-user')).toHaveCount(2);

  // Both turns were saved: they survive another offline reload.
  await page.reload();
  await showConversations(page);
  await page.getByTestId('conversation-item').filter({ hasText: 'Hello! What can you do?' }).click();
  await expect(page.getByTestId('message-user')).toHaveCount(2);
  await expect(page.getByTestId('message-assistant')).toHaveCount(2);
});

test('regenerate, edit-and-resend, rename and delete work on the saved conversation', async ({ page }) => {
  page.on('dialog', (d) => void d.accept());
  await page.goto('/');
  await waitForModelReady(page);
  await sendAndWaitForReply(page, 'Name three colours.');

  await page.getByRole('button', { name: 'Regenerate' }).click();
  await expect(page.getByTestId('message-assistant')).toHaveCount(1);
  await expect(page.getByTestId('message-assistant').first()).toHaveAttribute('data-pending', 'false', { timeout: 120_000 });

  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Edit your message').fill('Name three animals.');
  await page.getByRole('button', { name: 'Send edited' }).click();
  await expect(page.getByTestId('message-user')).toHaveCount(1);
  await expect(page.getByTestId('message-user').locator('.user-text')).toHaveText('Name three animals.');
  await expect(page.getByTestId('message-assistant').first()).toHaveAttribute('data-pending', 'false', { timeout: 120_000 });

  await showConversations(page);
  await page.getByRole('button', { name: 'Actions for "Name three animals."' }).click();
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel('New name for "Name three animals."').fill('Animals');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('conversation-item')).toHaveText(['Animals']);

  await page.reload();
  await showConversations(page);
  await expect(page.getByTestId('conversation-item')).toHaveText(['Animals']);
  await page.getByRole('button', { name: 'Actions for "Animals"' }).click();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByTestId('conversation-item')).toHaveCount(0);
});

test('the demo model, decoding greedily in the app, says 7 plus 5 is 12 and what it is', async ({ page }) => {
  await page.goto('/');
  await waitForModelReady(page);
  await page.getByTestId('open-settings').click();
  const temperature = page.locator('#temperature');
  await temperature.fill('0');
  await temperature.dispatchEvent('change');
  await expect(page.getByTestId('settings-saved')).toHaveText('Saved');
  await page.keyboard.press('Escape');

  const sum = await sendAndWaitForReply(page, 'What is 7 plus 5?');
  await expect(sum.locator('.markdown')).toContainText('12');
  await page.getByRole('button', { name: 'New chat' }).first().click().catch(() => undefined);
  const who = await sendAndWaitForReply(page, 'Who are you?');
  await expect(who.locator('.markdown')).toContainText('small demo model');
  await expect(who.locator('.markdown')).toContainText('offline');
});
