/**
 * The servers the browser tests start for themselves, one implementation for every suite (Playwright, Firefox,
 * WebKit):
 *   startPreview    the production build (TRIT_DIST, else dist/) behind `vite preview`, with or without the
 *                   COOP/COEP headers (without: a static host that cannot set headers)
 *   startModelHost  model files on another origin, as a model hub's CDN serves them: Range, open CORS, and the
 *                   misbehaviour tests need (a slow link, a held response, a dropped connection, a web page where a
 *                   file should be, a log of what was asked)
 * The store suite's scripted host (`model-server.ts`) is a separate process its Playwright config starts.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
const VITE = resolve(ROOT, 'node_modules/vite/bin/vite.js');

export interface Server {
  url: string;
  close(): Promise<void>;
}

async function waitForHttp(url: string, failed: () => string | undefined, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const why = failed();
    if (why) throw new Error(why);
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the server for ${url} did not answer within ${ms / 1000} s`);
}

/**
 * `vite preview` of the build on `port`. It leads its own process group, so closing it ends everything it started;
 * a server that never answers is ended before the error, not left holding its port.
 */
export async function startPreview(port: number, opts: { isolationHeaders?: boolean } = {}): Promise<Server> {
  const env = { ...process.env };
  if (opts.isolationHeaders ?? true) delete env.TRIT_NO_ISOLATION_HEADERS;
  else env.TRIT_NO_ISOLATION_HEADERS = '1';
  const child = spawn(process.execPath, [VITE, 'preview', '--port', String(port), '--strictPort'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // Already gone.
    }
  };
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signal('SIGTERM');
    const killer = setTimeout(() => signal('SIGKILL'), 3000);
    await exited;
    clearTimeout(killer);
  };
  const url = `http://localhost:${port}`;
  try {
    await waitForHttp(url, () => (child.exitCode !== null ? `the server for ${url} exited (${child.exitCode}):\n${output}` : undefined));
  } catch (e) {
    await close();
    throw new Error(`${(e as Error).message}\n${output}`);
  }
  return { url, close };
}

export interface HostedRequest {
  method: string;
  path: string;
  range: string | null;
  /** Body bytes sent for this request so far. */
  bodyBytes: number;
}

export interface ModelHost extends Server {
  /** http://127.0.0.1:<port>, another origin than the app's localhost. */
  origin: string;
  /** The address of one of the files served. */
  fileUrl(name: string): string;
  size(name: string): number;
  requests: HostedRequest[];
  /** Body bytes sent so far, all files together. */
  sentBytes: number;
  /** Milliseconds between 64 KiB pieces of a body; 0 sends at full speed. */
  pieceMs: number;
  /** Bodies for ranges starting at or after this byte send their headers, then wait for release(). */
  holdFrom: number | undefined;
  release(): void;
  /** Breaks every open connection (a dropped Wi-Fi); later requests are answered again. */
  cut(): void;
}

export interface ModelHostOptions {
  /** Served name -> file on disk. */
  files: Record<string, string>;
  /** 0 (default) picks a free port; an earlier host's port brings the same host back after close(). */
  port?: number;
  pieceMs?: number;
  /** Served names that answer with a web page instead (as a login wall or a "file not found" page does). */
  webPages?: string[];
}

const WEB_PAGE = '<!doctype html><html><head><title>Sign in</title></head><body><h1>Sign in to download this file</h1></body></html>';

/** Serves model files with Range support and open CORS on 127.0.0.1 (another origin than the app). */
export async function startModelHost(opts: ModelHostOptions): Promise<ModelHost> {
  const files = new Map(Object.entries(opts.files).map(([name, path]) => [name, readFileSync(path)]));
  const webPages = new Set(opts.webPages ?? []);
  const sockets = new Set<Socket>();
  const held: Array<() => void> = [];
  const host: ModelHost = {
    url: '',
    origin: '',
    fileUrl: (name) => `${host.origin}/${name}`,
    size: (name) => files.get(name)?.length ?? 0,
    requests: [],
    sentBytes: 0,
    pieceMs: opts.pieceMs ?? 0,
    holdFrom: undefined,
    release: () => held.splice(0).forEach((send) => send()),
    cut: () => sockets.forEach((s) => s.destroy()),
    close: async () => {
      host.release();
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((done) => server.close(() => done()));
    },
  };

  const send = (res: ServerResponse, data: Buffer, start: number, end: number, record: HostedRequest) => {
    let pos = start;
    const step = () => {
      while (!res.destroyed && pos < end) {
        const n = Math.min(64 * 1024, end - pos);
        const more = res.write(data.subarray(pos, pos + n));
        pos += n;
        record.bodyBytes += n;
        host.sentBytes += n;
        if (host.pieceMs > 0) return void setTimeout(step, host.pieceMs);
        if (!more) return void res.once('drain', step);
      }
      if (!res.destroyed) res.end();
    };
    step();
  };

  const server = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Range');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, Accept-Ranges, Content-Type');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Cache-Control', 'no-store');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    if (webPages.has(name)) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(WEB_PAGE)) });
      return void res.end(req.method === 'HEAD' ? undefined : WEB_PAGE);
    }
    const data = files.get(name);
    if (!data) return void res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not found</h1>');
    const record: HostedRequest = { method: req.method ?? 'GET', path: `/${name}`, range: req.headers.range ?? null, bodyBytes: 0 };
    host.requests.push(record);
    const m = /^bytes=(\d+)-(\d*)$/.exec(record.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] ? Math.min(Number(m[2]) + 1, data.length) : data.length;
    res.writeHead(m ? 206 : 200, {
      'Accept-Ranges': 'bytes',
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(end - start),
      ...(m ? { 'Content-Range': `bytes ${start}-${end - 1}/${data.length}` } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    if (host.holdFrom !== undefined && start >= host.holdFrom) {
      res.flushHeaders();
      held.push(() => send(res, data, start, end, record));
      return;
    }
    send(res, data, start, end, record);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => done());
  });
  host.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  host.url = host.origin;
  return host;
}
