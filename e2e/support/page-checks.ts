/**
 * Checks a person's view of a page must pass at any size and in any language, one copy for every spec that makes
 * them: no serious axe violation, controls a finger can hit, no sideways scrolling; and screenshots kept for a person
 * to look at.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

/** Kept under test-results/screenshots (outside Playwright's per-run folder), so they outlive the run. */
const SCREENSHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');

export async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}/${name}.png`;
  await page.screenshot({ path, fullPage: false });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** Fails on any axe violation (WCAG 2.1 A and AA) rated serious or critical; `label` says which screen. */
export async function expectNoSeriousViolations(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${label}: ${v.id} (${v.impact}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious).toEqual([]);
}

/** Every visible control is at least 44 x 44 CSS pixels, so a finger can hit it; `label` says which screen. */
export async function expectTouchTargets(page: Page, label = 'page') {
  const small = await page.evaluate(() =>
    [...document.querySelectorAll('button, summary, select, input:not([type=hidden]), textarea, a[href]')]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        // What is inert (behind an open dialog) cannot be touched at all.
        const visible = r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && !el.closest('.visually-hidden, [inert]');
        // Links inside text (a model's reply) follow text size, as WCAG 2.5.8 allows for inline targets.
        const inline = el.tagName === 'A' && el.closest('.markdown');
        return visible && !inline && (r.height < 44 || r.width < 44) && el.getAttribute('type') !== 'range';
      })
      .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 30)}" ${Math.round(el.getBoundingClientRect().width)}x${Math.round(el.getBoundingClientRect().height)}`),
  );
  expect(small, label).toEqual([]);
}

/** The page is no wider than the screen; `label` says which screen. */
export async function expectNoHorizontalScroll(page: Page, label = 'page') {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${label}: the page scrolls sideways`).toBeLessThanOrEqual(0);
}
