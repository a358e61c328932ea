import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'tools/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Engine tests spin up wasm thread pools; running files one at a time keeps a 2-core machine sane.
    fileParallelism: false,
  },
});
