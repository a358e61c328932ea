/**
 * The library's browser tests: the reading helper example, built from the library build exactly as an embedder
 * builds it, served with the isolation headers (PORT) and without them (PORT + 1), and a model host (PORT + 2).
 * Run: npx playwright test -c e2e/library/playwright.library.config.ts   (TRIT_LIB_PORT moves the ports; default 4800,
 * or TRIT_E2E_PORT + 10 when only that is set: npm test runs this suite beside the app's, which holds TRIT_E2E_PORT
 * and the port after it)
 */
import { defineConfig } from '@playwright/test';
import { launchOptions } from '../../playwright.config';

const PORT = Number(process.env.TRIT_LIB_PORT ?? (process.env.TRIT_E2E_PORT ? Number(process.env.TRIT_E2E_PORT) + 10 : 4800));
export const EXAMPLE_URL = `http://localhost:${PORT}`;
export const UNISOLATED_EXAMPLE_URL = `http://localhost:${PORT + 1}`;
export const MODEL_HOST = `http://localhost:${PORT + 2}`;

const preview = `npx vite preview -c examples/reading-helper/vite.config.ts --strictPort --port`;

export default defineConfig({
  testDir: '.',
  // Not *.spec.ts: the app's own Playwright config (testDir e2e) must not pick these up.
  testMatch: '*.library.ts',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '../../test-results/e2e-library.json' }]],
  outputDir: '../../test-results/e2e-library',
  use: { baseURL: EXAMPLE_URL, launchOptions },
  webServer: [
    {
      // Builds the library, then the example on top of it, then serves the example.
      command: `npm run -s build:lib && npm run -s build:example && ${preview} ${PORT}`,
      url: EXAMPLE_URL,
      timeout: 300_000,
      reuseExistingServer: false,
      cwd: '../..',
    },
    {
      command: `${preview} ${PORT + 1}`,
      url: UNISOLATED_EXAMPLE_URL,
      env: { TRIT_NO_ISOLATION_HEADERS: '1' },
      timeout: 300_000,
      reuseExistingServer: false,
      cwd: '../..',
    },
    {
      command: `npx tsx e2e/support/model-server.ts ${PORT + 2}`,
      url: `${MODEL_HOST}/stats`,
      reuseExistingServer: false,
      cwd: '../..',
    },
  ],
});
