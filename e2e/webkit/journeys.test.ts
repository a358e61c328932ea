/**
 * The journeys that matter, in WebKit (WebKitGTK's MiniBrowser under Xvfb, driven over W3C WebDriver), in both
 * modes Safari's engine can be in: as shipped on Linux, without SharedArrayBuffer (one thread), and with
 * JSC_useSharedArrayBuffer=1, the Safari-like case (threaded, the thread count chosen by the probe).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticModel } from '../../scripts/make-fixture';
import {
  attr,
  button,
  byTestId,
  closeDialog,
  openMiniBrowser,
  send,
  sendAndWaitForReply,
  setSetting,
  textOf,
  threadsInUse,
  waitFor,
  waitForModelReady,
  waitForServiceWorkerControl,
} from './app-steps';
import { ROOT, startModelHost, startPreview, type ModelHost, type Server } from '../support/hosts';
import { startWebDriver, startXvfb, webkitAvailable, type Running } from './processes';
import type { WebDriverSession } from './webdriver';

/** What the engine was running, for a failure message: build, threads, kernel, memory saving, context. */
async function engineState(s: WebDriverSession): Promise<string> {
  return JSON.stringify(await s.execute<Record<string, string | null>>(`
    const read = (id, attr) => { const el = document.querySelector('[data-testid="' + id + '"]'); return el ? (attr ? el.getAttribute(attr) : el.textContent) : null; };
    return { build: read('build'), threads: read('threads-in-use', 'data-threads'), kernel: read('i2s-kernel'),
      memorySaving: read('memory-saving'), context: read('context-in-use'), threadChoice: localStorage.getItem('trit-thread-choice') };`));
}

// Not 4190: it is on the Fetch standard's list of blocked ports (ManageSieve), so fetch() and browsers refuse it.
const PORT = Number(process.env.TRIT_WEBKIT_PORT ?? 4620);
const SHOTS = join(ROOT, 'test-results', 'webkit');

// TRIT_WEBKIT_MODES=shipped or =threaded runs one mode only (while working on one).
const MODES = [
  { name: 'as shipped (no SharedArrayBuffer: one thread)', slug: 'shipped', env: {} as Record<string, string>, threaded: false },
  { name: 'with JSC_useSharedArrayBuffer=1 (threaded)', slug: 'threaded', env: { JSC_useSharedArrayBuffer: '1' }, threaded: true },
].filter((m) => !process.env.TRIT_WEBKIT_MODES || process.env.TRIT_WEBKIT_MODES.split(',').includes(m.slug));

const missing = webkitAvailable();
if (missing) throw new Error(`WebKit tests cannot run: ${missing}`);

let xvfb: Running & { display: string };
let talkative: ModelHost;
let dir: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  xvfb = await startXvfb();
  // The demo model answers in a few tokens: nothing to stop. A random-weight model of real architecture talks on.
  dir = mkdtempSync(join(tmpdir(), 'trit-webkit-'));
  const file = join(dir, 'tiny.gguf');
  await writeSyntheticModel(file, { embd: 512, layers: 4, heads: 8, headsKv: 2, ff: 1408, vocab: 4096, ctx: 4096 }, { seed: 7 });
  talkative = await startModelHost({ files: { 'tiny.gguf': file } });
});

