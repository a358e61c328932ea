/**
 * The chat a class can live in (issue 19), with the demo model: versions of an earlier question, Continue, export
 * to Markdown and back, search in old chats, presets carried to another browser, and reading aloud.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { expectNoSeriousViolations, expectTouchTargets } from '../support/page-checks';
import { readRecord, saveSetting, sendAndWaitForReply, showConversations, waitForModelReady, writeRecord } from '../app/helpers';

async function closeDrawer(page: Page) {
  const toggle = page.getByTestId('toggle-sidebar');
  if ((await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) === 'true') await page.keyboard.press('Escape');
}

async function lastConversationId(page: Page): Promise<string> {
  const settings = (await readRecord(page, 'trit-settings', 'settings', 'settings')) as { lastConversationId: string } | undefined;
  if (!settings?.lastConversationId) throw new Error('no conversation is open');
  return settings.lastConversationId;
}

test('edit an earlier question: the old version and its answers stay, and the versions switch both ways', async ({ page }) => {
  await page.goto('/');
  await waitForModelReady(page);
  await sendAndWaitForReply(page, 'What is 7 plus 5?');
  await sendAndWaitForReply(page, 'Spell cat.');
  const questions = page.getByTestId('message-user');
  await expect(questions).toHaveCount(2);

  // Edit the first question, not the last.
  await questions.first().getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Edit your message').fill('What is 3 times 4?');
  await page.getByRole('button', { name: 'Send edited' }).click();
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-pending', 'false', { timeout: 120_000 });
  await expect(questions).toHaveCount(1);
  await expect(questions.first().locator('.user-text')).toHaveText('What is 3 times 4?');
  await expect(questions.first().getByTestId('version-count')).toHaveText('2/2');

  // Back to the first version: both questions and both answers are there again.
  await questions.first().getByRole('button', { name: 'Previous version' }).click();
  await expect(questions).toHaveCount(2);
  await expect(questions.locator('.user-text')).toHaveText(['What is 7 plus 5?', 'Spell cat.']);
  await expect(page.getByTestId('message-assistant')).toHaveCount(2);
  await expect(questions.first().getByTestId('version-count')).toHaveText('1/2');

  // Regenerate the first reply (an earlier one): a second version of it, the first kept.
  const firstReply = page.getByTestId('message-assistant').first();
  const before = await firstReply.locator('.markdown').innerText();
  await firstReply.getByRole('button', { name: 'Regenerate' }).click();
  await expect(page.getByTestId('message-assistant').first()).toHaveAttribute('data-pending', 'false', { timeout: 120_000 });
  await expect(page.getByTestId('message-assistant')).toHaveCount(1);
  await expect(page.getByTestId('message-assistant').first().getByTestId('version-count')).toHaveText('2/2');
  await page.getByTestId('message-assistant').first().getByRole('button', { name: 'Previous version' }).click();
  await expect(page.getByTestId('message-assistant').first().locator('.markdown')).toHaveText(before);
  await expect(questions).toHaveCount(2);

  // Sending now reuses the engine's cache of the start this version shares with the one just generated.
  await sendAndWaitForReply(page, 'What is 2 plus 2?');
  const saved = (await readRecord(page, 'trit-conversations', 'conversations', await lastConversationId(page))) as {
    messages: Array<{ stats?: { promptTokens: number; evaluatedPromptTokens: number } }>;
  };
  const stats = saved.messages.at(-1)!.stats!;
  expect(stats.evaluatedPromptTokens).toBeLessThan(stats.promptTokens);

  // The versions are saved: after a reload the chat opens as it was left, the others still browsable.
  await page.reload();
  await waitForModelReady(page);
  await expect(questions.locator('.user-text')).toHaveText(['What is 7 plus 5?', 'Spell cat.', 'What is 2 plus 2?']);
  await questions.first().getByRole('button', { name: 'Next version' }).click();
  await expect(questions.locator('.user-text')).toHaveText(['What is 3 times 4?']);
});

test('a reply cut at the length limit can be continued', async ({ page }) => {
  await page.goto('/');
  await waitForModelReady(page);
  await saveSetting(page, 'Maximum reply length (tokens)', '16');
  // The demo model's longest practised answer (about 95 characters) is well over 16 tokens.
  const reply = await sendAndWaitForReply(page, 'What can you do?');
  await expect(reply).toHaveAttribute('data-stop-reason', 'max_tokens');
  const start = await reply.locator('.markdown').innerText();
  await reply.getByTestId('continue').click();
  await expect(reply).toHaveAttribute('data-pending', 'false', { timeout: 120_000 });
  await expect(reply).toHaveAttribute('data-stop-reason', /.+/);
  const whole = await reply.locator('.markdown').innerText();
  expect(whole.startsWith(start.trimEnd())).toBe(true);
  expect(whole.length).toBeGreaterThan(start.length);
  await expect(page.getByTestId('message-assistant')).toHaveCount(1);
});

test('export a chat to Markdown and import it back: the same chat, versions and all', async ({ page }) => {
  // Printing opens the system's dialog; here the page only has to ask for it, from the frame that holds the chat.
  await page.addInitScript(() => {
    window.print = () => {
      const top = window.top as unknown as { printed?: string[] };
      top.printed = [...(top.printed ?? []), document.title];
    };
  });
  await page.goto('/');
  await waitForModelReady(page);
  await sendAndWaitForReply(page, 'What is the capital of France?');
  await sendAndWaitForReply(page, 'Hello');
  await page.getByTestId('message-assistant').last().getByRole('button', { name: 'Regenerate' }).click();
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-pending', 'false', { timeout: 120_000 });
  const id = await lastConversationId(page);
  const saved = await readRecord(page, 'trit-conversations', 'conversations', id);

  await page.getByTestId('chat-export').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-markdown').click()]);
  expect(download.suggestedFilename()).toBe('what-is-the-capital-of-france.md');
  const markdown = readFileSync(await download.path(), 'utf8');
  expect(markdown).toContain('# What is the capital of France?');
  expect(markdown).toContain('**You:**\n\nWhat is the capital of France?');

  // Gone from this device, then back from the file.
  page.on('dialog', (d) => void d.accept());
  await showConversations(page);
  await page.getByRole('button', { name: 'Actions for "What is the capital of France?"' }).click();
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByTestId('conversation-item')).toHaveCount(0);
  await page.getByText('Manage chats').click();
  await page.getByTestId('import-chat-file').setInputFiles({ name: 'chat.md', mimeType: 'text/markdown', buffer: Buffer.from(markdown) });
  await closeDrawer(page);
  await expect(page.getByTestId('message-user').locator('.user-text')).toHaveText(['What is the capital of France?', 'Hello']);
  expect(await readRecord(page, 'trit-conversations', 'conversations', id)).toEqual(saved);
  await expect(page.getByTestId('message-assistant').last().getByTestId('version-count')).toHaveText('2/2');

  // A file that is not an export says so and changes nothing.
  await showConversations(page);
  await page.getByTestId('import-chat-file').setInputFiles({ name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from('# My notes\n') });
  await expect(page.getByTestId('import-chat-error')).toContainText('not a chat saved by Trit');
  await expect(page.getByTestId('conversation-item')).toHaveCount(1);

  // The printable page holds the chat and nothing of the app.
  await closeDrawer(page);
  await page.getByTestId('chat-export').click();
  await page.getByTestId('print-chat').click();
  const frame = page.frameLocator('[data-testid="print-frame"]');
  await expect(frame.locator('h1')).toHaveText('What is the capital of France?');
  await expect(frame.locator('section.user')).toHaveCount(2);
  await expect(frame.locator('button')).toHaveCount(0);
  await expect.poll(() => page.evaluate(() => (window as unknown as { printed?: string[] }).printed)).toEqual(['What is the capital of France?']);
});

test('search finds a word in a reply of an old chat; chats are grouped by day; delete all asks first', async ({ page }) => {
  await page.goto('/');
  await waitForModelReady(page);
  const day = 24 * 3600 * 1000;
  // Saved by the previous version of the app (no format field): five days old, and one from today.
  await writeRecord(page, 'trit-conversations', 'conversations', 'old-chat', {
    id: 'old-chat', title: 'Plants', createdAt: Date.now() - 5 * day, updatedAt: Date.now() - 5 * day,
    messages: [
      { id: 'q1', role: 'user', content: 'How do plants eat?' },
      { id: 'a1', role: 'assistant', content: 'Plants make their food from sunlight by photosynthesis in their green leaves.' },
    ],
  });
  await writeRecord(page, 'trit-conversations', 'conversations', 'new-chat', {
    id: 'new-chat', title: 'Sums', createdAt: Date.now(), updatedAt: Date.now(),
    messages: [{ id: 'q2', role: 'user', content: 'What is 7 plus 5?' }, { id: 'a2', role: 'assistant', content: '12' }],
  });
  await page.reload();
  await waitForModelReady(page);
  await showConversations(page);
  await expect(page.getByRole('heading', { name: 'Today' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Earlier' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Earlier' }).getByTestId('conversation-item')).toHaveText(['Plants']);

  await page.getByTestId('chat-search').fill('PHOTOSYNTHESIS');
  await expect(page.getByTestId('search-hit')).toHaveCount(1);
  await expect(page.getByTestId('search-hit')).toContainText('by photosynthesis in their green');
  await page.getByTestId('chat-search').fill('photosynthesis volcano');
  await expect(page.getByTestId('search-hit')).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'No chat contains' })).toBeVisible();
  await page.getByTestId('chat-search').fill('photosynthesis');
  await page.getByTestId('search-hit').click();
  await closeDrawer(page);
  await expect(page.getByTestId('message-assistant').locator('.markdown')).toContainText('photosynthesis');

  // Delete all: behind "Manage chats", and only after a second, explicit yes.
  await showConversations(page);
  await page.getByTestId('chat-search').fill('');
  await expect(page.getByTestId('clear-all')).toBeHidden();
  await page.getByText('Manage chats').click();
  await page.getByTestId('clear-all').click();
  await expect(page.getByTestId('conversation-item')).toHaveCount(2);
  await expect(page.getByText('Delete all 2 saved chats? This cannot be undone.')).toBeVisible();
  await page.getByTestId('clear-all-yes').click();
  await expect(page.getByTestId('conversation-item')).toHaveCount(0);
});

test('a preset made in one browser, carried by file and by QR code to another, gives the same instructions', async ({ page, browser }) => {
  const instructions = 'You help 10-year-olds with maths. Use small numbers and short sentences.';
  await page.goto('/');
  await waitForModelReady(page);
  await page.getByText('Instructions:').click();
  await page.getByTestId('open-presets').click();
  await page.getByTestId('preset-name').fill('Maths helper for 10-year-olds');
  await page.getByTestId('preset-instructions').fill(instructions);
  await page.getByTestId('preset-save').click();
  await expect(page.getByTestId('preset-item')).toHaveCount(1);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('preset-export').click()]);
  const file = readFileSync(await download.path());
  await page.getByRole('button', { name: 'Show QR code' }).click();
  const qr = await page.getByTestId('preset-qr').screenshot();
  await page.keyboard.press('Escape');
  await page.getByTestId('instructions-pick').selectOption({ label: 'Maths helper for 10-year-olds' });
  await sendAndWaitForReply(page, 'What is 7 plus 5?');
  const here = (await readRecord(page, 'trit-conversations', 'conversations', await lastConversationId(page))) as { systemPrompt: string };
  expect(here.systemPrompt).toBe(instructions);

  for (const how of ['file', 'photo'] as const) {
    const other = await browser.newContext();
    const tablet = await other.newPage();
    await tablet.goto('/');
    await waitForModelReady(tablet);
    await tablet.getByText('Instructions:').click();
    await tablet.getByTestId('open-presets').click();
    const upload = how === 'file'
      ? { name: download.suggestedFilename(), mimeType: 'application/json', buffer: file }
      : { name: 'photo.png', mimeType: 'image/png', buffer: qr };
    await tablet.getByTestId(`preset-import-${how}`).setInputFiles(upload);
    await expect(tablet.getByRole('status').filter({ hasText: 'Added the preset "Maths helper for 10-year-olds".' })).toBeVisible();
    await tablet.keyboard.press('Escape');
    await tablet.getByTestId('instructions-pick').selectOption({ label: 'Maths helper for 10-year-olds' });
    await expect(tablet.getByTestId('instructions-summary')).toHaveText('Maths helper for 10-year-olds');
    await sendAndWaitForReply(tablet, 'What is 7 plus 5?');
    const there = (await readRecord(tablet, 'trit-conversations', 'conversations', await lastConversationId(tablet))) as { systemPrompt: string };
    expect(there.systemPrompt).toBe(here.systemPrompt);
    await other.close();
  }
});

test('a chat can have instructions of its own, or none, whatever the settings say', async ({ page }) => {
  await page.goto('/');
  await waitForModelReady(page);
  await saveSetting(page, 'Instructions for the assistant (system prompt)', 'Answer in one word.');

  await page.getByTestId('chat-instructions').locator('summary').click();
  await page.getByTestId('instructions-pick').selectOption({ label: 'Written for this chat' });
  await expect(page.getByTestId('instructions-text')).toHaveValue('Answer in one word.');
  await page.getByTestId('instructions-text').fill('You are a patient science teacher.');
  await page.getByTestId('instructions-text').blur();
  await expect(page.getByTestId('instructions-summary')).toHaveText('Written for this chat');
  await sendAndWaitForReply(page, 'Hello');
  const id = await lastConversationId(page);
  const own = (await readRecord(page, 'trit-conversations', 'conversations', id)) as { systemPrompt?: string };
  expect(own.systemPrompt).toBe('You are a patient science teacher.');

  // Emptied: this chat has no instructions, and the settings' do not come back.
  await page.getByTestId('instructions-text').fill('');
  await page.getByTestId('instructions-text').blur();
  await expect(page.getByTestId('instructions-summary')).toHaveText('Written for this chat');
  await expect.poll(async () => ((await readRecord(page, 'trit-conversations', 'conversations', id)) as { systemPrompt?: string }).systemPrompt).toBe('');

  // Back to the settings' instructions.
  await page.getByTestId('instructions-pick').selectOption({ label: 'Same as in Settings' });
  await expect(page.getByTestId('instructions-summary')).toHaveText('Same as in Settings');
  await expect.poll(async () => ((await readRecord(page, 'trit-conversations', 'conversations', id)) as { systemPrompt?: string }).systemPrompt).toBeUndefined();
});

test('read aloud speaks the reply with a voice on the device, and Stop reading stops it', async ({ page }) => {
  await page.addInitScript(() => {
    const spoken: Array<{ text: string; lang: string; voice?: string }> = [];
    (window as unknown as { spoken: typeof spoken }).spoken = spoken;
    let current: { onend?: () => void } | undefined;
    const voices = [
      { name: 'Online English', lang: 'en-US', localService: false, default: true, voiceURI: 'online' },
      { name: 'Device English', lang: 'en-GB', localService: true, default: false, voiceURI: 'device' },
      { name: 'Device French', lang: 'fr-FR', localService: true, default: false, voiceURI: 'fr' },
      { name: 'Online Spanish', lang: 'es-ES', localService: false, default: false, voiceURI: 'es' },
    ];
    class Utterance {
      text: string;
      lang = '';
      voice?: { name: string };
      onend?: () => void;
      onerror?: () => void;
      constructor(text: string) {
        this.text = text;
      }
    }
    Object.defineProperty(window, 'SpeechSynthesisUtterance', { value: Utterance, configurable: true });
    Object.defineProperty(window, 'speechSynthesis', {
      configurable: true,
      value: {
        getVoices: () => voices,
        addEventListener: () => undefined,
        speak(u: Utterance) {
          spoken.push({ text: u.text, lang: u.lang, voice: u.voice?.name });
          current = u;
        },
        cancel() {
          const c = current;
          current = undefined;
          c?.onend?.();
        },
      },
    });
  });
  await page.goto('/');
  await waitForModelReady(page);
  const reply = await sendAndWaitForReply(page, 'What is the capital of France?');
  const text = (await reply.locator('.markdown').innerText()).trim();
  await reply.getByTestId('read-aloud').click();
  await expect(reply.getByTestId('stop-reading')).toBeVisible();
  const spoken = await page.evaluate(() => (window as unknown as { spoken: Array<{ text: string; voice?: string }> }).spoken);
  expect(spoken).toHaveLength(1);
  expect(spoken[0].text).toBe(text);
  expect(spoken[0].voice).toBe('Device English');
  await reply.getByTestId('stop-reading').click();
  await expect(reply.getByTestId('read-aloud')).toBeVisible();

  // Where the language has only voices that need the internet, the chat says so.
  await page.evaluate(() => localStorage.setItem('trit-language', 'es'));
  await page.reload();
  await waitForModelReady(page);
  await page.getByTestId('message-assistant').last().getByTestId('read-aloud').click();
  await expect(page.getByTestId('voice-note')).toHaveText(/sin conexión/);
  await page.getByTestId('message-assistant').last().getByTestId('stop-reading').click();

  // In French the French voice on the device reads.
  await page.evaluate(() => localStorage.setItem('trit-language', 'fr'));
  await page.reload();
  await waitForModelReady(page);
  await page.getByTestId('message-assistant').last().getByTestId('read-aloud').click();
  const again = await page.evaluate(() => (window as unknown as { spoken: Array<{ voice?: string; lang: string }> }).spoken);
  expect(again.at(-1)).toMatchObject({ voice: 'Device French', lang: 'fr-FR' });
});

for (const lang of ['en', 'ar']) {
  test(`${lang}, phone: versions, code, instructions, presets and search pass axe and fit a finger`, async ({ page }) => {
    await page.addInitScript((l) => localStorage.setItem('trit-language', l), lang);
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto('/');
    await waitForModelReady(page);
    await writeRecord(page, 'trit-conversations', 'conversations', 'lesson', {
      id: 'lesson', title: 'Loops', createdAt: Date.now(), updatedAt: Date.now(), format: 2, systemPrompt: 'Explain simply.',
      messages: [
        { id: 'q', role: 'user', content: 'Show a loop', versions: { others: [[{ id: 'q0', role: 'user', content: 'Loop?' }]], active: 1 } },
        { id: 'a', role: 'assistant', content: 'Here:\n\n```python\nfor i in range(3):\n    print(i)\n```', stats: { stopReason: 'max_tokens', droppedMessages: 0 } },
      ],
    });
    await page.reload();
    await waitForModelReady(page);
    await showConversations(page);
    await page.getByTestId('chat-search').fill('loop');
    await expect(page.getByTestId('search-hit')).toHaveCount(1);
    await expectAccessible(page, `${lang} search`);
    await page.getByTestId('search-hit').click();
    await closeDrawer(page);
    await expect(page.getByTestId('versions')).toBeVisible();
    await expect(page.getByTestId('continue')).toBeVisible();
    await expect(page.locator('.code-copy')).toHaveCount(1);
    await page.getByTestId('chat-instructions').locator('summary').click();
    await page.getByTestId('composer').fill('More');
    await expect(page.getByTestId('context-meter')).toBeVisible();
    await expectAccessible(page, `${lang} chat`);
    await page.getByTestId('open-presets').click();
    await page.getByTestId('preset-name').fill('Explain simply');
    await page.getByTestId('preset-instructions').fill('Short words.');
    await page.getByTestId('preset-save').click();
    await page.getByTestId('preset-item').getByRole('button').nth(1).click();
    await expect(page.getByTestId('preset-qr')).toBeVisible();
    await expectAccessible(page, `${lang} presets`);
  });
}

/** No serious or critical axe violation, and every visible control at least 44 x 44 CSS pixels. */
async function expectAccessible(page: Page, label: string) {
  await expectNoSeriousViolations(page, label);
  await expectTouchTargets(page, label);
}
