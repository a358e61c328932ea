/**
 * The OpenAI-compatible endpoints over one ModelHost: /v1/models, /v1/chat/completions and /v1/completions (each
 * streamed as server-sent events or whole), and /health. A request is checked before it queues (400 for a malformed
 * one, 413 for an oversize one); a client that goes away stops its generation, or leaves the queue unstarted.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ChatStats, StreamedToken } from '../lib/chat';
import { TritError } from '../lib/errors';
import { parseChatRequest, parseCompletionRequest, type RequestLimits } from '../lib/sdk/openai-request';
import { chatChunk, chatCompletion, completion, completionChunk, replyHeader, type ReplyHeader } from '../lib/sdk/openai-response';
import { HttpError, readJson, sendError, sendEvent, sendJson, startEvents } from './http-io';
import type { Job, ModelHost } from './model-host';

export interface ServerLimits extends RequestLimits {
  /** Largest request body accepted, in bytes (413 past it). */
  maxBodyBytes: number;
}

/** What one reply writes as it streams and at its end, for chat or for text. */
interface ReplyWriter {
  delta(h: ReplyHeader, text: string): unknown;
  first?(h: ReplyHeader): unknown;
  last(h: ReplyHeader, text: string, stats: ChatStats): unknown;
  whole(h: ReplyHeader, text: string, stats: ChatStats): unknown;
}

const chatWriter: ReplyWriter = {
  first: (h) => chatChunk(h, { role: 'assistant', content: '' }),
  delta: (h, text) => chatChunk(h, { content: text }),
  last: (h, _text, stats) => chatChunk(h, {}, stats),
  whole: chatCompletion,
};

const textWriter: ReplyWriter = {
  delta: (h, text) => completionChunk(h, text),
  last: (h, _text, stats) => completionChunk(h, '', stats),
  whole: completion,
};

async function reply(host: ModelHost, res: ServerResponse, job: Job, stream: boolean, h: ReplyHeader, w: ReplyWriter) {
  const controller = new AbortController();
  // 'close' on the response fires when it is finished or when the client hung up; only the latter is an abort.
  res.on('close', () => { if (!res.writableFinished) controller.abort(); });
  let started = false;
  const begin = () => {
    if (started) return;
    started = true;
    startEvents(res);
    if (w.first) sendEvent(res, w.first(h));
  };
  const onToken = (t: StreamedToken) => {
    if (!stream || !t.text) return;
    begin();
    sendEvent(res, w.delta(h, t.text));
  };
  try {
    const result = await host.run(job, controller.signal, onToken);
    if (controller.signal.aborted) return;
    if (!stream) return sendJson(res, 200, w.whole(h, result.text, result.stats));
    begin();
    sendEvent(res, w.last(h, result.text, result.stats));
    sendEvent(res, '[DONE]');
    res.end();
  } catch (e) {
    if (controller.signal.aborted) return;
    if (!started) return sendError(res, e);
    // The stream has begun: the error travels as one more event, as OpenAI's own stream errors do.
    sendEvent(res, { error: (e as TritError).message ?? String(e) });
    res.end();
  }
}

function tooLongPrompt(host: ModelHost, job: Job): void {
  if (job.kind !== 'chat') return; // a text continuation keeps its end when the start does not fit
  const need = host.minimumPrompt(job.messages);
  if (need.tokens >= need.nCtx) {
    throw new HttpError(400, 'prompt_too_long', `The last message and system prompt need ${need.tokens} tokens; the context holds ${need.nCtx}.`,
      'Send a shorter message, or start the server with a larger --ctx.');
  }
}

async function route(host: ModelHost, limits: ServerLimits, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/health') {
    return sendJson(res, 200, { status: 'ok', model: host.id, generating: host.generating(), queued: host.queued(), ...host.counts() });
  }
  if (req.method === 'GET' && path === '/v1/models') {
    return sendJson(res, 200, {
      object: 'list',
      data: [{ id: host.id, object: 'model', created: 0, owned_by: 'trit', meta: { n_ctx: host.nCtx, n_ctx_train: host.nCtxTrain } }],
    });
  }
  const chat = path === '/v1/chat/completions';
  if (chat || path === '/v1/completions') {
    if (req.method !== 'POST') throw new HttpError(405, 'bad_request', `${path} takes POST.`, 'Send the request as a POST with a JSON body.');
    const body = await readJson(req, limits.maxBodyBytes);
    if (chat) {
      const r = parseChatRequest(body, limits);
      const job: Job = { kind: 'chat', messages: r.messages, sampling: r.sampling };
      tooLongPrompt(host, job);
      return reply(host, res, job, r.stream, replyHeader('chatcmpl', host.id), chatWriter);
    }
    const r = parseCompletionRequest(body, limits);
    return reply(host, res, { kind: 'text', prompt: r.prompt, sampling: r.sampling }, r.stream, replyHeader('cmpl', host.id), textWriter);
  }
  throw new HttpError(404, 'not_found', `There is no ${req.method} ${path} here.`, 'Use /v1/models, /v1/chat/completions, /v1/completions or /health.');
}

export function createApiServer(host: ModelHost, limits: ServerLimits): Server {
  return createServer((req, res) => {
    route(host, limits, req, res).catch((e) => sendError(res, e));
  });
}
