import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

// Cross-origin isolation (SharedArrayBuffer, hence wasm threads) needs these on the document and its workers.
// TRIT_NO_ISOLATION_HEADERS=1 serves without them, to test that the service worker alone restores isolation.
const isolationHeaders: Record<string, string> = process.env.TRIT_NO_ISOLATION_HEADERS
  ? {}
  : {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };

export default defineConfig({
  plugins: [
    svelte(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      manifest: {
        name: 'Trit: private AI on your device',
        short_name: 'Trit',
        description: 'Chat with BitNet ternary language models on your own device, offline. Nothing you type leaves it.',
        start_url: '.',
        scope: '.',
        display: 'standalone',
        background_color: '#0f172a',
        theme_color: '#0f172a',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
        // A model file shared to the installed app (Quick Share, AirDrop, Bluetooth) is imported: src/lib/pwa/share-target.ts.
        share_target: {
          action: 'share-target',
          method: 'POST',
          enctype: 'multipart/form-data',
          params: { files: [{ name: 'model', accept: ['.gguf', 'application/octet-stream'] }] },
        },
      },
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,wasm,png,svg,webmanifest,gguf}'],
        // The engine's wasm and the demo model are larger than workbox's 2 MiB default.
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
      },
      devOptions: { enabled: false },
    }),
  ],
  worker: { format: 'es' },
  // TRIT_DIST lets several builds (e.g. parallel test runs) live side by side; the app itself always uses dist/.
  build: { target: 'es2022', sourcemap: false, outDir: process.env.TRIT_DIST ?? 'dist' },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
});
