/** The real share command (`npm run cli -- share`) as a child process on a loopback address, for the browser tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

export interface RunningShare {
  /** The model's address as printed, e.g. http://127.0.0.1:4711/1. */
  address: string;
  port: number;
  file: string;
  stop(): Promise<void>;
  /** The share's own report of who downloaded what (GET /status.json, answered to this computer only). */
  status(): Promise<Array<{ client: string; model: string; size: number; sent: number; active: number }>>;
}

const root = resolve(import.meta.dirname, '../..');

/** A copy of a fixture in a fresh folder, so the share's `.sha256` lands beside the copy, not in test/fixtures. */
export function copyFixture(name: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'trit-classroom-')), name);
  copyFileSync(join(root, 'test/fixtures', name), file);
  return file;
}

/** Removes a copy made by copyFixture, and its folder. */
export function removeFixture(file: string): void {
  rmSync(dirname(file), { recursive: true, force: true });
}

export function startShare(file: string, port = 0): Promise<RunningShare> {
  const child: ChildProcess = spawn('npx', ['tsx', 'scripts/cli.ts', 'share', file, '--host', '127.0.0.1', '--port', String(port)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() ends npx, tsx and node together
  });
  let out = '';
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`the share did not start:\n${out}`)), 60_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /Share address: (http:\/\/127\.0\.0\.1:(\d+)\/1)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const p = Number(m[2]);
      done({
        address: m[1],
        port: p,
        file: basename(file),
        stop: () =>
          new Promise<void>((r) => {
            if (child.exitCode !== null || child.signalCode !== null) return r();
            child.once('exit', () => r());
            try {
              process.kill(-child.pid!, 'SIGTERM');
            } catch {
              r(); // already gone
            }
          }),
        status: async () => (await (await fetch(`http://127.0.0.1:${p}/status.json`)).json()).downloads,
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => fail(new Error(`the share exited (${code}):\n${out}`)));
  });
}
