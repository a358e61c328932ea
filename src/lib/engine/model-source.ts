/**
 * Where the engine worker reads model bytes from, as a sequence of chunks handed to the engine one at a time:
 * never the whole file in one buffer, never the bytes through the page.
 */
import * as Comlink from 'comlink';
import { TritError } from '../errors';
import { getModelStore } from '../store';
import type { ShardReaderApi } from '../store/shard-reader';
import { installErrorTransfer } from './comlink-errors';
import { withinMs } from './within-ms';
import type { ModelSource } from './protocol';

export interface ModelBytes {
  name: string;
  /** Undefined when the server did not say (e.g. a gzip-encoded response); the GGUF header then tells. */
  size?: number;
  chunks(): AsyncIterable<Uint8Array>;
  /** Lets go of what opening took (e.g. the store's in-use hold on a stored model). */
  release(): void;
  /** Synchronous reads at any offset, where the bytes are a file (stored models, files): WasmEngine then leaves the
   * input embedding in the file (see ModelStream.readRange). */
  readRange?: (offset: number, length: number) => Uint8Array;
}

/** Network reads arrive in small pieces; the engine copies fewer, larger ones. */
const URL_CHUNK_BYTES = 8 << 20;
/**
 * A server that sends nothing for this long is taken as gone, so a load ends in an error with Try again instead
 * of waiting forever (a first visit in Firefox once held the model's request for a minute, then failed).
 */
export const URL_SILENCE_MS = 20_000;

export async function openModelSource(source: ModelSource): Promise<ModelBytes> {
  if (source.kind === 'file') return openFile(source.file, source.name);
  return source.kind === 'stored' ? openStored(source.modelId) : openUrl(source.url);
}

async function openStored(modelId: string): Promise<ModelBytes> {
  const store = getModelStore();
  const opened = await store.open(modelId);
  // While the engine holds the model, the store refuses to delete it.
  const release = await store.hold(modelId);
  // The shards as one Blob (IndexedDB keeps them on disk; composing copies nothing) for reading rows later.
  const file = await store.export(modelId).then((e) => e.blob, () => undefined);
  return { name: opened.fileName, size: opened.size, chunks: () => readInReaderWorker(modelId, () => opened.chunks()), release, readRange: file && blobRangeReader(file) };
}

/** How long the shard reader may take to start before the engine worker reads the shards itself. */
const READER_START_MS = 3_000;

/**
 * The shards as read by a worker of its own (src/lib/store/shard-reader.ts), one requested ahead of the one being
 * used, so reading and loading overlap. Where a worker cannot start one (no nested workers), or it does not start
 * in time, the shards are read here as before.
 */
export async function* readInReaderWorker(modelId: string, here: () => AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (typeof Worker === 'undefined') return yield* here();
  installErrorTransfer(); // the reader's errors keep their code and hint
  let worker: Worker;
  try {
    worker = new Worker(new URL('../../../workers/shard-reader.worker.ts', import.meta.url), { type: 'module', name: 'trit-shard-reader' });
  } catch {
    return yield* here();
  }
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (e) => reject(new TritError('internal', `The model reader stopped: ${e.message || 'unknown error'}.`, 'Tap Try again.')));
  });
  failed.catch(() => undefined);
  const reader = Comlink.wrap<ShardReaderApi>(worker);
  try {
    const started = await withinMs(READER_START_MS, Promise.race([reader.open(modelId).then(() => true), failed.catch(() => false)]));
    if (!started) {
      console.warn(`The model reader worker did not start within ${READER_START_MS / 1000} s; the engine worker reads the model itself.`);
      worker.terminate();
      return yield* here();
    }
    let next = Promise.race([reader.next(), failed]);
    for (;;) {
      const shard = await next;
      if (!shard) return;
      next = Promise.race([reader.next(), failed]);
      next.catch(() => undefined);
      yield shard;
    }
  } finally {
    reader[Comlink.releaseProxy]();
    worker.terminate();
  }
}

function openFile(file: Blob, name?: string): ModelBytes {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < file.size; at += URL_CHUNK_BYTES) {
      yield new Uint8Array(await file.slice(at, Math.min(file.size, at + URL_CHUNK_BYTES)).arrayBuffer());
    }
  }
  return { name: name ?? (file as File).name ?? 'model.gguf', size: file.size, chunks, release: () => undefined, readRange: blobRangeReader(file) };
}

interface FileReaderSyncLike { readAsArrayBuffer(blob: Blob): ArrayBuffer }

/** FileReaderSync exists in workers only (the engine's home); elsewhere undefined, and the model keeps its table. */
function blobRangeReader(file: Blob): ((offset: number, length: number) => Uint8Array) | undefined {
  const Reader = (globalThis as { FileReaderSync?: new () => FileReaderSyncLike }).FileReaderSync;
  if (!Reader) return undefined;
  const reader = new Reader();
  return (offset, length) => new Uint8Array(reader.readAsArrayBuffer(file.slice(offset, offset + length)));
}

function silentServer(url: string): TritError {
  return new TritError(
    'timeout',
    `The model at ${url} sent nothing for ${URL_SILENCE_MS / 1000} s.`,
    'Check the connection and tap Try again, or download the model to this device first.',
  );
}

/** Runs one network step, aborting the request if it takes longer than URL_SILENCE_MS. */
async function withinSilence<T>(url: string, controller: AbortController, step: () => Promise<T>): Promise<T> {
  const timer = setTimeout(() => controller.abort(), URL_SILENCE_MS);
  try {
    return await step();
  } catch (e) {
    if (controller.signal.aborted) throw silentServer(url);
    throw new TritError('network', `Could not fetch the model at ${url}: ${String(e)}.`, 'Check the connection and tap Try again, or download the model to this device first.');
  } finally {
    clearTimeout(timer);
  }
}

async function openUrl(url: string): Promise<ModelBytes> {
  const controller = new AbortController();
  const response = await withinSilence(url, controller, () => fetch(url, { signal: controller.signal }));
  if (!response.ok || !response.body) {
    throw new TritError('network', `The model at ${url} answered ${response.status} ${response.statusText}.`, 'Check the address, or download the model to this device first.');
  }
  // Single-page hosts answer a missing file with their index page and 200.
  if ((response.headers.get('content-type') ?? '').startsWith('text/html')) {
    throw new TritError('not_found', `There is no model file at ${url} (the server sent a web page instead).`, 'Check the address, or download the model to this device first.');
  }
  // A compressed response's Content-Length counts compressed bytes, so it says nothing about the file's size.
  const length = Number(response.headers.get('content-length'));
  const size = !response.headers.get('content-encoding') && Number.isFinite(length) && length > 0 ? length : undefined;
  const name = decodeURIComponent(new URL(url, globalThis.location?.href).pathname.split('/').pop() || 'model.gguf');
  const body = response.body;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const reader = body.getReader();
    const buffer = new Uint8Array(Math.min(URL_CHUNK_BYTES, size ?? URL_CHUNK_BYTES));
    let filled = 0;
    for (;;) {
      const { done, value } = await withinSilence(url, controller, () => reader.read());
      if (done) break;
      let offset = 0;
      while (offset < value.length) {
        const n = Math.min(buffer.length - filled, value.length - offset);
        buffer.set(value.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === buffer.length) {
          // The consumer copies each chunk into wasm memory before asking for the next, so one buffer serves all.
          yield buffer;
          filled = 0;
        }
      }
    }
    if (filled > 0) yield buffer.subarray(0, filled);
  }
  // Ends a download the engine gave up on (a failed or cancelled load); harmless once the body was read.
  return { name, size, chunks, release: () => controller.abort() };
}
