import { defineConfig } from 'vitest/config';

// The WebKit browser tests (npm test runs them after the Chromium ones): one file, one browser at a time.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['e2e/webkit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
