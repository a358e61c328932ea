/**
 * Firefox: the first visit, with and without the host's COOP/COEP headers, chat with the demo model, and an offline
 * reload. Each visit is a fresh profile, so the service worker installs and activates during it, which is where
 * Firefox used to hold every request of the page for a minute (issue 21).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'puppeteer-core';
import { BASE_PORT, startPreview, type Server } from './servers';
import { STUCK_START_MS } from '../../src/lib/engine/client';
import { byTestId, consoleLog, engineFacts, sendAndWaitForReply, waitFor, waitForModelReady, withFirefox } from './firefox';

/** A first visit that works is ready in about 2 s here; the broken one failed after 60 s or never. */
const FIRST_VISIT_READY_MS = 20_000;
/**
 * Now and then (about one first visit in fifty, in CI) Firefox leaves the engine worker silent; the app ends it at
 * STUCK_START_MS and starts a fresh one, which is ready seconds later. That recovery is the app's answer to it, so a
 * visit may take that long, but only when the console shows the recovery (with the stage the silent worker reached).
 */
const RECOVERED_VISIT_READY_MS = STUCK_START_MS + FIRST_VISIT_READY_MS;
const REPLACED_WORKER = /did not answer within .*starting a fresh one/;

/** Waits for the model: FIRST_VISIT_READY_MS, or longer only if the app replaced a silent worker (any start: the
 * stall came on an offline reload too). */
async function waitForReadyOrRecovered(page: Page, visit: string): Promise<void> {
  const replacedLines = () => consoleLog(page).split('\n').filter((line) => REPLACED_WORKER.test(line));
  const earlier = replacedLines().length; // a recovery on an earlier start of this page does not excuse this one
  const seconds = await waitForModelReady(page, RECOVERED_VISIT_READY_MS);
  const replaced = replacedLines().slice(earlier);
  if (replaced.length > 0) console.log(`  ${visit}: the app replaced a silent engine worker, ready after ${seconds.toFixed(1)} s: ${replaced.join('; ')}`);
  else assert.ok(seconds * 1000 <= FIRST_VISIT_READY_MS, `${visit}: ready only after ${seconds.toFixed(1)} s, with no worker replaced\n${consoleLog(page)}`);
}
/** Fresh-profile first visits per kind of host (TRIT_FIREFOX_VISITS=20 TRIT_FIREFOX_PLAIN_VISITS=20 for a long run). */
const VISITS = Number(process.env.TRIT_FIREFOX_VISITS ?? 3);
const PLAIN_VISITS = Number(process.env.TRIT_FIREFOX_PLAIN_VISITS ?? 1);
/** navigator.serviceWorker.ready resolves at "activating" already; this is the state after it. */
const ACTIVATED = `navigator.serviceWorker.getRegistration().then((r) => r?.active?.state === 'activated')`;

let isolatedHost: Server;
let plainHost: Server;

before(async () => {
  [isolatedHost, plainHost] = await Promise.all([
    startPreview(BASE_PORT, { isolationHeaders: true }),
    startPreview(BASE_PORT + 1, { isolationHeaders: false }),
  ]);
});

after(async () => {
  await Promise.all([isolatedHost?.close(), plainHost?.close()]);
});

for (let visit = 1; visit <= VISITS; visit++) {
  test(`first visit ${visit} to a host with COOP/COEP: isolated, threaded, ready to chat within seconds`, async () => {
    await withFirefox(async ({ page }) => {
      const started = Date.now();
      await page.goto(isolatedHost.url);
      await waitForReadyOrRecovered(page, `first visit ${visit}`);
      const ready = (Date.now() - started) / 1000;
      // The app is saved for offline use within seconds too: the service worker does not stay "activating" (it
      // did for a minute, holding every request of the page, while its activation waited on clients.claim()).
      await waitFor(page, ACTIVATED, FIRST_VISIT_READY_MS);
      const activated = (Date.now() - started) / 1000;
      const facts = await engineFacts(page);
      assert.equal(facts.isolated, true);
      assert.match(facts.build, /threaded/);
      console.log(`  first visit ${visit}: ready in ${ready.toFixed(1)} s, service worker activated at ${activated.toFixed(1)} s (${facts.build})`);
      if (visit === 1) {
        // The demo model answers: the whole chain, page -> worker -> threaded engine, works in Firefox.
        const reply = await sendAndWaitForReply(page, 'What is 7 plus 5?');
        assert.ok(reply.text.trim().length > 0, 'the reply is empty');
        assert.notEqual(reply.stopReason, 'aborted');
      }
      // The service worker takes control of this first page too (it claims clients without holding activation).
      await waitFor(page, 'navigator.serviceWorker.controller !== null', 20_000);
    });
  });
}

for (let visit = 1; visit <= PLAIN_VISITS; visit++) {
  test(`first visit ${visit} to a host without headers: reloads once under the service worker, isolated and threaded`, async () => {
    await withFirefox(async ({ page }) => {
      const started = Date.now();
      const response = await page.goto(plainHost.url);
      assert.equal(response?.headers()['cross-origin-embedder-policy'], undefined);
      await waitFor(page, 'crossOriginIsolated === true', FIRST_VISIT_READY_MS);
      await waitForReadyOrRecovered(page, `first visit ${visit} without headers`);
      const facts = await engineFacts(page);
      assert.equal(facts.controlled, true);
      assert.match(facts.build, /threaded/);
      console.log(`  first visit ${visit} without headers: isolated and ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
  });
}

test('offline: a reload and a deep link load from the service worker, isolated and threaded', async () => {
  // Its own server, so "offline" is real: the host is gone, not an emulation the service worker might bypass.
  const host = await startPreview(BASE_PORT + 2, { isolationHeaders: true });
  let stopped = false;
  try {
    await withFirefox(async ({ page }) => {
      await page.goto(host.url);
      await waitForReadyOrRecovered(page, 'offline test, online visit');
      // A controlling service worker has finished installing, so everything is precached.
      await waitFor(page, 'navigator.serviceWorker.controller !== null', 20_000);
      await host.close();
      stopped = true;

      await page.reload();
      await waitForReadyOrRecovered(page, 'offline reload');
      const facts = await engineFacts(page);
      assert.equal(facts.isolated, true);
      assert.match(facts.build, /threaded/);
      const reply = await sendAndWaitForReply(page, 'Hello');
      assert.ok(reply.text.trim().length > 0, 'the reply is empty');

      await page.goto(`${host.url}/some/deep/link`);
      await waitForReadyOrRecovered(page, 'offline deep link');
      assert.equal(await page.$eval('h1', (h) => h.textContent?.trim()), 'Trit');
      assert.ok(await page.$(byTestId('composer')));
    });
  } finally {
    if (!stopped) await host.close();
  }
});
