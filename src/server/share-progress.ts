/**
 * Who is downloading what from the share, and how far: per device (its address) and model, the parts of the file it
 * has been sent (ranges merged, so a retried range is not counted twice). The terminal and the share page both read it.
 */

export interface DownloadRow {
  client: string;
  model: string;
  size: number;
  /** Distinct bytes of the file sent to this device so far. */
  sent: number;
  /** Requests being answered now. */
  active: number;
  lastSeen: number;
}

/** [start, end) spans, kept sorted and merged. */
function addSpan(spans: Array<[number, number]>, start: number, end: number): Array<[number, number]> {
  if (end <= start) return spans;
  const out: Array<[number, number]> = [];
  let [s, e] = [start, end];
  for (const [a, b] of spans) {
    if (b < s || a > e) out.push([a, b]);
    else [s, e] = [Math.min(a, s), Math.max(b, e)];
  }
  out.push([s, e]);
  return out.sort((x, y) => x[0] - y[0]);
}

export class ShareProgress {
  private rows = new Map<string, DownloadRow & { spans: Array<[number, number]> }>();

  constructor(private readonly now: () => number = Date.now) {}

  private row(client: string, model: string, size: number) {
    const key = `${client}\u0000${model}`;
    let r = this.rows.get(key);
    if (!r) {
      r = { client, model, size, sent: 0, active: 0, lastSeen: this.now(), spans: [] };
      this.rows.set(key, r);
    }
    return r;
  }

  /** A request for bytes [start, end) began; the returned functions report bytes as they go and the end. */
  begin(client: string, model: string, size: number, start: number): { sent(bytes: number): void; end(): void } {
    const r = this.row(client, model, size);
    r.active++;
    let pos = start;
    let ended = false;
    return {
      sent: (bytes) => {
        r.spans = addSpan(r.spans, pos, pos + bytes);
        pos += bytes;
        r.sent = r.spans.reduce((sum, [a, b]) => sum + b - a, 0);
        r.lastSeen = this.now();
      },
      end: () => {
        if (ended) return;
        ended = true;
        r.active--;
        r.lastSeen = this.now();
      },
    };
  }

  list(): DownloadRow[] {
    return [...this.rows.values()].map(({ spans: _spans, ...row }) => ({ ...row }));
  }

  activeCount(): number {
    return [...this.rows.values()].reduce((n, r) => n + r.active, 0);
  }
}

const mb = (b: number) => `${(b / 1e6).toFixed(b < 1e7 ? 1 : 0)} MB`;

/** One line per device and model, for the terminal. */
export function describeRow(r: DownloadRow): string {
  const pct = r.size ? Math.floor((100 * r.sent) / r.size) : 100;
  const state = r.sent >= r.size ? 'done' : r.active ? 'downloading' : 'waiting';
  return `${r.client.padEnd(16)} ${r.model}  ${String(pct).padStart(3)}%  ${mb(r.sent)} of ${mb(r.size)}  ${state}`;
}
