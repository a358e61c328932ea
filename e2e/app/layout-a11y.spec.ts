import { expect, test } from '@playwright/test';
import { expectNoHorizontalScroll, expectNoSeriousViolations, expectTouchTargets, screenshot } from '../support/page-checks';
import { sendAndWaitForReply, waitForModelReady } from './helpers';

const SIZES = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'tablet', width: 800, height: 1280 },
  { name: 'laptop', width: 1366, height: 768 },
] as const;

// A question the demo model was trained on, so the screenshots show a real reply.
const CHAT_PROMPT = 'What can you do?';

for (const size of SIZES) {
  for (const scheme of ['light', 'dark'] as const) {
    test(`${size.name} ${scheme}: layout, touch targets and accessibility`, async ({ page }, testInfo) => {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
      await page.goto('/');
      await waitForModelReady(page);
      await screenshot(page, testInfo, `${size.name}-${scheme}-start`);
      await expectNoSeriousViolations(page, 'start');

      await sendAndWaitForReply(page, CHAT_PROMPT);
      // The numbers of the reply, opened, so the screenshot shows them too.
      await page.getByTestId('stats').getByText('About the last reply').click();
      await expectNoHorizontalScroll(page, `${size.name} ${scheme} chat`);
      await expectTouchTargets(page);
      await screenshot(page, testInfo, `${size.name}-${scheme}-chat`);
      await expectNoSeriousViolations(page, 'chat');

      const toggle = page.getByTestId('toggle-sidebar');
      if (await toggle.isVisible()) {
        await toggle.click();
        await expect(page.getByTestId('conversation-item').first()).toBeVisible();
        await screenshot(page, testInfo, `${size.name}-${scheme}-chats`);
        await expectNoSeriousViolations(page, 'chats drawer');
        await page.keyboard.press('Escape');
      }

      await page.getByTestId('open-settings').click();
      await expect(page.getByTestId('settings')).toBeVisible();
      await screenshot(page, testInfo, `${size.name}-${scheme}-settings`);
      await expectNoSeriousViolations(page, 'settings');
      await page.keyboard.press('Escape');

      await page.getByTestId('model-chip').click();
      await expect(page.getByTestId('model-manager')).toBeVisible();
      await screenshot(page, testInfo, `${size.name}-${scheme}-models`);
      await expectNoSeriousViolations(page, 'models');
      await page.keyboard.press('Escape');
    });
  }
}

test('keyboard only: reach the composer, send, and open settings; focus is visible', async ({ page }) => {
  await page.goto('/');
  await waitForModelReady(page);
  // The skip link is the first stop and jumps to the message box.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to the chat' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('composer')).toBeFocused();
  await page.keyboard.type('Hi there');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-pending', 'false', { timeout: 120_000 });

  await page.getByTestId('open-settings').focus();
  const outline = await page.getByTestId('open-settings').evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Instructions for the assistant (system prompt)')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('settings')).toBeHidden();
  await expect(page.getByTestId('open-settings')).toBeFocused();

  // The model manager, from its button, and back.
  await page.getByTestId('open-models').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('model-manager')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('model-manager')).toBeHidden();
  await expect(page.getByTestId('open-models')).toBeFocused();

  // The numbers of the last reply open and close with Enter.
  const about = page.getByTestId('stats').getByText('About the last reply');
  await about.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('stat-generation')).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('stat-generation')).toBeHidden();
});

function readSavedSettings(): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('trit-settings');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const get = open.result.transaction('settings').objectStore('settings').get('settings');
      get.onsuccess = () => resolve(get.result);
      get.onerror = () => reject(get.error);
    };
  });
}

test('settings are saved across reloads and reset to defaults', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('open-settings').click();
  const prompt = page.getByLabel('Instructions for the assistant (system prompt)');
  await prompt.fill('Always answer in French.');
  await prompt.blur();
  await page.getByLabel('Context size (tokens)').selectOption('1024');
  await page.getByLabel('Threads').selectOption('1');
  // Reload only once the last change is in IndexedDB.
  await expect.poll(() => page.evaluate(readSavedSettings)).toMatchObject({ threads: 1, contextSize: 1024 });
  await page.reload();
  await page.getByTestId('open-settings').click();
  await expect(prompt).toHaveValue('Always answer in French.');
  await expect(page.getByLabel('Context size (tokens)')).toHaveValue('1024');
  await expect(page.getByLabel('Threads')).toHaveValue('1');
  await page.getByTestId('reset-settings').click();
  // Typed instructions are not wiped without asking.
  await page.getByTestId('reset-confirm-yes').click();
  await expect(prompt).toHaveValue(/helpful assistant/);
  await expect(page.getByLabel('Context size (tokens)')).toHaveValue('2048');
  await expect(page.getByLabel('Threads')).toHaveValue('auto');
});
