#!/usr/bin/env bash
# Installs the browser test's npm packages (playwright-core only: it drives Debian's Chromium and
# downloads no browser) into target/e2e, from the committed lockfile. Without npm it says so and
# leaves the browser test to skip.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../../target/e2e}
if ! command -v npm >/dev/null; then
  echo "e2e: npm not found; the chat page browser test will be skipped" >&2
  exit 0
fi
mkdir -p "$out"
cp "$here/package.json" "$here/package-lock.json" "$here/chat-page.mjs" "$out/"
if [[ ! -d "$out/node_modules/playwright-core" || "$here/package-lock.json" -nt "$out/node_modules/.package-lock.json" ]]; then
  (cd "$out" && npm ci --no-audit --no-fund --loglevel=error) || echo "e2e: npm ci failed; the browser test will be skipped" >&2
fi
