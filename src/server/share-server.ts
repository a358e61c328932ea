/**
 * The classroom share's HTTP server: read-only, and only these addresses exist: `/` (the page with each model's
 * address and QR code), `/models.json`, `/<id>` (a model's manifest), `/<id>/<file name>` (the file, with Range),
 * and `/status.json` (who downloads what; only to this computer). Paths are compared whole against that list, never
 * joined onto a folder, so `../`, encoded or not, and absolute paths reach nothing. Files go out a bounded number at
 * a time; requests past that wait in a bounded queue, and past the queue get 503 with Retry-After (the app retries).
 *
 * CORS: any origin by default. The files are read-only and served without credentials to whoever can reach the
 * port anyway (any device on the room's network can fetch them without a browser), so naming one origin protects
 * nothing, while it would stop a Trit opened from another address (a school's own copy) from fetching. `--origin`
 * narrows it where a school wants that. Private Network Access preflights get their allow header, and every answer
 * carries CORP cross-origin: the app is cross-origin isolated (COEP require-corp).
 */
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import pLimit from 'p-limit';
import type { SharedModel } from './share-models';
import { renderSharePage } from './share-page';
import { ShareProgress } from './share-progress';

export interface ShareServerOptions {
  models: SharedModel[];
  /** Access-Control-Allow-Origin: '*' or one origin. */
  origin: string;
  /** Files being sent at once. */
  maxStreams: number;
  /** Requests waiting for a turn; more than this are answered 503. */
  maxQueued: number;
  /** Open connections; Node closes further ones at once (the app's download retries). */
  maxConnections: number;
  /** The address devices use to reach this computer, e.g. http://192.168.1.20:8765 (known once listening). */
  shownAddress: () => string;
}

export interface ShareServer {
  server: Server;
  progress: ShareProgress;
  /** Files being sent now, and the most at once so far (for tests of the bound). */
  streams(): { active: number; queued: number; peak: number; refused: number };
}

function baseHeaders(origin: string): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges',
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'X-Content-Type-Options': 'nosniff',
    ...(origin === '*' ? {} : { Vary: 'Origin' }),
  };
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string, type = 'text/plain; charset=utf-8'): void {
  const bytes = body === undefined ? undefined : Buffer.from(body);
  res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': String(bytes?.length ?? 0), 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : bytes);
}

/** The byte span a Range header asks for: whole file when absent or multi-range; 'bad' when it cannot be met. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number; partial: boolean } | 'bad' {
  if (!header) return { start: 0, end: size, partial: false };
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return header.includes(',') ? { start: 0, end: size, partial: false } : 'bad';
  if (m[1] === '' && m[2] === '') return 'bad';
  if (m[1] === '') {
    const n = Math.min(Number(m[2]), size);
    return n > 0 ? { start: size - n, end: size, partial: true } : 'bad';
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size : Math.min(Number(m[2]) + 1, size);
  return start < size && end > start ? { start, end, partial: true } : 'bad';
}

function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

function clientName(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '?').replace(/^::ffff:/, '');
}

export function createShareServer(opts: ShareServerOptions): ShareServer {
  const progress = new ShareProgress();
  const limit = pLimit(Math.max(1, opts.maxStreams));
  const headers = baseHeaders(opts.origin);
  let peak = 0;
  let refused = 0;
  const byManifestPath = new Map(opts.models.map((m) => [`/${m.manifest.id}`, m]));
  const byFilePath = new Map(opts.models.map((m) => [`/${m.manifest.url}`, m]));

  function sendFile(req: IncomingMessage, res: ServerResponse, model: SharedModel): void {
    const { size, fileName } = model.manifest;
    const range = parseRange(req.headers.range, size);
    const fileHeaders = { ...headers, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-cache' };
    if (range === 'bad') {
      res.writeHead(416, { ...fileHeaders, 'Content-Range': `bytes */${size}`, 'Content-Length': '0' });
      return void res.end();
    }
    const head = {
      ...fileHeaders,
      'Content-Length': String(range.end - range.start),
      'Content-Disposition': `attachment; filename="${fileName.replace(/[^\w.-]/g, '_')}"`,
      ...(range.partial ? { 'Content-Range': `bytes ${range.start}-${range.end - 1}/${size}` } : {}),
    };
    if (req.method === 'HEAD' || range.end === range.start) {
      res.writeHead(range.partial ? 206 : 200, head);
      return void res.end();
    }
    if (limit.pendingCount >= opts.maxQueued) {
      refused++;
      return send(res, 503, { ...headers, 'Retry-After': '2' }, 'Busy: too many downloads at once. Trying again in a moment.');
    }
    void limit(
      () =>
        new Promise<void>((done) => {
          if (res.destroyed || req.destroyed) return done();
          peak = Math.max(peak, limit.activeCount);
          const track = progress.begin(clientName(req), fileName, size, range.start);
          const stream = createReadStream(model.path, { start: range.start, end: range.end - 1, highWaterMark: 1 << 20 });
          const finish = () => {
            track.end();
            stream.destroy();
            done();
          };
          res.once('close', finish);
          stream.once('error', () => res.destroy());
          stream.on('data', (chunk) => track.sent(chunk.length));
          res.writeHead(range.partial ? 206 : 200, head);
          stream.pipe(res);
        }),
    );
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'OPTIONS') {
      const pna: Record<string, string> = {};
      if (req.headers['access-control-request-private-network'] === 'true') pna['Access-Control-Allow-Private-Network'] = 'true';
      if (req.headers['access-control-request-local-network'] === 'true') pna['Access-Control-Allow-Local-Network'] = 'true';
      res.writeHead(204, {
        ...headers,
        ...pna,
        'Access-Control-Allow-Methods': 'GET, HEAD',
        'Access-Control-Allow-Headers': 'Range',
        'Access-Control-Max-Age': '600',
      });
      return void res.end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { ...headers, Allow: 'GET, HEAD, OPTIONS' }, 'This share only hands out files.');
    const file = byFilePath.get(path);
    if (file) return sendFile(req, res, file);
    const manifest = byManifestPath.get(path);
    if (manifest) return send(res, 200, headers, JSON.stringify(manifest.manifest), 'application/json');
    if (path === '/models.json') {
      return send(res, 200, headers, JSON.stringify({ format: 'trit-share-list/1', models: opts.models.map((m) => m.manifest) }), 'application/json');
    }
    if (path === '/status.json') {
      if (!isLoopback(req.socket.remoteAddress)) return send(res, 403, headers, 'Only the sharing computer sees who is downloading.');
      return send(res, 200, headers, JSON.stringify({ downloads: progress.list() }), 'application/json');
    }
    if (path === '/') return send(res, 200, headers, await renderSharePage(opts.models.map((m) => m.manifest), opts.shownAddress()), 'text/html; charset=utf-8');
    return send(res, 404, headers, 'Not here. This share serves only the model files it was started with.');
  }

  const server = createServer((req, res) => {
    route(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, headers, 'The share could not answer this request.');
      else res.destroy();
    });
  });
  server.maxConnections = opts.maxConnections;
  // A tablet asks for its next range when it has stored the last; a slow one can take seconds. Node's 5 s keep-alive
  // would close its connection just as it reuses it ("socket hang up"); the headers timeout (60 s) stays above this.
  server.keepAliveTimeout = 30_000;
  return {
    server,
    progress,
    streams: () => ({ active: limit.activeCount, queued: limit.pendingCount, peak, refused }),
  };
}
