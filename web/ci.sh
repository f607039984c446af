#!/usr/bin/env bash
# CI for the demo web app: installs what it needs on a fresh Debian machine (as root, with Node 20+
# and npm 11), then runs the unit tests, the production build and the browser test.
# Exits non-zero on the first failure. Called by the repository's .ci/run; runnable alone:
#   bash web/ci.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

step() { printf '\n=== web: %s\n' "$*"; }
started=$(date +%s)

step "toolchain"
node --version
npm --version
if [ "$(npm --version | cut -d. -f1)" -lt 11 ]; then
  echo "warning: npm $(npm --version) found; this package-lock.json and Vite 8 were made with npm 11" >&2
fi

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  step "installing Debian's chromium (not found at $CHROMIUM)"
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: chromium is missing and this is not root: run 'apt-get install -y chromium' or set CHROMIUM=/path/to/chromium" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  CHROMIUM=/usr/bin/chromium
fi
export CHROMIUM
"$CHROMIUM" --version 2>/dev/null | head -1

step "npm ci"
npm ci --no-audit --no-fund

step "unit tests (vitest)"
mkdir -p test-results
rc=0
npx vitest run --reporter=default --reporter=json --outputFile=test-results/vitest.json || rc=$?
# One plain summary line, also when tests failed.
node -e '
  const r = require("./test-results/vitest.json");
  console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  if (r.numFailedTests > 0 || r.numTotalTests === 0) process.exit(1);
' || rc=1
if [ "$rc" -ne 0 ]; then echo "web: unit tests failed" >&2; exit "$rc"; fi

step "type check and production build"
npm run build

step "browser test (playwright-core, headless chromium, AWS endpoints faked)"
npm run test:e2e
ls -l test-results/signed-in.png

step "browser test against apiless dev (the committed demo template's real policies; needs Go)"
command -v go >/dev/null || { echo "error: go is needed to run apiless dev" >&2; exit 1; }
npm run test:e2e:dev
ls -l test-results/signed-in-dev.png

printf '\n=== web: all passed in %ss\n' "$(( $(date +%s) - started ))"
