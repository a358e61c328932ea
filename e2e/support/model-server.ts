/**
 * A local model host for the store's end-to-end tests. Serves the repo's test models two ways:
 *   /range/<file>    honours HTTP Range (206 + Content-Range), like Hugging Face's CDN
 *   /norange/<file>  ignores Range and always sends the whole file (200), like a plain static host
 *   /lying/<file>    answers every Range request with 206 and the right length, but always the bytes from offset 0
 *                    and a garbled Content-Range (`bytes 0-1048575/12`), as a broken proxy was seen to do; a plain
 *                    GET gets the whole file
 * and takes orders from the test:
 *   POST /control?cutAfter=N   every response body stalls once N body bytes have been sent in total, and breaks
 *                              (socket destroyed) half a second later
 *   POST /control?corruptAt=K  the next time byte K of the file is sent, it is flipped (once)
 *   POST /control?reset=1      clears both and the counters
 *   GET  /stats                {"bodyBytes", "requests": [{method, path, range}]}
 * CORS is open and exposes Content-Range, because the app under test runs on another port.
 * Run: npx tsx e2e/support/model-server.ts [port]   (default 5198)
 */
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { basename, resolve } from 'node:path';

const port = Number(process.argv[2] ?? process.env.MODEL_SERVER_PORT ?? 5198);
const fixtures = resolve(import.meta.dirname, '../../test/fixtures');
const files = new Map<string, Buffer>();
for (const name of ['small.gguf', 'medium.gguf']) files.set(name, readFileSync(resolve(fixtures, name)));

const state = {
  cutAfter: undefined as number | undefined,
  corruptAt: undefined as number | undefined,
  bodyBytes: 0,
  // Each request with the body bytes sent for it: a cancelled response may still flush a piece after its client
  // has moved on, so tests count the bytes of the requests they made rather than a global difference.
  requests: [] as Array<{ method: string; path: string; range: string | null; bodyBytes: number }>,
};

function cors(res: ServerResponse) {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Headers', 'Range');
  res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, OPTIONS');
  res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, Accept-Ranges');
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  res.setHeader('Cache-Control', 'no-store');
}

const CUT_DELAY_MS = 500;

/** Sends file bytes [start, end) in 64 KiB pieces, applying the cut and the one-time corruption. */
function sendBody(res: ServerResponse, data: Buffer, start: number, end: number, record: { bodyBytes: number }) {
  let pos = start;
  const step = () => {
    while (pos < end) {
      if (state.cutAfter !== undefined && state.bodyBytes >= state.cutAfter) {
        // Break the connection only after the client has had time to read what was sent: Chromium drops bytes
        // still waiting in its pipe when the connection fails, so an immediate cut delivered less than was sent
        // (about 1 run in 30 stored no shard at all before a cut at 40%).
        setTimeout(() => res.socket?.destroy(), CUT_DELAY_MS);
        return;
      }
      let n = Math.min(64 * 1024, end - pos);
      if (state.cutAfter !== undefined) n = Math.min(n, state.cutAfter - state.bodyBytes);
      const piece = Buffer.from(data.subarray(pos, pos + n));
      if (state.corruptAt !== undefined && state.corruptAt >= pos && state.corruptAt < pos + n) {
        piece[state.corruptAt - pos] ^= 0xff;
        state.corruptAt = undefined;
      }
      pos += n;
      state.bodyBytes += n;
      record.bodyBytes += n;
      if (!res.write(piece)) {
        res.once('drain', step);
        return;
      }
    }
    res.end();
  };
  res.on('close', () => (pos = end));
  step();
}

const server = createServer((req, res) => {
  cors(res);
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'OPTIONS') {
    res.writeHead(204).end();
    return;
  }
  if (url.pathname === '/control' && req.method === 'POST') {
    if (url.searchParams.has('reset')) Object.assign(state, { cutAfter: undefined, corruptAt: undefined, bodyBytes: 0, requests: [] });
    if (url.searchParams.has('cutAfter')) {
      const v = url.searchParams.get('cutAfter');
      state.cutAfter = v === '' || v === 'off' ? undefined : Number(v);
    }
    if (url.searchParams.has('corruptAt')) state.corruptAt = Number(url.searchParams.get('corruptAt'));
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: true }));
    return;
  }
  if (url.pathname === '/stats') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ bodyBytes: state.bodyBytes, requests: state.requests }));
    return;
  }
  const m = /^\/(range|norange|lying)\/([^/]+)$/.exec(url.pathname);
  const data = m ? files.get(basename(m[2])) : undefined;
  if (!m || !data) {
    res.writeHead(404).end('not found');
    return;
  }
  const range = req.headers.range ?? null;
  const record = { method: req.method ?? 'GET', path: url.pathname, range, bodyBytes: 0 };
  state.requests.push(record);
  const size = data.length;
  const ranged = m[1] === 'range' || m[1] === 'lying';
  if (ranged) res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Type', 'application/octet-stream');
  const r = ranged && range ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
  if (r) {
    const start = Number(r[1]);
    const end = Math.min(size, r[2] === '' ? size : Number(r[2]) + 1);
    if (start >= size || end <= start) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
      return;
    }
    if (m[1] === 'lying') {
      res.writeHead(206, { 'Content-Range': 'bytes 0-1048575/12', 'Content-Length': String(end - start) });
      if (req.method === 'HEAD') res.end();
      else sendBody(res, data, 0, end - start, record);
      return;
    }
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${end - 1}/${size}`, 'Content-Length': String(end - start) });
    if (req.method === 'HEAD') res.end();
    else sendBody(res, data, start, end, record);
    return;
  }
  res.writeHead(200, { 'Content-Length': String(size) });
  if (req.method === 'HEAD') res.end();
  else sendBody(res, data, 0, size, record);
});

server.listen(port, () => console.log(`model server on http://localhost:${port}`));
