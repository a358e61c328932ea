#!/usr/bin/env bash
# The Firefox browser tests (Debian's firefox-esr through puppeteer-core and WebDriver BiDi) against the production
# build in TRIT_DIST (else dist/; build it first). Every *.firefox.ts here, or the files given.
# Ports: TRIT_FIREFOX_PORT and the next few (default 4280). Writes test-results/e2e-firefox.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p test-results
rm -f test-results/e2e-firefox.json
if [ $# -gt 0 ]; then files=("$@"); else files=(e2e/firefox/*.firefox.ts); fi
node --import tsx --test --test-concurrency=1 --test-timeout=600000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=./e2e/firefox/summary-reporter.mjs --test-reporter-destination=test-results/e2e-firefox.json \
  "${files[@]}"
