/**
 * isolatePage: cross-origin isolation on hosts that cannot set headers, through the service worker trit-web ships
 * (isolation-sw.js, which the embedder copies next to the page). Without isolation the engine still runs, on one
 * thread; this only makes the threaded build possible.
 */

/** Set for the one reload, so a browser that will not isolate the page (or blocks service workers) is not reloaded
 * over and over. */
const RELOADED = 'trit-isolation-reload';

export type IsolationOutcome =
  /** The page is isolated already (by headers, or by the worker on an earlier visit). */
  | 'isolated'
  /** The worker took control and the page is reloading; the caller's code will run again after it. */
  | 'reloading'
  /** Not possible here (no service workers, e.g. a private window, or the reload did not help): one thread. */
  | 'unavailable';

/**
 * Makes the page cross-origin isolated through the service worker at `serviceWorkerUrl` (a copy of trit-web's
 * isolation-sw.js), reloading it once when the worker first takes control. Call it before createTrit; when it says
 * 'reloading', stop: the page is about to start again.
 */
export async function isolatePage(serviceWorkerUrl: string): Promise<IsolationOutcome> {
  if (globalThis.crossOriginIsolated) {
    sessionStorage.removeItem(RELOADED);
    return 'isolated';
  }
  if (!('serviceWorker' in navigator) || sessionStorage.getItem(RELOADED)) return 'unavailable';
  try {
    await navigator.serviceWorker.register(serviceWorkerUrl);
    await navigator.serviceWorker.ready;
  } catch {
    return 'unavailable';
  }
  if (!navigator.serviceWorker.controller) {
    await new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
  }
  sessionStorage.setItem(RELOADED, '1');
  location.reload();
  return 'reloading';
}
