#!/usr/bin/env bash
# Every test Trit has, in the order a failure is cheapest to find: type check, unit tests (Node wasm build),
# production build, browser tests. Brings the browser the e2e tests need when the machine lacks one.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ]; then npm ci; fi

if [ -z "${TRIT_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "== installing Debian's Chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "== no system Chromium: installing Playwright's browser"
    npx playwright install chromium
  fi
fi

# Debian's Firefox ESR for the Firefox suite (TRIT_FIREFOX points at another Firefox binary).
if [ -z "${TRIT_FIREFOX:-}" ] && [ ! -x /usr/bin/firefox-esr ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "== installing Debian's Firefox ESR for the Firefox browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq firefox-esr >/dev/null
  else
    echo "== no Firefox at /usr/bin/firefox-esr: install firefox-esr, or set TRIT_FIREFOX to a Firefox binary" >&2
  fi
fi

# WebKitGTK's WebDriver (it brings MiniBrowser) and a virtual display for the WebKit suite; no browser build is downloaded.
if ! command -v WebKitWebDriver >/dev/null || ! command -v Xvfb >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "== installing WebKitGTK's WebDriver and Xvfb for the WebKit browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq webkit2gtk-driver xvfb >/dev/null
  else
    echo "== no WebKitWebDriver or Xvfb: install webkit2gtk-driver and xvfb for the WebKit browser tests" >&2
  fi
fi

mkdir -p test-results
echo "== type check"
npx svelte-check --tsconfig ./tsconfig.json --fail-on-warnings --output human

echo "== unit tests"
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/unit.json
unit=$?
set -e

echo "== production build"
npx vite build --logLevel warn

echo "== browser tests"
set +e
npx playwright test
e2e=$?
echo "== model store browser tests"
npx playwright test -c e2e/store/playwright.store.config.ts
store=$?
echo "== classroom sharing browser tests (share command, typed and scanned address, share target)"
npx playwright test -c e2e/classroom/playwright.classroom.config.ts
classroom=$?
echo "== Firefox browser tests"
bash e2e/firefox/run.sh
firefox=$?
echo "== WebKit browser tests"
npx vitest run -c e2e/webkit/vitest.config.ts --reporter=default --reporter=json --outputFile.json=test-results/e2e-webkit.json
webkit=$?
echo "== library browser tests (trit-web built as a package, and its example page)"
npx playwright test -c e2e/library/playwright.library.config.ts
library=$?
set -e

node scripts/test-summary.mjs test-results/unit.json test-results/e2e.json test-results/e2e-store.json test-results/e2e-classroom.json test-results/e2e-firefox.json test-results/e2e-webkit.json test-results/e2e-library.json
[ "$unit" = 0 ] && [ "$e2e" = 0 ] && [ "$store" = 0 ] && [ "$classroom" = 0 ] && [ "$firefox" = 0 ] && [ "$webkit" = 0 ] && [ "$library" = 0 ]
