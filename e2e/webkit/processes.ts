/**
 * The processes a WebKit run needs, started by the tests and ended by them: a virtual display (Xvfb), WebKitGTK's
 * WebDriver (which starts MiniBrowser with its own environment, so `JSC_*` options reach JavaScriptCore). The
 * production build and the model host are the shared servers of e2e/support/hosts.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export { ROOT } from '../support/hosts';

/** Debian's WebKitGTK test browser (package webkit2gtk-driver pulls it in). */
export function miniBrowserPath(): string {
  const lib = '/usr/lib/x86_64-linux-gnu';
  const dir = existsSync(lib) ? readdirSync(lib).filter((d) => d.startsWith('webkit2gtk-')).sort().pop() : undefined;
  const path = process.env.TRIT_MINIBROWSER ?? (dir ? join(lib, dir, 'MiniBrowser') : '');
  if (!path || !existsSync(path)) throw new Error('MiniBrowser not found: apt-get install webkit2gtk-driver (or set TRIT_MINIBROWSER)');
  return path;
}

export interface Running {
  stop(): Promise<void>;
}

function track(child: ChildProcess, name: string): Running {
  let exited = false;
  child.on('exit', () => (exited = true));
  child.on('error', (e) => console.error(`${name}: ${e.message}`));
  return {
    stop: () =>
      new Promise<void>((done) => {
        if (exited || child.exitCode !== null) return done();
        child.once('exit', () => done());
        // Each process leads its own group, so its children (MiniBrowser, WebKit's helper processes) end with it.
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          done();
        }
        setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, 3000).unref();
      }),
  };
}

/** A virtual X display; resolves with its DISPLAY value. */
export async function startXvfb(): Promise<Running & { display: string }> {
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x900x24', '-nolisten', 'tcp'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    child.on('exit', (code) => reject(new Error(`Xvfb exited (${code}): apt-get install xvfb`)));
    child.on('error', reject);
  });
  return { ...track(child, 'Xvfb'), display };
}

async function waitForHttp(url: string, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${what} did not start at ${url}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** WebKitWebDriver on `port`; `env` reaches MiniBrowser and its web process (e.g. JSC_useSharedArrayBuffer=1). */
export async function startWebDriver(port: number, display: string, env: Record<string, string>): Promise<Running & { url: string }> {
  const child = spawn('WebKitWebDriver', [`--port=${port}`], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...env, DISPLAY: display },
  });
  const url = `http://127.0.0.1:${port}`;
  const running = track(child, 'WebKitWebDriver');
  await waitForHttp(`${url}/status`, 'WebKitWebDriver').catch(async (e) => {
    await running.stop();
    throw e;
  });
  return { ...running, url };
}

/** Whether this machine can run the WebKit tests at all (for a clear message instead of a timeout). */
export function webkitAvailable(): string | undefined {
  for (const tool of ['WebKitWebDriver', 'Xvfb']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is missing: apt-get install webkit2gtk-driver xvfb`;
  }
  try {
    miniBrowserPath();
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}