afterAll(async () => {
  await talkative?.close();
  await xvfb?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(MODES)('WebKit $name', (mode) => {
  let driver: Running & { url: string };
  let server: Server;
  let s: WebDriverSession;

  beforeAll(async () => {
    server = await startPreview(PORT);
    driver = await startWebDriver(PORT + 1, xvfb.display, mode.env);
    s = await openMiniBrowser(driver.url);
  });

  afterAll(async () => {
    await s?.close();
    await driver?.stop();
    await server?.close();
  });

  async function shot(name: string) {
    writeFileSync(join(SHOTS, `${mode.slug}-${name}.png`), await s.screenshot());
  }

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') {
      await shot(`failed-${ctx.task.name.slice(0, 20).replace(/\W+/g, '-')}`).catch(() => undefined);
      console.log(`page at failure: ${await s.execute<string>('return document.body.innerText.slice(0, 2000);').catch(String)}`);
    }
    await closeDialog(s).catch(() => undefined);
  });

  it('first visit: isolated, controlled by the service worker, demo model ready, and a true notice', async () => {
    await s.navigate(server.url);
    await waitForServiceWorkerControl(s);
    await waitForModelReady(s);
    const page = await s.execute<{ isolated: boolean; sab: boolean; cores: number }>(
      'return { isolated: crossOriginIsolated, sab: typeof SharedArrayBuffer === "function", cores: navigator.hardwareConcurrency };',
    );
    expect(page.isolated).toBe(true);
    expect(page.sab).toBe(mode.threaded);
    expect(await textOf(s, '[data-testid="model-chip"]')).toContain('demo');
    await waitFor('the engine check', async () => !(await textOf(s, '[data-testid="build"]')).includes('…'));
    expect(await textOf(s, '[data-testid="build"]')).toBe(mode.threaded ? 'SIMD, threaded' : 'SIMD, one thread');
    const notices = await s.findAll('[data-testid="single-thread-notice"]');
    if (mode.threaded) {
      expect(notices).toHaveLength(0);
    } else {
      // Isolated, but the browser has no shared memory: the notice must not blame isolation.
      const notice = await textOf(s, '[data-testid="single-thread-notice"]');
      expect(notice).toMatch(/offers no shared memory/);
      expect(notice).not.toMatch(/not cross-origin isolated/);
    }
    await waitFor('the kernel self-test', () => attr(s, '[data-testid="selftest"]', 'data-ok').then((v) => v ?? undefined), 120_000);
    expect(await attr(s, '[data-testid="selftest"]', 'data-ok')).toBe('true');
    await shot('first-visit');
  });

  it('demo chat: 7 plus 5 is 12, on the thread count the probe measured', async () => {
    const reply = await sendAndWaitForReply(s, 'What is 7 plus 5?');
    expect(reply).toContain('12');
    const choice = await s.execute<{ threads: number; msByThreads: Record<string, number> } | null>(
      'return JSON.parse(localStorage.getItem("trit-thread-choice") ?? "null");',
    );
    if (mode.threaded) {
      // The pool has hardwareConcurrency threads; the probe timed 1, 2, 4 ... of them and the engine uses its pick.
      expect(choice).not.toBeNull();
      expect(Object.keys(choice!.msByThreads).length).toBeGreaterThanOrEqual(2);
      expect(await threadsInUse(s)).toBe(choice!.threads);
      console.log(`WebKit threaded: probe ${JSON.stringify(choice!.msByThreads)} ms -> ${choice!.threads} thread(s)`);
    } else {
      // One thread is all there is: nothing to measure.
      expect(choice).toBeNull();
      expect(await threadsInUse(s)).toBe(1);
    }
    await shot('demo-chat');
  });

  it('offline: with the server gone, a reload opens the app, keeps the chat and answers', async () => {
    await server.close();
    try {
      await s.reload();
      await waitForModelReady(s);
      const item = await waitFor('the saved chat', async () => {
        const items = await s.findAll('[data-testid="conversation-item"]');
        return items.length ? items[0] : undefined;
      });
      expect(await s.execute<string>('return arguments[0].textContent;', item)).toContain('What is 7 plus 5?');
      await s.click(item);
      await waitFor('the saved messages', async () => (await s.findAll('[data-testid="message-assistant"]')).length === 1);
      expect(await textOf(s, '[data-testid="message-assistant"]')).toContain('12');
      // A new chat, since the demo model knows its practised questions only at the start of a conversation.
      await s.click(await button(s, 'New chat'));
      const reply = await sendAndWaitForReply(s, 'What is 7 plus 5?');
      // About 1 run in 6 answered 13 here: the page then showed the question twice in the old chat. "New chat" had come
      // before the tapped chat's read finished, and the read put the old chat back (fixed in AppState; see
      // test/ui/chat-moves.test.ts). A failure says what the engine was running, should a wrong answer have another cause.
      expect(reply, reply.includes('12') ? '' : await engineState(s)).toContain('12');
      console.log(`WebKit ${mode.slug} offline: ${await textOf(s, '[data-testid="build"]')}`);
      await shot('offline');
    } finally {
      server = await startPreview(PORT);
    }
  });

  // WebKit's automation sessions are ephemeral, like Safari's Private Browsing, and there IndexedDB refuses Blobs
  // ("UnknownError: Error preparing Blob/File data to be stored in object store") while it takes Uint8Arrays: the
  // store then keeps the bytes as they are (src/lib/store/backend.ts putBytes). Import and download cover that.
  it('import: a model file added from disk is stored and loads', async () => {
    await s.click(await byTestId(s, 'model-chip'));
    const input = await s.find('[data-testid="model-manager"] input[type="file"]');
    await s.sendKeys(input, join(ROOT, 'test/fixtures/small.gguf'));
    const entry = '[data-testid^="model-"][data-state="ready"]';
    await waitFor('the imported model to be ready', () =>
      s.execute<boolean>(`return [...document.querySelectorAll(arguments[0])].some((e) => e.textContent.includes('small'));`, entry),
    20_000);
    const use = await s.execute<unknown>(
      `const e = [...document.querySelectorAll(arguments[0])].find((x) => x.textContent.includes('small'));
       return [...e.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Use this model') ?? null;`,
      entry,
    );
    expect(use).not.toBeNull();
    await s.click(use as never);
    await closeDialog(s);
    await waitFor('the chip to show the imported model', async () => (await textOf(s, '[data-testid="model-chip"]')).includes('small'));
    await waitForModelReady(s);
  });

  it('Stop during a long reply gives control back within a second, and the next message works', async () => {
    await s.click(await byTestId(s, 'model-chip'));
    const urlField = await s.find('#model-url');
    await s.sendKeys(urlField, talkative.fileUrl('tiny.gguf'));
    await s.click(await button(s, 'Add', '[data-testid="model-manager"]'));
    const entry = '[data-testid^="model-url-tiny"]';
    await s.click(await waitFor('the Download button', () =>
      s.execute<unknown>(`return [...(document.querySelector(arguments[0])?.querySelectorAll('button') ?? [])].find((b) => b.textContent.startsWith('Download')) ?? null;`, entry)
        .then((b) => b ?? undefined)) as never);
    await waitFor('the download', async () => (await attr(s, entry, 'data-state')) === 'ready', 20_000);
    await s.click(await button(s, 'Use this model', entry));
    await closeDialog(s);
    await waitFor('the chip to show tiny.gguf', async () => (await textOf(s, '[data-testid="model-chip"]')).includes('tiny.gguf'));
    await waitForModelReady(s);
    await setSetting(s, 'Maximum reply length (tokens)', '4096');

    await s.click(await button(s, 'New chat'));
    await send(s, 'Write a very long story about a school trip, with many chapters.');
    await waitFor('text to stream', () =>
      s.execute<boolean>(`const m = [...document.querySelectorAll('[data-testid="message-assistant"]')].pop();
        return !!m && m.getAttribute('data-pending') === 'true' && m.querySelector('.markdown')?.textContent.trim().length > 0;`), 120_000);
    const pressed = Date.now();
    await s.click(await byTestId(s, 'stop'));
    await waitFor('control back', () =>
      s.execute<boolean>(`const m = [...document.querySelectorAll('[data-testid="message-assistant"]')].pop();
        return m.getAttribute('data-pending') === 'false' && !!document.querySelector('[data-testid="send"]');`), 5_000);
    expect(Date.now() - pressed).toBeLessThan(1_500);
    // The worker reports how the reply ended once it has finished its step: within a second or two.
    await waitFor('the reply to be marked aborted', async () =>
      (await s.execute<string>(`return [...document.querySelectorAll('[data-testid="message-assistant"]')].pop().getAttribute('data-stop-reason');`)) === 'aborted',
    3_000);
    await setSetting(s, 'Maximum reply length (tokens)', '16');
    const next = await sendAndWaitForReply(s, 'And then?');
    expect(next.trim().length).toBeGreaterThan(0);
    await shot('stop');
  });
});
