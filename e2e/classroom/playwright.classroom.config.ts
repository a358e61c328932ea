import { defineConfig } from '@playwright/test';
import { launchOptions } from '../../playwright.config';

// Classroom sharing (issue 18): the production build at its own origin, fetching from `npm run cli -- share` (which
// each test starts on a loopback address), by a typed address and by a QR code shown to Chromium's fake camera; and
// the Web Share Target. Run after a build: npx playwright test -c e2e/classroom/playwright.classroom.config.ts
// TRIT_CLASSROOM_PORT moves the app's preview server (TRIT_DIST names the build it serves).
const PORT = Number(process.env.TRIT_CLASSROOM_PORT ?? 4710);
export const APP_URL = `http://localhost:${PORT}`;

export default defineConfig({
  testDir: '.',
  testMatch: '*.e2e.ts',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '../../test-results/e2e-classroom.json' }]],
  outputDir: '../../test-results/e2e-classroom',
  use: { baseURL: APP_URL, launchOptions },
  webServer: [
    {
      command: `npx vite preview --port ${PORT} --strictPort`,
      cwd: '../..',
      url: APP_URL,
      reuseExistingServer: !process.env.CI,
    },
  ],
});
