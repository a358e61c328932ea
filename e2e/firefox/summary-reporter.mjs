// A reporter for node's test runner that writes one JSON object of counts, which scripts/test-summary.mjs adds up
// with the other suites' reports: {"runner": "node:test", "passed", "failed", "skipped"}.
export default async function* summaryReporter(source) {
  let passed = 0, failed = 0, skipped = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    // Suites and whole files are reported too; count only the tests inside them (a file that fails to load counts).
    if (event.data.details?.type === 'suite') continue;
    if (event.type === 'test:fail') failed += 1;
    else if (event.data.skip || event.data.todo) skipped += 1;
    else passed += 1;
  }
  yield `${JSON.stringify({ runner: 'node:test', passed, failed, skipped })}\n`;
}
