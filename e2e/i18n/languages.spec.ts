/**
 * The app in the pupils' own language (issue 19): it follows the browser, Arabic reads right to left, no English
 * shows in Arabic or Hindi, axe stays clean in every shipped language, and the choice in Settings is kept.
 */
import { expect, test, type Browser, type Page, type TestInfo } from '@playwright/test';
import { LANGUAGES } from '../../src/lib/ui/i18n/languages';
import { withoutLatinNames } from '../../src/lib/ui/i18n/latin-names';
import { en, type Strings } from '../../src/lib/ui/strings';
import { TRANSLATIONS } from '../../src/lib/ui/i18n/translations';
import { sendAndWaitForReply, waitForModelReady } from '../app/helpers';
import { expectNoHorizontalScroll, expectNoSeriousViolations, screenshot as keepScreenshot } from '../support/page-checks';

const PHONE = { width: 360, height: 740 };
// A question the demo model was trained on (it only knows English ones), so the chat shows a real reply.
const PROMPT = 'What can you do?'; // one of LATIN_NAMES: what the person typed is theirs, not the UI's

/** The languages' own names, in the picker, may show in any language besides the names every language keeps. */
const PICKER_NAMES = LANGUAGES.map((l) => l.name);

function tableOf(code: string): Strings {
  const table = (TRANSLATIONS as Partial<Record<string, Strings>>)[code];
  if (!table) throw new Error(`no table for ${code}`);
  return table;
}

/** This suite's screenshots sit beside the layout suite's, named apart by their i18n- prefix. */
const screenshot = (page: Page, testInfo: TestInfo, name: string) => keepScreenshot(page, testInfo, `i18n-${name}`);

/** Every piece of text a person (or a screen reader) meets on the page now, except what they or the model wrote. */
function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const isContent = (el: Element) => el.closest('.markdown, .user-text, [data-testid="conversation-item"], [data-testid="search-hit"]');
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.trim();
      if (!el || !text || isContent(el) || el.closest('script, style, template')) continue;
      // Options of a closed list are met as soon as it opens; hidden dialogs are not met at all.
      if (el.closest('option') ? el.closest('select')?.checkVisibility() : el.checkVisibility()) out.push(text);
    }
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], [alt], [aria-valuetext]')) {
      if (isContent(el) || !el.checkVisibility()) continue;
      for (const a of ['aria-label', 'placeholder', 'title', 'alt', 'aria-valuetext']) {
        const v = el.getAttribute(a)?.trim();
        if (v) out.push(v);
      }
    }
    return out;
  });
}

/** English on the page: a string of the English table the translation changes, or Latin words that are not data. */
function englishIn(texts: string[], code: 'ar' | 'hi'): string[] {
  const table = TRANSLATIONS[code];
  const translated = new Set(Object.values(table));
  const englishOnly = new Set<string>(Object.values(en).filter((v) => !v.includes('{') && !translated.has(v)));
  const found = new Set<string>();
  for (const text of texts) {
    if (englishOnly.has(text)) found.add(`table string: ${text}`);
    // URLs (the example link of the model box) are addresses, not words.
    let rest = text.replace(/https?:\/\/\S+/g, ' ');
    rest = withoutLatinNames(rest, PICKER_NAMES);
    if (/[A-Za-z]{2,}/.test(rest)) found.add(`Latin words: ${text}`);
  }
  return [...found];
}

async function newPage(browser: Browser, locale: string, viewport = PHONE): Promise<Page> {
  const context = await browser.newContext({ locale, viewport, reducedMotion: 'reduce' });
  return context.newPage();
}

/** Visits every main screen at phone size: checks each for English and axe, and keeps a screenshot of each. */
async function tourInLanguage(page: Page, testInfo: TestInfo, code: 'ar' | 'hi') {
  const texts: string[] = [];
  const visit = async (name: string) => {
    texts.push(...(await visibleTexts(page)));
    await screenshot(page, testInfo, `${code}-phone-${name}`);
    await expectNoSeriousViolations(page, `${code} ${name}`);
    await expectNoHorizontalScroll(page, name);
  };

  await visit('start');

  await sendAndWaitForReply(page, PROMPT);
  await page.getByTestId('stats').locator('summary').first().click();
  await visit('chat');

  // The chat's own tools: its instructions, the presets a teacher keeps, saving or printing it.
  await page.getByTestId('chat-instructions').locator('summary').click();
  await page.getByTestId('open-presets').click();
  await expect(page.getByTestId('preset-manager')).toBeVisible();
  await visit('presets');
  await page.keyboard.press('Escape');
  await page.getByTestId('chat-export').click();
  await expect(page.getByTestId('save-markdown')).toBeVisible();
  await visit('chat-tools');
  await page.keyboard.press('Escape');

  await page.getByTestId('toggle-sidebar').click();
  await page.locator('aside details.manage > summary').click();
  await page.locator('aside details.device > summary').click();
  await expect(page.getByTestId('selftest')).toBeVisible({ timeout: 120_000 });
  await page.locator('aside details.device details summary').first().click();
  await visit('chats');
  await page.keyboard.press('Escape');

  await page.getByTestId('open-settings').click();
  await expect(page.getByTestId('settings')).toBeVisible();
  await visit('settings');
  await page.keyboard.press('Escape');

  await page.getByTestId('model-chip').click();
  await expect(page.getByTestId('model-manager')).toBeVisible();
  await visit('models');
  await page.locator('.classroom-open').click();
  await visit('classroom');
  await page.keyboard.press('Escape');

  expect(englishIn(texts, code)).toEqual([]);
}

