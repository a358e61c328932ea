/// <reference lib="webworker" />
/**
 * Trit's service worker. It precaches the app shell, the engine's wasm and the demo model, serves them offline,
 * and adds the cross-origin isolation headers to every same-origin response it serves, so SharedArrayBuffer (and
 * so the threaded engine) works offline and on static hosts that cannot set headers.
 */
import { cleanupOutdatedCaches, matchPrecache, precache } from 'workbox-precaching';
import { SHARE_TARGET_ACTION, receiveSharedFile } from './lib/pwa/share-target';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

precache(self.__WB_MANIFEST);
cleanupOutdatedCaches();

self.addEventListener('message', (event) => {
  // The page asks for this when the person accepts an update (registerType: 'prompt').
  if (event.data && event.data.type === 'SKIP_WAITING') void self.skipWaiting();
});

self.addEventListener('activate', () => {
  // Take control of the page that installed us, so it can reload once and come back isolated.
  // Not through event.waitUntil: every fetch waits until activation ends, and in Firefox claim() settles only
  // once each client has been told, dedicated workers included. The engine's pool threads block in futex waits
  // and never return to their event loops, so there claim() never settles: holding activation on it held every
  // request of the page for about a minute (then failed), including the engine's and the model's.
  self.clients.claim().catch(() => undefined);
});

function withIsolationHeaders(response: Response): Response {
  // Opaque and error responses cannot be rebuilt; redirects must stay as they are.
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.status === 0) return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function respond(request: Request): Promise<Response> {
  const cached = (await matchPrecache(request)) ?? (request.mode === 'navigate' ? await matchPrecache('index.html') : undefined);
  if (cached) return withIsolationHeaders(cached);
  return withIsolationHeaders(await fetch(request));
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method === 'POST' && url.href === new URL(SHARE_TARGET_ACTION, self.registration.scope).href) {
    event.respondWith(receiveSharedFile(request, self.registration.scope));
    return;
  }
  if (request.method !== 'GET') return;
  // Model downloads from another origin, and ranged reads, go straight to the network untouched.
  if (url.origin !== self.location.origin || request.headers.has('range')) return;
  event.respondWith(respond(request));
});
