/** When a failed request is worth another attempt, and how long to wait: p-retry with the store's delays. */
import pRetry from 'p-retry';
import type { StoreContext } from '../context';
import { StoreError } from '../errors';

/** A broken connection, a host that did not answer, or a server's bad moment (5xx, 429): worth trying again. */
export function isTransient(e: unknown): boolean {
  if (!(e instanceof StoreError)) return false;
  if (e.code === 'network' || e.code === 'host_unreachable') return true;
  const status = e.details.httpStatus;
  return e.code === 'http' && status !== undefined && (status >= 500 || status === 429);
}

/** Runs `attempt` until it succeeds, fails for good, the device goes offline, or `signal` aborts. */
export function withRetry<T>(ctx: StoreContext, attempt: () => Promise<T>, signal: AbortSignal): Promise<T> {
  const delays = ctx.retryDelaysMs;
  const first = delays[0] ?? 0;
  const last = delays.at(-1) ?? 0;
  return pRetry(attempt, {
    retries: delays.length,
    minTimeout: first,
    maxTimeout: Math.max(first, last),
    factor: delays.length > 1 && first > 0 ? Math.pow(last / first, 1 / (delays.length - 1)) : 1,
    signal,
    // A host that does not answer at all gets one more try, not the whole series: a blocked or down host stays so,
    // and the person should hear it within seconds.
    shouldRetry: ({ error, attemptNumber }) =>
      isTransient(error) && ctx.isOnline() && !(error instanceof StoreError && error.code === 'host_unreachable' && attemptNumber > 1),
  });
}
