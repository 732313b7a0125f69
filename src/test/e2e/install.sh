#!/usr/bin/env bash
# Installs the end-to-end tests' npm packages (playwright-core, which drives Debian's Chromium and
# downloads no browser; the official openai SDK and zod) into target/e2e, from the committed
# lockfile, with the test scripts beside them. Without npm it says so and leaves those tests to skip.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../../target/e2e}
if ! command -v npm >/dev/null; then
  echo "e2e: npm not found; the browser and Node SDK tests will be skipped" >&2
  exit 0
fi
mkdir -p "$out"
cp "$here/package.json" "$here/package-lock.json" "$here"/*.mjs "$out/"
if [[ ! -d "$out/node_modules/playwright-core" || ! -d "$out/node_modules/openai" || "$here/package-lock.json" -nt "$out/node_modules/.package-lock.json" ]]; then
  (cd "$out" && npm ci --no-audit --no-fund --loglevel=error) || echo "e2e: npm ci failed; the browser and Node SDK tests will be skipped" >&2
fi
