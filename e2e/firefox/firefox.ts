/**
 * Debian's Firefox ESR driven through WebDriver BiDi by puppeteer-core (nothing downloads a browser), each test in
 * a fresh profile: a first visit is only a first visit with no service worker, cache or permission left over.
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIREFOX = process.env.TRIT_FIREFOX ?? '/usr/bin/firefox-esr';

export interface Firefox {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

export async function openFirefox(): Promise<Firefox> {
  const profile = mkdtempSync(join(tmpdir(), 'trit-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profile,
    defaultViewport: { width: 1024, height: 800 },
  });
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  // What the page and its workers said (WebDriver BiDi reports the engine worker's console too), with the seconds
  // since launch: a start-up that fails is reported with it.
  const started = Date.now();
  const log: string[] = [];
  consoleLogs.set(page, log);
  const note = (line: string) => log.push(`${((Date.now() - started) / 1000).toFixed(2)} s ${line}`);
  page.on('console', (m) => note(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => note(`page error: ${String(e)}`));
  page.on('requestfailed', (r) => note(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  return {
    browser,
    page,
    close: async () => {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Runs `body` with a fresh Firefox, closed afterwards whatever happens. */
export async function withFirefox<T>(body: (ff: Firefox) => Promise<T>): Promise<T> {
  const ff = await openFirefox();
  try {
    return await body(ff);
  } finally {
    await ff.close();
  }
}

const byTestId = (id: string) => `[data-testid="${id}"]`;

const consoleLogs = new WeakMap<Page, string[]>();

/** The page's console, page errors and failed requests so far, one per line. */
export function consoleLog(page: Page): string {
  return (consoleLogs.get(page) ?? []).join('\n');
}

/** Waits until the model chip says ready; a load error fails with the app's own message. Returns the seconds taken. */
export async function waitForModelReady(page: Page, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await waitForModelPhase(page, timeoutMs);
  const phase = await page.$eval(byTestId('model-chip'), (el) => el.getAttribute('data-phase'));
  if (phase !== 'ready') {
    const text = await page.evaluate(() => document.querySelector('[role="alert"]')?.textContent ?? '(no message)');
    throw new Error(`the model did not load: ${text}`);
  }
  return (Date.now() - started) / 1000;
}

async function waitForModelPhase(page: Page, timeoutMs: number): Promise<void> {
  await page
    .waitForFunction(
      (sel) => /ready|error/.test(document.querySelector(sel)?.getAttribute('data-phase') ?? ''),
      { timeout: timeoutMs, polling: 100 },
      byTestId('model-chip'),
    )
    .catch(async (e: unknown) => {
      const chip = await page.$eval(byTestId('model-chip'), (el) => `${el.getAttribute('data-phase')}: ${el.textContent}`).catch(() => 'no chip');
      const facts = await page
        .evaluate(() => `build "${document.querySelector('[data-testid="build"]')?.textContent ?? ''}", controlled ${navigator.serviceWorker.controller !== null}, engine error "${document.querySelector('[data-testid="engine-error"]')?.textContent ?? ''}"`)
        .catch(() => '(page gone)');
      throw new Error(`the model was not ready within ${timeoutMs / 1000} s (chip ${chip}; ${facts}) (${String(e)})\nconsole:\n${consoleLog(page)}`);
    });
}

/** What the page knows of its isolation and engine: crossOriginIsolated, the engine build line and thread count. */
export async function engineFacts(page: Page): Promise<{ isolated: boolean; controlled: boolean; build: string }> {
  return page.evaluate(() => ({
    isolated: crossOriginIsolated,
    controlled: navigator.serviceWorker.controller !== null,
    build: document.querySelector('[data-testid="build"]')?.textContent ?? '',
  }));
}

/** Waits until the expression `fn` (a promise is awaited) is truthy in the page; a timeout names what it waited for. */
export async function waitFor(page: Page, fn: string, timeoutMs: number): Promise<void> {
  try {
    await page.waitForFunction(fn, { timeout: timeoutMs, polling: 100 });
  } catch (e) {
    throw new Error(`not true within ${timeoutMs / 1000} s: ${fn} (${String(e)})`);
  }
}

/** Sends a message and waits for the complete reply; returns its text and stop reason. */
export async function sendAndWaitForReply(page: Page, text: string, timeoutMs = 60_000): Promise<{ text: string; stopReason: string }> {
  const before = await page.$$eval(byTestId('message-assistant'), (els) => els.length);
  await page.type(byTestId('composer'), text);
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    (n) => {
      const reply = document.querySelectorAll('[data-testid="message-assistant"]')[n];
      return reply?.getAttribute('data-pending') === 'false' && !!reply.getAttribute('data-stop-reason');
    },
    { timeout: timeoutMs, polling: 100 },
    before,
  );
  return page.$$eval(
    byTestId('message-assistant'),
    (els, n) => ({ text: (els[n] as HTMLElement).innerText, stopReason: els[n]!.getAttribute('data-stop-reason') ?? '' }),
    before,
  );
}

export { byTestId };

/** Clicks, as a person would (real pointer input), the first button inside `scope` whose text matches `text`. */
export async function clickButton(page: Page, scope: string, text: RegExp, timeoutMs = 30_000): Promise<void> {
  const handle = await page.waitForFunction(
    (scope, source, flags) => {
      const re = new RegExp(source, flags);
      for (const root of document.querySelectorAll(scope)) {
        for (const b of root.querySelectorAll('button')) {
          if (re.test(b.textContent?.trim() ?? '') && !b.disabled) return b;
        }
      }
      return null;
    },
    { timeout: timeoutMs, polling: 100 },
    scope,
    text.source,
    text.flags,
  );
  const button = handle.asElement() as import('puppeteer-core').ElementHandle<HTMLButtonElement>;
  await button.click();
}
