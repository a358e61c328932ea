// Prints one closing line over the unit (vitest), browser (Playwright) and Firefox (node:test) reports: "tests: N passed, N failed".
import { existsSync, readFileSync } from 'node:fs';

let passed = 0, failed = 0, skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) { failed += 1; console.log(`missing report ${file}: counted as a failure`); continue; }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  if ('numPassedTests' in report) {
    passed += report.numPassedTests; failed += report.numFailedTests; skipped += report.numPendingTests + report.numTodoTests;
  } else if (report.runner === 'node:test') {
    // The Firefox suite (e2e/firefox/summary-reporter.mjs).
    passed += report.passed; failed += report.failed; skipped += report.skipped;
  } else if (report.stats) {
    passed += report.stats.expected; failed += report.stats.unexpected + report.stats.flaky; skipped += report.stats.skipped;
  }
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
