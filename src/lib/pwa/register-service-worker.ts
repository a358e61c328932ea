/**
 * Registers the service worker and makes the page cross-origin isolated where the server alone does not:
 * on a host that cannot send COOP/COEP, the first visit reloads once, as soon as the service worker controls
 * the page, because from then on it adds those headers itself.
 */
import { registerSW } from 'virtual:pwa-register';

const RELOAD_FLAG = 'trit:isolation-reload';

export interface ServiceWorkerHooks {
  /** A new version is cached and waiting; call `update()` to switch to it. */
  onUpdateReady?: (update: () => Promise<void>) => void;
  onOfflineReady?: () => void;
}

export function startServiceWorker(hooks: ServiceWorkerHooks = {}): void {
  if (!('serviceWorker' in navigator)) return;
  const needsIsolation = !globalThis.crossOriginIsolated;
  if (globalThis.crossOriginIsolated) sessionStorage.removeItem(RELOAD_FLAG);

  const reloadOnce = () => {
    if (!needsIsolation || sessionStorage.getItem(RELOAD_FLAG)) return;
    sessionStorage.setItem(RELOAD_FLAG, '1');
    location.reload();
  };

  // Already controlled but still not isolated (the page loaded before the worker took over): reload once.
  if (navigator.serviceWorker.controller) reloadOnce();
  navigator.serviceWorker.addEventListener('controllerchange', reloadOnce);

  const update = registerSW({
    immediate: true,
    onNeedRefresh: () => hooks.onUpdateReady?.(() => update(true)),
    onOfflineReady: () => hooks.onOfflineReady?.(),
  });
}
