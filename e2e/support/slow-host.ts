/**
 * A model host the app's browser tests start in-process, for what a person meets on real networks: a slow link
 * (so a download can be paused half-way), a dropped connection, a link to a web page, a missing file.
 *   /model.gguf    the file, with Range, sent in 64 KiB pieces every `pieceMs`
 *   /page.gguf     a web page (as a login wall or a "file not found" page answers)
 *   anything else  404
 */
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SlowHost {
  origin: string;
  /** Milliseconds between 64 KiB pieces; 0 sends at full speed. */
  pieceMs: number;
  /** Body bytes sent for /model.gguf so far. */
  sentBytes: number;
  /** Breaks every open connection (a dropped Wi-Fi); later requests are answered again. */
  cut(): void;
  close(): Promise<void>;
}

const PAGE = '<!doctype html><html><head><title>Sign in</title></head><body><h1>Sign in to download this file</h1></body></html>';

/** `port` 0 picks a free one; pass an earlier host's port to bring the same host back after close(). */
export async function startSlowHost(file: string, pieceMs = 0, port = 0): Promise<SlowHost> {
  const model = readFileSync(file);
  const sockets = new Set<Socket>();
  const host: SlowHost = {
    origin: '',
    pieceMs,
    sentBytes: 0,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
  };

  const send = (res: ServerResponse, start: number, end: number) => {
    let pos = start;
    const step = () => {
      if (res.destroyed) return;
      if (pos >= end) return void res.end();
      const n = Math.min(64 * 1024, end - pos);
      res.write(model.subarray(pos, pos + n));
      pos += n;
      host.sentBytes += n;
      setTimeout(step, host.pieceMs);
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
    if (req.url === '/page.gguf') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(PAGE)) });
      return void res.end(req.method === 'HEAD' ? undefined : PAGE);
    }
    if (req.url !== '/model.gguf') return void res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not found</h1>');
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', 'application/octet-stream');
    const m = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] ? Math.min(Number(m[2]) + 1, model.length) : model.length;
    res.writeHead(m ? 206 : 200, {
      'Content-Length': String(end - start),
      ...(m ? { 'Content-Range': `bytes ${start}-${end - 1}/${model.length}` } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    send(res, start, end);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', () => done()));
  host.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return host;
}
