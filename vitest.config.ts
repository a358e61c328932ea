import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Compiles the runes of the app's .svelte.ts state classes, so their logic can be tested without a browser.
  plugins: [svelte()],
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'tools/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Engine tests spin up wasm thread pools; running files one at a time keeps a 2-core machine sane.
    fileParallelism: false,
  },
});
