/**
 * The page's handle on the engine: a Comlink proxy over the dedicated worker. The page never sees wasm memory;
 * it refers to the worker only by URL.
 */
import * as Comlink from 'comlink';
import { TritError } from '../errors';
import { installErrorTransfer } from './comlink-errors';
import type { EngineInitOptions, EngineStartStage, EngineStatus, EngineWorkerApi } from './protocol';

/**
 * How long the engine may take to start (it compiles its wasm and starts its threads, about a second here; the worker
 * itself falls back to one thread after 10 s). A worker whose start never ends (Firefox once held its scripts behind
 * an activating service worker) would otherwise leave the app waiting with no error at all; past this the person gets
 * the error and Try again, which starts a fresh worker.
 */
export const ENGINE_START_MS = 30_000;

export interface EngineClient {
  api: Comlink.Remote<EngineWorkerApi>;
  /** Ends the worker and everything in it (memory, threads). */
  terminate(): void;
  /** Resolves with a message if the worker dies (e.g. runs out of memory), so the page can offer a restart. */
  crashed: Promise<string>;
}

export function createEngineClient(): EngineClient {
  installErrorTransfer();
  const worker = new Worker(new URL('../../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'trit-engine' });
  const crashed = new Promise<string>((resolve) => {
    worker.addEventListener('error', (e) => resolve(e.message || 'The engine worker stopped unexpectedly.'));
  });
  const api = Comlink.wrap<EngineWorkerApi>(worker);
  return { api, terminate: () => worker.terminate(), crashed };
}

/**
 * A start with no answer by now is stuck, not slow: a working worker answers within about a second, and one whose
 * threaded build stalls answers at 10 s with its single-thread build.
 */
export const STUCK_START_MS = 15_000;

/**
 * Starts the engine in `client`; a worker whose start is stuck is ended and one fresh worker (`fresh()`) started, and
 * only if that one does not start either is there the plain timeout error. In Firefox a first visit's worker now and
 * then answered nothing at all, not even its own 10 s fallback, while a fresh worker started at once (issue 21).
 */
export async function startEngineOrFresh(client: EngineClient, fresh: () => EngineClient, stuckMs = STUCK_START_MS,
  init: EngineInitOptions = {}): Promise<EngineStatus> {
  try {
    return await startEngineWithin(client, stuckMs, init);
  } catch (e) {
    if (!(e instanceof TritError) || e.code !== 'timeout') throw e;
    // Said in the console, for whoever looks into a slow start (the browser tests print it with a failure).
    console.warn(`The engine worker did not answer within ${stuckMs / 1000} s (${(e as StuckStart).stuckAt ?? 'no stage'}); starting a fresh one.`);
    return startEngineWithin(fresh(), ENGINE_START_MS, init);
  }
}

/** A start's timeout error, with where the start was when it ran out of time (for the console and a report). */
type StuckStart = TritError & { stuckAt?: string };

/** Where a start that ran out of time was: its last stage and for how long, or that the worker never ran its script. */
function describeStuckStart(last: { stage: EngineStartStage; at: number } | undefined, now: number): string {
  if (!last) return 'the engine worker never answered: its script did not run';
  return `last stage "${last.stage}", ${((now - last.at) / 1000).toFixed(1)} s before`;
}

/** Starts the engine, or fails with a plain timeout error, never a silent wait; the stuck worker is ended. */
export async function startEngineWithin(client: EngineClient, ms = ENGINE_START_MS, init: EngineInitOptions = {}): Promise<EngineStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last: { stage: EngineStartStage; at: number } | undefined;
  const onStage = Comlink.proxy((stage: EngineStartStage) => void (last = { stage, at: Date.now() }));
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      client.terminate();
      const stuckAt = describeStuckStart(last, Date.now());
      const error: StuckStart = new TritError('timeout', `The engine did not start within ${ms / 1000} s (${stuckAt}).`,
        'Tap Try again; if it keeps happening, reload the page or report it with this message.');
      error.stuckAt = stuckAt;
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([client.api.init(init, onStage), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