test('Arabic from the browser: right to left, no English on any main screen, axe clean', async ({ browser }, testInfo) => {
  const page = await newPage(browser, 'ar');
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
  // Right to left for real: the message box starts at the right, with Send on its left.
  await waitForModelReady(page);
  const composer = (await page.getByTestId('composer').boundingBox())!;
  const send = (await page.getByTestId('send').boundingBox())!;
  expect(send.x + send.width).toBeLessThanOrEqual(composer.x + 1);
  await tourInLanguage(page, testInfo, 'ar');
  // The chat drawer slides in from the right-hand edge, the start of the line in Arabic.
  await page.getByTestId('toggle-sidebar').click();
  const drawer = (await page.locator('aside').boundingBox())!;
  expect(Math.round(drawer.x + drawer.width)).toBe(PHONE.width);
  await page.keyboard.press('Escape');
  // On a tablet in landscape the chat list stays open beside the chat, on the right.
  await page.setViewportSize({ width: 1024, height: 768 });
  const aside = (await page.locator('aside').boundingBox())!;
  const main = (await page.locator('main').boundingBox())!;
  expect(aside.x).toBeGreaterThanOrEqual(main.x + main.width - 1);
  await screenshot(page, testInfo, 'ar-tablet-landscape');
  await expectNoSeriousViolations(page, 'ar tablet');
  await page.context().close();
});

test('Hindi from the browser: no English on any main screen, axe clean, nothing cut off at phone size', async ({ browser }, testInfo) => {
  const page = await newPage(browser, 'hi-IN');
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
  await expect(page.locator('html')).toHaveAttribute('lang', 'hi-IN');
  await waitForModelReady(page);
  await tourInLanguage(page, testInfo, 'hi');
  await page.context().close();
});

for (const { code, dir } of LANGUAGES.filter((l) => !['en', 'ar', 'hi'].includes(l.code))) {
  test(`${code}: the browser's language is used, axe clean on the main screens`, async ({ browser }, testInfo) => {
    const page = await newPage(browser, code, { width: 800, height: 1000 });
    await page.goto('/');
    await expect(page.locator('html')).toHaveAttribute('lang', code);
    await expect(page.locator('html')).toHaveAttribute('dir', dir);
    await waitForModelReady(page);
    await expect(page.getByTestId('send')).toHaveText(tableOf(code).send);
    await expectNoSeriousViolations(page, `${code} start`);
    await screenshot(page, testInfo, `${code}-tablet-start`);
    await page.getByTestId('open-settings').click();
    await expect(page.getByTestId('settings')).toBeVisible();
    await expect(page.getByLabel(tableOf(code).language)).toHaveValue('auto');
    await expectNoSeriousViolations(page, `${code} settings`);
    await page.keyboard.press('Escape');
    await page.getByTestId('model-chip').click();
    await expect(page.getByTestId('model-manager')).toBeVisible();
    await expectNoSeriousViolations(page, `${code} models`);
    await page.context().close();
  });
}

test('French numbers: the decimal comma in Settings, the units of the model list', async ({ browser }) => {
  const page = await newPage(browser, 'fr-FR', { width: 800, height: 1000 });
  await page.goto('/');
  await waitForModelReady(page);
  await page.getByTestId('open-settings').click();
  await expect(page.locator('output[for="temperature"]')).toHaveText(/^\d,\d\d$/);
  await page.keyboard.press('Escape');
  await page.getByTestId('model-chip').click();
  // Sizes in French units (Mo, Go), with the comma.
  await expect(page.getByTestId('model-manager')).toContainText(/\d+(,\d+)?\s(ko|Mo|Go)/);
  await page.context().close();
});

test('the language picked in Settings applies at once, is kept after a reload, and "same as browser" goes back', async ({ page }) => {
  // As on a cheap phone: a narrow screen and a processor four times slower.
  await page.setViewportSize(PHONE);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.goto('/');
  await waitForModelReady(page);
  await page.getByTestId('open-settings').click();
  await page.getByLabel('Language').selectOption('ar');
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.getByTestId('settings')).toContainText(TRANSLATIONS.ar.systemPrompt);
  // The chat behind the dialog changed too, without a reload.
  await expect(page.getByTestId('send')).toHaveText(TRANSLATIONS.ar.send);

  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
  await expect(page.getByTestId('send')).toHaveText(TRANSLATIONS.ar.send);
  await page.getByTestId('open-settings').click();
  await expect(page.getByTestId('language')).toHaveValue('ar');
  await page.getByTestId('language').selectOption('auto');
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
  await expect(page.getByTestId('send')).toHaveText(en.send);
  await page.reload();
  await expect(page.getByTestId('send')).toHaveText(en.send);
});

test('Arabic: a broken model file is refused in Arabic words, with the English detail one tap away', async ({ browser }) => {
  const page = await newPage(browser, 'ar');
  await page.goto('/');
  await page.getByTestId('open-models').click();
  await page.getByLabel(TRANSLATIONS.ar.importFile).setInputFiles({
    name: 'notes.gguf', mimeType: 'application/octet-stream', buffer: Buffer.from('These are lesson notes, not a model.\n'.repeat(50)),
  });
  const error = page.getByTestId('import-error');
  await expect(error.locator('p').first()).toHaveText(TRANSLATIONS.ar.errBadFile);
  expect(englishIn([await error.locator('p').first().innerText()], 'ar')).toEqual([]);
  await error.locator('summary').click();
  // The code and the engine's own English, for whoever helps the teacher.
  await expect(error.locator('details p')).toContainText(/^[a-z_]+: \S/);
  await page.context().close();
});
