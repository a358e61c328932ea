/**
 * Builds the reading helper (npm run build:example) into examples/reading-helper/dist, after npm run build:lib.
 * It imports 'trit-web' like any other package (the repo links it from packages/trit), so the build is exactly what
 * an embedder gets. isolation-sw.js is copied beside the page, as the library's README tells embedders to do.
 */
import { copyFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;
const isolationHeaders = process.env.TRIT_NO_ISOLATION_HEADERS
  ? {}
  : { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: here,
  base: './',
  publicDir: false,
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: resolve(here, 'dist'), emptyOutDir: true },
  preview: { headers: isolationHeaders },
  plugins: [
    {
      name: 'copy-isolation-sw',
      closeBundle() {
        copyFileSync(resolve(here, '../../packages/trit/isolation-sw.js'), resolve(here, 'dist/isolation-sw.js'));
      },
    },
  ],
});
