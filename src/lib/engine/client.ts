/**
 * The page's handle on the engine: a Comlink proxy over the dedicated worker. The page never sees wasm memory;
 * it refers to the worker only by URL.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer } from './comlink-errors';
import type { EngineWorkerApi } from './protocol';

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
