#!/usr/bin/env bash
# Runs the end-to-end test of `banensim serve` in headless Chromium:
#
#   tests/browser/run.sh BANENSIM SOURCE_DIR [SCREENSHOT.png]
#
# The driver, puppeteer-core, is pinned by package-lock.json and installed
# here with `npm ci` when node_modules/ is missing or older than the lock
# file (npm's registry must then be reachable). No browser is downloaded:
# the test drives Debian's /usr/bin/chromium (scripts/setup.sh installs it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "tests/browser/run.sh: node and npm are needed (Debian: nodejs, npm)" >&2
  exit 1
fi
if [[ ! -x /usr/bin/chromium ]]; then
  echo "tests/browser/run.sh: /usr/bin/chromium is needed (scripts/setup.sh installs it)" >&2
  exit 1
fi
stamp="$here/node_modules/.package-lock.json"
if [[ ! -f "$stamp" || "$here/package-lock.json" -nt "$stamp" ]]; then
  echo "tests/browser/run.sh: npm ci (puppeteer-core, pinned by package-lock.json)"
  (cd "$here" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
exec node "$here/serve_e2e.mjs" "$@"
