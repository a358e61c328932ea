/** Reading JSON bodies within a size limit, and writing JSON, OpenAI-shaped errors and server-sent events. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TritError, type TritErrorCode } from '../lib/errors';

/** An error with the HTTP status it answers with. */
export class HttpError extends TritError {
  constructor(readonly status: number, code: TritErrorCode, message: string, hint: string) {
    super(code, message, hint);
  }
}

export function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'bad_request', `The request is larger than ${limit} bytes.`,
    'Send a shorter conversation, or start the server with a larger --max-body-bytes.');
}

/** Reads the whole body as JSON. Past `limit` bytes it stops reading (draining the rest unread) and rejects with 413. */
export function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume();
      return reject(tooLarge(limit));
    }
    const parts: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (b: Buffer) => {
      if (over) return;
      size += b.length;
      if (size > limit) {
        over = true;
        parts.length = 0;
        reject(tooLarge(limit));
      } else parts.push(b);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (over) return;
      try {
        resolve(JSON.parse(Buffer.concat(parts).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'bad_request', 'The request body is not valid JSON.', 'Send a JSON object with Content-Type: application/json.'));
      }
    });
  });
}

export function statusOf(e: unknown): number {
  if (e instanceof HttpError) return e.status;
  if (e instanceof TritError) {
    if (['bad_request', 'invalid_sampling', 'prompt_too_long', 'context_overflow'].includes(e.code)) return 400;
    if (e.code === 'cancelled') return 499;
  }
  return 500;
}

/** The error body OpenAI clients read (`error.message`, `error.type`, `error.code`), plus Trit's hint. */
export function errorBody(e: unknown): { error: { message: string; type: string; code: string; param: null; hint: string } } {
  const status = statusOf(e);
  const t = e instanceof TritError ? e : new TritError('internal', e instanceof Error ? e.message : String(e));
  return {
    error: { message: t.message, type: status < 500 ? 'invalid_request_error' : 'server_error', code: t.code, param: null, hint: t.hint },
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, e: unknown): void {
  const status = statusOf(e);
  // A body we stopped reading: close the connection rather than leave its rest in the pipe.
  sendJson(res, status, errorBody(e), status === 413 ? { Connection: 'close' } : {});
}

/** Server-sent events as OpenAI streams them: `data: <json>` per chunk, `data: [DONE]` at the end. */
export function startEvents(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.flushHeaders();
}

export function sendEvent(res: ServerResponse, data: unknown): void {
  res.write(`data: ${data === '[DONE]' ? data : JSON.stringify(data)}\n\n`);
}
