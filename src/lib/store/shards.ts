/**
 * How a model file is cut into shards, and the HTTP Range arithmetic around it. Pure functions only.
 *
 * Shard size: 16 MiB by default. A cut connection loses at most the shards in flight (3 x 16 MiB), which on a
 * 2 Mbit/s school link is about a minute of work instead of the 4+ minutes a 64 MiB shard would cost; the
 * in-flight buffers (48 MiB) stay small enough for 2 GB tablets that must also hold the model in wasm memory;
 * and the 1.19 GB 2B-4T file becomes ~75 shards: few enough that per-request and per-IndexedDB-transaction
 * overheads are negligible, many enough that progress and resume are fine-grained.
 */
export const DEFAULT_SHARD_SIZE = 16 * 1024 * 1024;
/** Parallel ranged requests: enough to fill a link with per-connection limits, few enough to lose little on a cut. */
export const DEFAULT_CONCURRENCY = 3;

export interface ShardSpan {
  index: number;
  /** First byte, inclusive. */
  start: number;
  /** Last byte, exclusive. */
  end: number;
}

export function shardCount(size: number, shardSize: number): number {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid file size ${size}`);
  if (!Number.isSafeInteger(shardSize) || shardSize <= 0) throw new RangeError(`invalid shard size ${shardSize}`);
  return Math.ceil(size / shardSize);
}

export function shardSpan(index: number, size: number, shardSize: number): ShardSpan {
  const count = shardCount(size, shardSize);
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`shard ${index} is outside 0..${count - 1}`);
  const start = index * shardSize;
  return { index, start, end: Math.min(size, start + shardSize) };
}

export function planShards(size: number, shardSize: number): ShardSpan[] {
  const count = shardCount(size, shardSize);
  const spans: ShardSpan[] = [];
  for (let i = 0; i < count; i++) spans.push(shardSpan(i, size, shardSize));
  return spans;
}

/** Indexes of the shards not yet stored, in file order (so a resume starts at the first missing shard). */
export function missingShards(stored: ReadonlyArray<string | null>): number[] {
  const missing: number[] = [];
  stored.forEach((hash, i) => {
    if (hash === null) missing.push(i);
  });
  return missing;
}

/** Bytes kept: whole shards, plus the pieces (received starts) of unfinished ones. */
export function storedBytes(stored: ReadonlyArray<string | null>, size: number, shardSize: number, pieces: Readonly<Record<number, number>> = {}): number {
  let total = 0;
  for (const [i, n] of Object.entries(pieces)) if (stored[Number(i)] === null) total += n;
  stored.forEach((hash, i) => {
    if (hash !== null) {
      const span = shardSpan(i, size, shardSize);
      total += span.end - span.start;
    }
  });
  return total;
}

export function rangeHeader(span: ShardSpan): string {
  return `bytes=${span.start}-${span.end - 1}`;
}

export interface ContentRange {
  start: number;
  /** Exclusive. */
  end: number;
  /** Undefined when the server sends `*` for the total. */
  total?: number;
}

/** Parses `Content-Range: bytes 0-99/1000` (or `bytes 0-99/*`). Returns undefined for anything else. */
export function parseContentRange(header: string | null): ContentRange | undefined {
  if (!header) return undefined;
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(header);
  if (!m) return undefined;
  const start = Number(m[1]);
  const last = Number(m[2]);
  if (last < start) return undefined;
  const total = m[3] === '*' ? undefined : Number(m[3]);
  if (total !== undefined && last >= total) return undefined;
  return { start, end: last + 1, total };
}

/** The key a shard is stored under in IndexedDB. */
export function shardKey(modelId: string, index: number): string {
  return `${modelId}:${index}`;
}

/** Inverse of shardKey; undefined for keys of other models. */
export function shardIndexFromKey(modelId: string, key: IDBValidKey): number | undefined {
  if (typeof key !== 'string') return undefined;
  const prefix = `${modelId}:`;
  if (!key.startsWith(prefix)) return undefined;
  const rest = key.slice(prefix.length);
  if (!/^\d+$/.test(rest)) return undefined;
  return Number(rest);
}

/** The key of a shard's received start (a piece), kept while the shard is unfinished. */
export function pieceKey(modelId: string, index: number): string {
  return `${modelId}:${index}:piece`;
}

export function pieceIndexFromKey(modelId: string, key: IDBValidKey): number | undefined {
  if (typeof key !== 'string' || !key.endsWith(':piece')) return undefined;
  return shardIndexFromKey(modelId, key.slice(0, -':piece'.length));
}
