/** The app's steps as a person takes them, through WebDriver: clicks and typing, read back from the page. */
import { ENTER, WebDriverSession, type ElementRef } from './webdriver';
import { miniBrowserPath } from './processes';

export async function openMiniBrowser(driverUrl: string): Promise<WebDriverSession> {
  const session = await WebDriverSession.create(driverUrl, {
    browserName: 'MiniBrowser',
    'webkitgtk:browserOptions': { binary: miniBrowserPath(), args: ['--automation'] },
  });
  await session.setTimeouts({ script: 120_000, pageLoad: 60_000 });
  await session.setWindowRect(1280, 900);
  return session;
}

/** Polls `probe` in Node until it returns something other than undefined/null/false (WebDriver turns undefined into null). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const byTestId = (s: WebDriverSession, id: string) => s.find(`[data-testid="${id}"]`);

/** A visible button whose text is exactly `text` (inside the element matching `within`, if given). */
export async function button(s: WebDriverSession, text: string, within?: string): Promise<ElementRef> {
  return waitFor(`a "${text}" button`, () =>
    s.execute<ElementRef | null>(
      `const root = arguments[1] ? document.querySelector(arguments[1]) : document;
       return [...(root?.querySelectorAll('button') ?? [])].find((b) => b.textContent.trim() === arguments[0] && b.offsetParent !== null) ?? null;`,
      text,
      within ?? null,
    ).then((el) => el ?? undefined),
  );
}

export async function attr(s: WebDriverSession, css: string, name: string): Promise<string | null> {
  return s.execute<string | null>('return document.querySelector(arguments[0])?.getAttribute(arguments[1]) ?? null;', css, name);
}

export async function textOf(s: WebDriverSession, css: string): Promise<string> {
  return s.execute<string>('return document.querySelector(arguments[0])?.textContent ?? "";', css);
}

export async function waitForServiceWorkerControl(s: WebDriverSession): Promise<void> {
  await waitFor('the service worker to control the page', () => s.execute<boolean>('return navigator.serviceWorker?.controller != null;'));
}

/** The model chip says "ready" once a model has loaded; an error is reported as one. */
export async function waitForModelReady(s: WebDriverSession, ms = 120_000): Promise<void> {
  const phase = await waitFor('the model to load', async () => {
    const p = await attr(s, '[data-testid="model-chip"]', 'data-phase');
    return p === 'ready' || p === 'error' ? p : undefined;
  }, ms);
  if (phase === 'error') throw new Error(`the model did not load: ${await textOf(s, '[data-testid="model-error"]')}`);
}

export async function assistantCount(s: WebDriverSession): Promise<number> {
  return (await s.findAll('[data-testid="message-assistant"]')).length;
}

/** Types a message and presses Enter, as a person does. */
export async function send(s: WebDriverSession, text: string): Promise<void> {
  const composer = await byTestId(s, 'composer');
  await s.clear(composer);
  await s.sendKeys(composer, text + ENTER);
}

/** Sends a message and waits for the whole reply; returns its text. */
export async function sendAndWaitForReply(s: WebDriverSession, text: string, ms = 120_000): Promise<string> {
  const before = await assistantCount(s);
  await send(s, text);
  return waitFor(`the reply to "${text}"`, () =>
    s.execute<string | undefined>(
      `const m = document.querySelectorAll('[data-testid="message-assistant"]')[arguments[0]];
       return m && m.getAttribute('data-pending') === 'false' && m.getAttribute('data-stop-reason') ? m.innerText : undefined;`,
      before,
    ), ms);
}

/** Sets a settings field by its label, as typing into it and leaving it does, and waits for "Saved". */
export async function setSetting(s: WebDriverSession, label: string, value: string): Promise<void> {
  await s.click(await byTestId(s, 'open-settings'));
  const field = await waitFor(`the "${label}" field`, () =>
    s.execute<ElementRef | null>(
      `const l = [...document.querySelectorAll('label')].find((x) => x.textContent.trim() === arguments[0]);
       return (l && (l.control ?? document.getElementById(l.htmlFor))) ?? null;`,
      label,
    ).then((el) => el ?? undefined),
  );
  const current = () => s.execute<string>('return arguments[0].value;', field);
  // WebKitGTK's driver does not always empty a number field on select-and-delete: typing "16" after "4096" gave
  // "409616", which the app clamps to 4096 (a later reply ran for thousands of tokens). Each way in turn, until the
  // field is empty: select and Delete, then Backspace once per character as a person would. Not WebDriver's clear:
  // it fires change, the app saves the empty field as its clamped value and writes that back, and on a busy machine
  // the write-back landed after the field had been emptied here ("could not be emptied: it holds 4096").
  await s.execute('arguments[0].focus(); arguments[0].select();', field);
  await s.sendKeys(field, '\uE017');
  for (let left = (await current()).length; left > 0 && (await current()) !== ''; left--) {
    await s.execute('arguments[0].focus();', field);
    await s.sendKeys(field, '\uE010\uE003');
  }
  if ((await current()) !== '') throw new Error(`the "${label}" field could not be emptied: it holds ${JSON.stringify(await current())}`);
  await s.sendKeys(field, value);
  await s.execute('arguments[0].blur(); arguments[0].dispatchEvent(new Event("change", { bubbles: true }));', field);
  await waitFor('the settings to be saved', async () => (await textOf(s, '[data-testid="settings-saved"]')) === 'Saved');
  const stored = await s.execute<string>('return arguments[0].value;', field);
  if (stored !== value) throw new Error(`the "${label}" field holds ${JSON.stringify(stored)} after typing ${JSON.stringify(value)}`);
  await closeDialog(s);
}

export async function closeDialog(s: WebDriverSession): Promise<void> {
  await s.execute('document.querySelector("dialog[open]")?.close();');
}

/** The engine's own figures, as the Device panel shows them after a reply. */
export async function threadsInUse(s: WebDriverSession): Promise<number> {
  return Number(await attr(s, '[data-testid="threads-in-use"]', 'data-threads'));
}
