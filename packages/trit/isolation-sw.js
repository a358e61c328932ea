/*
 * Cross-origin isolation for hosts that cannot send headers (GitHub Pages, a school's file server). Wasm threads need
 * SharedArrayBuffer, which browsers give only to pages served with
 *   Cross-Origin-Opener-Policy: same-origin
 *   Cross-Origin-Embedder-Policy: require-corp
 * This service worker adds them to every response it passes on. Copy it next to your page (same folder or above,
 * so its scope covers the page) and call `isolatePage('./isolation-sw.js')` from trit-web before createTrit: the
 * first visit reloads once when the worker takes control. Resources from other origins must then allow it
 * (Cross-Origin-Resource-Policy or CORS), as on any isolated page.
 */
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  // A request the browser may not make from here (devtools' only-if-cached on another origin) is left alone.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(
    fetch(request).then((response) => {
      // Opaque responses (no-cors, other origins) cannot be read or changed.
      if (response.status === 0) return response;
      const headers = new Headers(response.headers);
      headers.set('Cross-Origin-Opener-Policy', 'same-origin');
      headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
      if (!headers.has('Cross-Origin-Resource-Policy')) headers.set('Cross-Origin-Resource-Policy', 'same-origin');
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }),
  );
});
