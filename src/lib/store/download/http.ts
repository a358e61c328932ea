/**
 * The download's HTTP requests: one byte range, the whole file, the file's size. Each answers with what the server
 * really sent; what to do about it (retry, stream instead, give up) is the caller's policy.
 */
import { formatBytes } from '../../units';
import type { StoreContext } from '../context';
import { StoreError, hostOf, hostUnreachable, httpError, interrupted, isAbortError, offlineError } from '../errors';
import { parseContentRange } from '../shards';

/** Bytes [start, end) of the file, as asked. */
export interface ByteSpan {
  start: number;
  end: number;
}

export type SpanResult =
  | { kind: 'bytes'; bytes: Uint8Array }
  /** The body broke after `received` bytes (kept by the caller as a piece); `error` says why. */
  | { kind: 'cut'; received: Uint8Array; error: unknown }
  /**
   * The server did not serve this range as asked: 200 (Range ignored: `whole` is the whole file from byte 0), or a
   * 206 whose Content-Range is missing, malformed or another range. Such bytes are never stored as the range.
   */
  | { kind: 'range-unusable'; whole?: Response; why: string };

export function describeSpan(s: ByteSpan & { index?: number }): string {
  const bytes = `bytes ${s.start}–${s.end - 1}`;
  return s.index === undefined ? bytes : `shard ${s.index} (${bytes})`;
}

/** A request that got no answer: offline, or (online) a host that is down or blocked. */
function noAnswer(ctx: StoreContext, url: string, e: unknown): StoreError {
  return ctx.isOnline() ? hostUnreachable(hostOf(url), String(e)) : offlineError('Downloading a model');
}

async function request(ctx: StoreContext, url: string, init: RequestInit): Promise<Response> {
  try {
    return await ctx.fetch(url, { ...init, cache: 'no-store' });
  } catch (e) {
    if (isAbortError(e)) throw e;
    throw noAnswer(ctx, url, e);
  }
}

/** Fetches bytes [span.start, span.end) of a file of `size` bytes with an HTTP Range request. */
export async function fetchSpan(
  ctx: StoreContext,
  url: string,
  span: ByteSpan & { index?: number },
  size: number,
  signal: AbortSignal,
  onBytes: (n: number) => void,
): Promise<SpanResult> {
  const res = await request(ctx, url, { headers: { Range: `bytes=${span.start}-${span.end - 1}` }, signal });
  if (res.status === 200) return { kind: 'range-unusable', whole: res, why: 'the server ignores Range' };
  if (res.status !== 206) {
    await res.body?.cancel();
    throw httpError(res.status, url);
  }
  const header = res.headers.get('Content-Range');
  const cr = parseContentRange(header);
  if (cr?.total !== undefined && cr.total !== size) {
    await res.body?.cancel();
    throw new StoreError('range_mismatch', `The file on the server changed size (${formatBytes(cr.total)} now, ${formatBytes(size)} before).`, 'Delete the partial download and start it again.');
  }
  if (!cr || cr.start !== span.start || cr.end !== span.end) {
    await res.body?.cancel();
    const why = !header
      ? 'the server answered a Range request without saying which bytes it sent (no Content-Range)'
      : !cr
        ? `the server sent an unreadable Content-Range ("${header}")`
        : `the server sent bytes ${cr.start}–${cr.end - 1} when asked for ${describeSpan(span)}`;
    return { kind: 'range-unusable', why };
  }
  return readSpan(res, span, onBytes);
}

/** Reads a ranged body of exactly the span's length. */
async function readSpan(res: Response, span: ByteSpan & { index?: number }, onBytes: (n: number) => void): Promise<SpanResult> {
  const expected = span.end - span.start;
  const buf = new Uint8Array(expected);
  let off = 0;
  const reader = res.body!.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (off + value.length > expected) {
        await reader.cancel();
        throw new StoreError('range_mismatch', `The server sent more bytes than asked for ${describeSpan(span)}.`, 'The server mishandles partial downloads; try again later or use another source.');
      }
      buf.set(value, off);
      off += value.length;
      onBytes(value.length);
    }
  } catch (e) {
    if (e instanceof StoreError) throw e;
    return { kind: 'cut', received: buf.subarray(0, off), error: isAbortError(e) ? e : interrupted(`the connection dropped during ${describeSpan(span)}`, off) };
  }
  if (off !== expected) return { kind: 'cut', received: buf.subarray(0, off), error: interrupted(`the connection dropped during ${describeSpan(span)}`, off) };
  return { kind: 'bytes', bytes: buf };
}

/** A plain GET of the whole file (for servers without Range); `existing` is a 200 already received for a Range request. */
export async function openWhole(ctx: StoreContext, url: string, size: number, signal: AbortSignal, existing?: Response): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const res = existing ?? (await request(ctx, url, { signal }));
  if (!res.ok) {
    await res.body?.cancel();
    throw httpError(res.status, url);
  }
  const length = res.headers.get('Content-Length');
  if (length !== null && !res.headers.get('Content-Encoding') && Number(length) !== size) {
    await res.body?.cancel();
    throw new StoreError('range_mismatch', `The file on the server changed size (${formatBytes(Number(length))} now, ${formatBytes(size)} before).`, 'Delete the partial download and start it again.');
  }
  return res.body!.getReader();
}

/** The file size from the server, without fetching the body (HEAD, or a one-byte range as a fallback). */
export async function probeSize(ctx: StoreContext, url: string, signal: AbortSignal): Promise<number> {
  const head = await request(ctx, url, { method: 'HEAD', signal });
  const len = Number(head.headers.get('Content-Length'));
  if (head.ok && Number.isSafeInteger(len) && len > 0) return len;
  if (!head.ok && head.status !== 405 && head.status !== 501) throw httpError(head.status, url);
  const res = await request(ctx, url, { headers: { Range: 'bytes=0-0' }, signal });
  await res.body?.cancel();
  if (!res.ok) throw httpError(res.status, url);
  const total = res.status === 206 ? parseContentRange(res.headers.get('Content-Range'))?.total : Number(res.headers.get('Content-Length'));
  if (!total || !Number.isSafeInteger(total)) {
    throw new StoreError('size_unknown', 'The server does not say how big the model file is.', 'Use a link from a server that sends the file size (Hugging Face does).');
  }
  return total;
}

/** The first `bytes` bytes of the file, by a Range request; a server that ignores Range has its body cut short. */
export async function fetchPrefix(ctx: StoreContext, url: string, bytes: number, signal: AbortSignal): Promise<{ bytes: Uint8Array; contentType: string }> {
  const res = await request(ctx, url, { headers: { Range: `bytes=0-${bytes - 1}` }, signal });
  if (!res.ok) {
    await res.body?.cancel();
    throw httpError(res.status, url);
  }
  const contentType = res.headers.get('Content-Type') ?? '';
  const buf = new Uint8Array(bytes);
  let off = 0;
  const reader = res.body!.getReader();
  try {
    while (off < bytes) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, bytes - off);
      buf.set(value.subarray(0, take), off);
      off += take;
    }
  } catch (e) {
    if (isAbortError(e)) throw e;
    throw noAnswer(ctx, url, e);
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return { bytes: buf.subarray(0, off), contentType };
}
