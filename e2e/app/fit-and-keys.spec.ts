/**
 * Layout from 320 px up in every header state, the phone drawer and menus by keyboard, settings on a phone, and the
 * disabled Send button on the dark theme (issue 14, items 14-16).
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { sendAndWaitForReply, showConversations, waitForModelReady } from './helpers';

const SCREENSHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');

/** The browser's install offer, as Chromium fires it (the app keeps it and shows its own button). */
async function offerInstall(page: Page) {
  await page.evaluate(() => {
    const e = new Event('beforeinstallprompt', { cancelable: true }) as Event & { prompt(): Promise<void>; userChoice: Promise<unknown> };
    e.prompt = async () => undefined;
    e.userChoice = Promise.resolve({ outcome: 'dismissed' });
    window.dispatchEvent(e);
  });
  await expect(page.getByTestId('install')).toBeVisible();
}

/** Nothing wider than the screen, and no two header controls on top of each other. */
async function expectFits(page: Page, label: string) {
  const problems = await page.evaluate(() => {
    const out: string[] = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width) out.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
    const items = [...document.querySelectorAll<HTMLElement>('header button, header h1, header .pill')].filter((el) => el.getClientRects().length > 0);
    const boxes = items.map((el) => ({ name: (el.textContent ?? '').trim() || el.getAttribute('data-testid') || el.tagName, r: el.getBoundingClientRect() }));
    for (const { name, r } of boxes) if (r.left < 0 || r.right > width + 0.5) out.push(`"${name}" is cut: ${Math.round(r.left)}..${Math.round(r.right)} of ${width}`);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].r;
        const b = boxes[j].r;
        const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
        if (overlap) out.push(`"${boxes[i].name}" runs into "${boxes[j].name}"`);
      }
    }
    return out;
  });
  expect(problems, label).toEqual([]);
}

for (const width of [320, 360]) {
  test(`${width} px: the header fits while loading, offline and with the install offer, and Models is reachable`, async ({ page, context }) => {
    await page.setViewportSize({ width, height: 640 });
    await page.goto('/');
    await expectFits(page, 'loading');
    await waitForModelReady(page);
    await expectFits(page, 'ready');
    await context.setOffline(true);
    await expect(page.getByTestId('offline-indicator')).toBeVisible();
    await expectFits(page, 'offline');
    await offerInstall(page);
    await expectFits(page, 'offline, install offered');
    await expect(page.getByTestId('open-settings')).toBeInViewport({ ratio: 1 });
    // With a message refused as too long under it too, kept for a person to look at.
    await page.getByTestId('composer').fill('Tell me a story. '.repeat(120));
    await page.getByTestId('composer').press('Enter');
    await expect(page.getByTestId('too-long')).toBeVisible();
    await expectFits(page, 'too long');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}/narrow-${width}-offline-install-too-long.png` });
    // The model manager has a button of its own on phones, not only the model's name.
    await page.getByRole('button', { name: 'Models', exact: true }).click();
    await expect(page.getByTestId('models-dialog')).toBeVisible();
    await context.setOffline(false);
  });
}

test('Escape closes a chat\'s menu and gives focus back to its button', async ({ page }) => {
  await page.goto('/');
  await waitForModelReady(page);
  await sendAndWaitForReply(page, 'Hello');
  await showConversations(page);
  const more = page.getByRole('button', { name: 'Actions for "Hello"' });
  await more.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Rename' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('button', { name: 'Rename' })).toBeHidden();
  await expect(more).toBeFocused();
  await expect(more).toHaveAttribute('aria-expanded', 'false');
});

test('on a phone the chat drawer holds focus while open and gives it back when closed', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/');
  await waitForModelReady(page);
  await sendAndWaitForReply(page, 'Hello');
  const toggle = page.getByTestId('toggle-sidebar');
  await toggle.focus();
  await page.keyboard.press('Enter');
  const drawer = page.locator('#sidebar');
  await expect(drawer).toBeVisible();
  expect(await drawer.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    expect(await drawer.evaluate((el) => el.contains(document.activeElement)), `Tab ${i + 1} left the drawer`).toBe(true);
  }
  await page.keyboard.press('Shift+Tab');
  expect(await drawer.evaluate((el) => el.contains(document.activeElement))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  await expect(toggle).toBeFocused();
});

/** WCAG relative luminance contrast of two CSS rgb() colours. */
function contrast(a: number[], b: number[]): number {
  const lum = (c: number[]) => {
    const [r, g, bl] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('dark theme: the disabled Send button stands out from the composer', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/');
  await waitForModelReady(page);
  const send = page.getByTestId('send');
  await expect(send).toBeDisabled();
  // What the eye gets: the button's edge (border, or fill if it has none) and label, with its opacity, over the composer.
  const seen = await send.evaluate((el) => {
    const parse = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const s = getComputedStyle(el);
    const surface = parse(getComputedStyle(el.parentElement!).backgroundColor);
    const opacity = Number(s.opacity);
    const over = (c: number[]) => {
      const alpha = (c[3] ?? 1) * opacity;
      return [0, 1, 2].map((i) => c[i] * alpha + surface[i] * (1 - alpha));
    };
    return { surface, border: over(parse(s.borderTopColor)), fill: over(parse(s.backgroundColor)), text: over(parse(s.color)) };
  });
  const edge = Math.max(contrast(seen.border, seen.surface), contrast(seen.fill, seen.surface));
  expect(edge).toBeGreaterThanOrEqual(3);
  expect(contrast(seen.text, seen.fill)).toBeGreaterThanOrEqual(4.5);
});

test('on a phone, "Saved" is in view whatever was changed, and Reset asks before replacing typed instructions', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/');
  await page.getByTestId('open-settings').click();
  const prompt = page.getByLabel('Instructions for the assistant (system prompt)');
  await prompt.fill('Always answer in French.');
  await prompt.blur();
  await expect(page.getByTestId('settings-saved')).toHaveText('Saved');
  await expect(page.getByTestId('settings-saved')).toBeInViewport();

  await page.getByTestId('reset-settings').click();
  await expect(page.getByTestId('reset-confirm')).toBeVisible();
  await expect(prompt).toHaveValue('Always answer in French.');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(prompt).toHaveValue('Always answer in French.');
  await page.getByTestId('reset-settings').click();
  await page.getByTestId('reset-confirm-yes').click();
  await expect(prompt).toHaveValue(/helpful assistant/);
});
