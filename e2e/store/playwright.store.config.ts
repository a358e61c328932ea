import { defineConfig } from '@playwright/test';
import { launchOptions } from '../../playwright.config';

// The store's own e2e suite: the real store module served as TypeScript by the Vite dev server (no app UI needed),
// against a local model host that serves the repo's test models with and without Range support.
// Run: npx playwright test -c e2e/store/playwright.store.config.ts
// TRIT_STORE_PORT moves both servers (it and the port below it), for parallel runs.
const PORT = Number(process.env.TRIT_STORE_PORT ?? 5199);
export const APP_URL = `http://localhost:${PORT}`;
export const MODEL_SERVER_URL = `http://localhost:${PORT - 1}`;

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '../../test-results/e2e-store.json' }]],
  outputDir: '../../test-results/e2e-store',
  use: {
    baseURL: APP_URL,
    acceptDownloads: true,
    launchOptions,
  },
  webServer: [
    {
      command: `npx vite --port ${PORT} --strictPort`,
      cwd: '../..',
      url: `${APP_URL}/e2e/store/harness.html`,
      reuseExistingServer: !process.env.CI,
    },
    {
      command: `npx tsx e2e/support/model-server.ts ${PORT - 1}`,
      cwd: '../..',
      url: `${MODEL_SERVER_URL}/stats`,
      reuseExistingServer: !process.env.CI,
    },
  ],
});
