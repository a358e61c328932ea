import { expect, test } from '@playwright/test';
import { showConversations } from './helpers';

// Model output that tries every usual way into the page. Nothing of it may run.
const HOSTILE_REPLY = [
  'Here is a **bold** list:',
  '',
  '- one',
  '- two',
  '',
  'Picture: <img src=x onerror="window.__pwned = (window.__pwned || 0) + 1">',
  '',
  '<script>window.__pwned = (window.__pwned || 0) + 10</script>',
  '',
  '<svg onload="window.__pwned = (window.__pwned || 0) + 100"></svg>',
  '',
  '<iframe srcdoc="<script>parent.__pwned = 1000</script>"></iframe>',
  '',
  '[click me](javascript:window.__pwned=10000) and ![pixel](https://tracker.example/p.png)',
  '',
  '<a href="#" onclick="window.__pwned = 100000">link</a>',
  '',
  '```html',
  '<script>window.__pwned = 1e6</script>',
  '```',
].join('\n');

test('model output with <img onerror>, <script> and friends renders as text and runs nothing', async ({ page, baseURL }) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const foreignRequests: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).origin !== new URL(baseURL!).origin) foreignRequests.push(r.url());
  });

  await page.goto('/');
  // The app creates its conversation database on start; put a saved conversation with the hostile reply in it,
  // exactly as the app would have stored a streamed reply.
  await expect(page.getByTestId('new-chat')).toBeVisible();
  await page.evaluate(async (content) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('trit-conversations');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const now = Date.now();
    const conversation = {
      id: 'hostile',
      title: 'Hostile output',
      createdAt: now,
      updatedAt: now,
      messages: [
        { id: 'u1', role: 'user', content: 'Show me HTML' },
        { id: 'a1', role: 'assistant', content },
      ],
    };
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('conversations', 'readwrite');
      tx.objectStore('conversations').put(conversation, 'hostile');
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, HOSTILE_REPLY);

  await page.reload();
  await showConversations(page);
  await page.getByTestId('conversation-item').filter({ hasText: 'Hostile output' }).click();
  const reply = page.getByTestId('message-assistant');
  await expect(reply).toContainText('Here is a');

  // Markdown still works ...
  await expect(reply.locator('strong')).toHaveText('bold');
  await expect(reply.locator('li')).toHaveText(['one', 'two']);
  await expect(reply.locator('pre code')).toContainText('<script>window.__pwned = 1e6</script>');
  // ... the HTML shows as text ...
  await expect(reply).toContainText('<img src=x onerror=');
  await expect(reply).toContainText('<script>window.__pwned');
  // ... and none of it became an element or ran.
  const markdown = reply.locator('.markdown');
  for (const selector of ['img', 'script', 'svg', 'iframe', '[onerror]', '[onload]', '[onclick]', 'a[href^="javascript:"]']) {
    await expect(markdown.locator(selector)).toHaveCount(0);
  }
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  expect(foreignRequests).toEqual([]);
});
