import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';

// Debian's Chromium where it is installed (this project's machines); otherwise Playwright's own browser,
// which scripts/test-all.sh installs on machines without one.
const systemChromium = process.env.TRIT_CHROMIUM ?? '/usr/bin/chromium';
const executablePath = existsSync(systemChromium) ? systemChromium : undefined;

export const launchOptions = {
  executablePath,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

// TRIT_E2E_PORT moves both preview servers (it and the next port), so separate checkouts or builds (TRIT_DIST) can
// run their browser tests at the same time.
const PORT = Number(process.env.TRIT_E2E_PORT ?? 4173);
export const ISOLATED_URL = `http://localhost:${PORT}`;
export const UNISOLATED_URL = `http://localhost:${PORT + 1}`;

export default defineConfig({
  testDir: 'e2e',
  testIgnore: ['store/**', 'webkit/**', 'firefox/**', 'library/**'],
  timeout: 120_000,
  expect: { timeout: 30_000 },
  // Two workers: most of a test is waiting on the browser, the worker and the servers, so a second one fills the
  // idle core. Files run whole in one worker (tests in a file share its hosts); every test has its own context, so
  // its own IndexedDB and service worker. TRIT_E2E_WORKERS=1 runs them one at a time.
  fullyParallel: false,
  workers: Number(process.env.TRIT_E2E_WORKERS ?? 2),
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  outputDir: 'test-results/e2e',
  use: {
    baseURL: ISOLATED_URL,
    launchOptions,
  },
  webServer: [
    {
      // The production build as a static host that sends COOP/COEP.
      command: `npx vite preview --port ${PORT} --strictPort`,
      url: ISOLATED_URL,
      reuseExistingServer: !process.env.CI,
    },
    {
      // The same build on a host that cannot set headers: isolation must come from the service worker.
      command: `npx vite preview --port ${PORT + 1} --strictPort`,
      url: UNISOLATED_URL,
      env: { TRIT_NO_ISOLATION_HEADERS: '1' },
      reuseExistingServer: !process.env.CI,
    },
  ],
});
