/**
 * What becomes of calls when the engine's worker dies (out of memory, a browser fault): every call waiting on it, and
 * every later one, rejects with one plain 'worker_crashed' error instead of waiting forever. The page is unharmed;
 * a new createTrit starts a new engine, and stored models are still there.
 */
import { TritError } from '../errors';
import type { EngineClient } from '../engine/client';

export interface EngineLifeline {
  /** `call`'s result, or the crash error if the worker dies first. */
  alive<T>(call: Promise<T>): Promise<T>;
}

export function engineLifeline(client: EngineClient): EngineLifeline {
  const death = client.crashed.then((message) => {
    client.terminate();
    throw new TritError('worker_crashed', `The engine stopped: ${message}`,
      'Start it again with createTrit (reload the page); downloaded models are kept.');
  });
  // Nobody may be waiting when it happens; the next call hears of it.
  death.catch(() => undefined);
  return { alive: (call) => Promise.race([call, death]) };
}
