#!/usr/bin/env bash
# Every test Trit has: type check, unit tests (Node wasm build), production build, the browser suites. Brings the
# browsers the e2e tests need when the machine lacks them.
# After the build, the suites run in two lanes at once, because most of a browser test is waiting (on the browser,
# the engine worker, a server) and one lane left a 2-core machine idle more than half the time. Each suite's output
# goes to test-results/logs/<suite>.log and is printed whole when the suite ends; the run fails if any suite fails.
# Lane 1: type check, unit tests, library suite, in that order (the unit tests and the library build both write
# packages/trit/dist, so they never overlap). Lane 2: the Chromium app suite (2 Playwright workers). Then both lanes
# take the other suites from one queue, longest first. TRIT_TEST_LANES=1 runs every suite one after another.
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
LOGS=test-results/logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
# A suite that dies before writing its report must count as missing, not as the last run's result.
REPORTS=(unit e2e e2e-store e2e-classroom e2e-firefox e2e-webkit e2e-library)
for r in "${REPORTS[@]}"; do rm -f "test-results/$r.json"; done

echo "== production build"
npx vite build --logLevel warn

declare -A TITLE=(
  [typecheck]="type check"
  [unit]="unit tests"
  [e2e]="browser tests (Chromium, the app)"
  [store]="model store browser tests"
  [classroom]="classroom sharing browser tests (share command, typed and scanned address, share target)"
  [firefox]="Firefox browser tests"
  [webkit]="WebKit browser tests"
  [library]="library browser tests (trit-web built as a package, and its example page)"
)
suite_typecheck() { npx svelte-check --tsconfig ./tsconfig.json --fail-on-warnings --output human; }
suite_unit() { npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/unit.json; }
suite_e2e() { npx playwright test; }
suite_store() { npx playwright test -c e2e/store/playwright.store.config.ts; }
suite_classroom() { npx playwright test -c e2e/classroom/playwright.classroom.config.ts; }
suite_firefox() { bash e2e/firefox/run.sh; }
suite_webkit() { npx vitest run -c e2e/webkit/vitest.config.ts --reporter=default --reporter=json --outputFile.json=test-results/e2e-webkit.json; }
suite_library() { npx playwright test -c e2e/library/playwright.library.config.ts; }

# Runs one suite into its log; prints the log whole when it ends (one suite at a time, never interleaved).
run_suite() {
  local name=$1 start=$SECONDS rc=0
  echo "== started: ${TITLE[$name]}"
  "suite_$name" >"$LOGS/$name.log" 2>&1 </dev/null || rc=$?
  echo "$rc $((SECONDS - start))" >"$LOGS/$name.result"
  {
    flock 9
    echo
    echo "== ${TITLE[$name]}: $([ "$rc" = 0 ] && echo passed || echo "FAILED (exit $rc)") in $((SECONDS - start)) s"
    cat "$LOGS/$name.log"
    echo
  } 9>"$LOGS/.print.lock"
}

# The shared queue, longest suite first, so the lane that frees up first takes the longest one left.
QUEUE=(firefox classroom webkit store)
echo 0 >"$LOGS/.next"
take_next() {
  local i
  {
    flock 8
    i=$(cat "$LOGS/.next")
    echo $((i + 1)) >"$LOGS/.next"
  } 8>"$LOGS/.queue.lock"
  [ "$i" -lt "${#QUEUE[@]}" ] && echo "${QUEUE[$i]}"
}
lane() {
  local name
  for name in "$@"; do run_suite "$name"; done
  while name=$(take_next); do run_suite "$name"; done
}

trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
LANES=$([ "${TRIT_TEST_LANES:-2}" = 1 ] && echo 1 || echo 2)
if [ "$LANES" = 1 ]; then
  lane typecheck unit library e2e
else
  lane typecheck unit library &
  lane e2e &
  wait
fi
trap - EXIT

echo
echo "== suites (seconds; $LANES at a time)"
failed=0
for name in typecheck unit e2e store classroom firefox webkit library; do
  if [ -f "$LOGS/$name.result" ]; then
    read -r rc secs <"$LOGS/$name.result"
  else
    rc=missing secs=-
  fi
  printf '%-10s %5s s  %s\n' "$name" "$secs" "$([ "$rc" = 0 ] && echo passed || echo "FAILED ($rc)")"
  [ "$rc" = 0 ] || failed=1
done
node scripts/test-summary.mjs $(for r in "${REPORTS[@]}"; do echo "test-results/$r.json"; done)
[ "$failed" = 0 ]
