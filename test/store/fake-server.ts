/** An in-process stand-in for a model host, for the store's unit tests: Range or not, cuts and corruption on demand. */
export interface FakeServerOptions {
  range: boolean;
  /** Body bytes the server sends in total before every further body breaks mid-stream (a dropped connection). */
  cutAfterBytes?: number;
  /** Flip this file offset in the first response that carries it. */
  corruptOnceAt?: number;
  chunkSize?: number;
  /**
   * A lying host: every Range request gets 206 and the right length, but always the bytes from offset 0, with the
   * Content-Range left out, garbled (as seen in the wild: `bytes 0-1048575/12`), or naming the bytes really sent.
   */
  lie?: 'no-content-range' | 'garbled-content-range' | 'honest-wrong-range';
  /** Answers every request with this status and an empty body (e.g. 503). */
  status?: number;
}

export class FakeServer {
  requests: Array<{ method: string; range: string | null }> = [];
  bodyBytesSent = 0;
  corruptPending: number | undefined;

  constructor(
    readonly data: Uint8Array,
    public opts: FakeServerOptions,
  ) {
    this.corruptPending = opts.corruptOnceAt;
  }

  readonly fetch = async (_input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const method = init?.method ?? 'GET';
    const headers = new Headers(init?.headers);
    const range = headers.get('Range');
    this.requests.push({ method, range });
    if (init?.signal?.aborted) throw init.signal.reason;
    const size = this.data.length;
    if (this.opts.status) return new Response(null, { status: this.opts.status });
    if (method === 'HEAD') return new Response(null, { status: 200, headers: { 'Content-Length': String(size) } });
    let start = 0;
    let end = size;
    let status = 200;
    const out = new Headers();
    const m = range && this.opts.range ? /^bytes=(\d+)-(\d+)$/.exec(range) : null;
    if (m) {
      start = Number(m[1]);
      end = Math.min(size, Number(m[2]) + 1);
      status = 206;
      out.set('Content-Range', `bytes ${start}-${end - 1}/${size}`);
      if (this.opts.lie) {
        const length = end - start;
        [start, end] = [0, length];
        if (this.opts.lie === 'no-content-range') out.delete('Content-Range');
        else if (this.opts.lie === 'garbled-content-range') out.set('Content-Range', 'bytes 0-1048575/12');
        else out.set('Content-Range', `bytes 0-${length - 1}/${size}`);
      }
    }
    out.set('Content-Length', String(end - start));
    const body = this.data.subarray(start, end);
    const chunk = this.opts.chunkSize ?? 64 * 1024;
    let pos = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        if (init?.signal?.aborted) return controller.error(init.signal.reason);
        if (pos >= body.length) return controller.close();
        const limit = this.opts.cutAfterBytes;
        if (limit !== undefined && this.bodyBytesSent >= limit) return controller.error(new TypeError('network error: connection reset'));
        let n = Math.min(chunk, body.length - pos);
        if (limit !== undefined) n = Math.min(n, limit - this.bodyBytesSent);
        const piece = body.slice(pos, pos + n);
        // Corrupt only bytes really sent, so an abandoned response does not use up the one corruption.
        const at = this.corruptPending;
        if (at !== undefined && at >= start + pos && at < start + pos + n) {
          piece[at - start - pos] ^= 0xff;
          this.corruptPending = undefined;
        }
        controller.enqueue(piece);
        pos += n;
        this.bodyBytesSent += n;
      },
    });
    return new Response(stream, { status, headers: out });
  };
}

/** Random bytes behind a valid GGUF v3 fixed header, enough for download mechanics. */
export function syntheticGguf(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x & 0xff;
  }
  data.set([0x47, 0x47, 0x55, 0x46], 0);
  const view = new DataView(data.buffer);
  view.setUint32(4, 3, true);
  view.setBigUint64(8, 5n, true);
  view.setBigUint64(16, 7n, true);
  return data;
}
