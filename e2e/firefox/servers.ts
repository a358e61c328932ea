/**
 * The servers the Firefox suite starts for itself: the production build behind `vite preview` (with or without
 * the COOP/COEP headers), and a model host on another origin that logs what it is asked for and can hold a
 * response back, so a test can see whether a download started and interrupt one half-way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
const VITE = resolve(ROOT, 'node_modules/vite/bin/vite.js');

/** TRIT_FIREFOX_PORT moves every server of the suite (it and the next few ports), for side-by-side runs. */
export const BASE_PORT = Number(process.env.TRIT_FIREFOX_PORT ?? 4280);

export interface Server {
  url: string;
  close(): Promise<void>;
}

async function waitForUrl(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server for ${url} exited (${child.exitCode}):\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the server for ${url} did not answer within 30 s:\n${log()}`);
}

/** The build in TRIT_DIST (else dist/) as a static host; `isolationHeaders: false` is a host that cannot set headers. */
export async function startPreview(port: number, opts: { isolationHeaders: boolean }): Promise<Server> {
  const env = { ...process.env };
  if (opts.isolationHeaders) delete env.TRIT_NO_ISOLATION_HEADERS;
  else env.TRIT_NO_ISOLATION_HEADERS = '1';
  const child = spawn(process.execPath, [VITE, 'preview', '--port', String(port), '--strictPort'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://localhost:${port}`;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    await waitForUrl(url, child, () => output);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    url,
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface HostedRequest {
  method: string;
  range: string | null;
  bodyBytes: number;
}

export interface ModelHost extends Server {
  /** The model file's address. */
  fileUrl: string;
  size: number;
  requests: HostedRequest[];
  /** Responses for ranges starting at or after this byte send their headers, then wait for release(). */
  holdFrom: number | undefined;
  release(): void;
}

/** Serves one model file with Range support and open CORS, like a model hub's CDN, on 127.0.0.1 (another origin). */
export async function startModelHost(file: string, port: number, name = 'model.gguf'): Promise<ModelHost> {
  const data = readFileSync(file);
  const held: Array<() => void> = [];
  const host: ModelHost = {
    url: `http://127.0.0.1:${port}`,
    fileUrl: `http://127.0.0.1:${port}/${name}`,
    size: data.length,
    requests: [],
    holdFrom: undefined,
    release: () => held.splice(0).forEach((send) => send()),
    close: async () => {
      host.release();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
  const send = (res: ServerResponse, start: number, end: number, record: HostedRequest) => {
    record.bodyBytes = end - start;
    res.end(data.subarray(start, end));
  };
  const server = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Range');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, Accept-Ranges');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Cache-Control', 'no-store');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (req.url !== `/${name}`) return void res.writeHead(404).end();
    const record: HostedRequest = { method: req.method ?? 'GET', range: req.headers.range ?? null, bodyBytes: 0 };
    host.requests.push(record);
    const m = /^bytes=(\d+)-(\d*)$/.exec(record.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] ? Math.min(Number(m[2]) + 1, data.length) : data.length;
    res.writeHead(m ? 206 : 200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(end - start),
      ...(m ? { 'Content-Range': `bytes ${start}-${end - 1}/${data.length}` } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    if (host.holdFrom !== undefined && start >= host.holdFrom) {
      res.flushHeaders();
      held.push(() => {
        if (!res.destroyed) send(res, start, end, record);
      });
      return;
    }
    send(res, start, end, record);
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done());
  });
  return host;
}
