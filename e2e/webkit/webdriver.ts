/**
 * A small W3C WebDriver client over fetch, for WebKitGTK's WebKitWebDriver. The protocol is a handful of JSON
 * endpoints; the npm clients bring driver downloaders (geckodriver, edgedriver, browsers) this project must not run.
 */

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export interface ElementRef {
  [ELEMENT]: string;
}

export class WebDriverError extends Error {
  constructor(readonly error: string, message: string) {
    super(`${error}: ${message}`);
  }
}

export class WebDriverSession {
  private constructor(private readonly base: string, readonly id: string, readonly capabilities: Record<string, unknown>) {}

  static async create(driverUrl: string, capabilities: Record<string, unknown>): Promise<WebDriverSession> {
    const value = (await call(driverUrl, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } })) as {
      sessionId: string;
      capabilities: Record<string, unknown>;
    };
    return new WebDriverSession(driverUrl, value.sessionId, value.capabilities);
  }

  private cmd(method: string, path: string, body?: unknown): Promise<unknown> {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async close(): Promise<void> {
    await this.cmd('DELETE', '').catch(() => undefined);
  }

  async setTimeouts(t: { script?: number; pageLoad?: number; implicit?: number }): Promise<void> {
    await this.cmd('POST', '/timeouts', t);
  }

  async navigate(url: string): Promise<void> {
    await this.cmd('POST', '/url', { url });
  }

  async reload(): Promise<void> {
    await this.cmd('POST', '/refresh', {});
  }

  /** Runs `script` (a function body; `arguments` holds args) in the page and returns its JSON-able result. */
  async execute<T>(script: string, ...args: unknown[]): Promise<T> {
    return (await this.cmd('POST', '/execute/sync', { script, args })) as T;
  }

  /** Like execute, for a body that returns a promise (the harness awaits it through the async callback). */
  async executeAsync<T>(script: string, ...args: unknown[]): Promise<T> {
    const wrapped = `const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => (async function () { ${script} }).apply(null, Array.from(arguments).slice(0, -1)))
        .then((v) => done({ ok: v }), (e) => done({ error: String(e && e.stack || e) }));`;
    const r = (await this.cmd('POST', '/execute/async', { script: wrapped, args })) as { ok?: T; error?: string };
    if (r.error !== undefined) throw new Error(`in the page: ${r.error}`);
    return r.ok as T;
  }

  async find(css: string): Promise<ElementRef> {
    return (await this.cmd('POST', '/element', { using: 'css selector', value: css })) as ElementRef;
  }

  async findAll(css: string): Promise<ElementRef[]> {
    return (await this.cmd('POST', '/elements', { using: 'css selector', value: css })) as ElementRef[];
  }

  async click(el: ElementRef): Promise<void> {
    await this.cmd('POST', `/element/${el[ELEMENT]}/click`, {});
  }

  /** Types text into an element; for `<input type=file>` the text is a file path. */
  async sendKeys(el: ElementRef, text: string): Promise<void> {
    await this.cmd('POST', `/element/${el[ELEMENT]}/value`, { text });
  }

  async clear(el: ElementRef): Promise<void> {
    await this.cmd('POST', `/element/${el[ELEMENT]}/clear`, {});
  }

  async text(el: ElementRef): Promise<string> {
    return (await this.cmd('GET', `/element/${el[ELEMENT]}/text`)) as string;
  }

  async setWindowRect(width: number, height: number): Promise<void> {
    await this.cmd('POST', '/window/rect', { width, height });
  }

  /** A PNG of the viewport. */
  async screenshot(): Promise<Buffer> {
    return Buffer.from((await this.cmd('GET', '/screenshot')) as string, 'base64');
  }
}

/** The Enter key, as WebDriver spells it in text to type. */
export const ENTER = '\uE007';

async function call(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as { value?: { error?: string; message?: string } & Record<string, unknown> };
  if (!res.ok || (json.value && typeof json.value.error === 'string')) {
    throw new WebDriverError(json.value?.error ?? `HTTP ${res.status}`, json.value?.message ?? `${method} ${path}`);
  }
  return json.value;
}
