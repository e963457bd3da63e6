#!/usr/bin/env bash
# Installs the npm dependencies when node_modules is missing or older than package-lock.json, so a fresh clone works
# with no separate install step. `npm install` rather than `npm ci`: chdb lists optional binaries for platforms the
# registry does not serve, which npm ci rejects as a lock-file mismatch.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
stamp=node_modules/.wearwatch-lock
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  command -v node >/dev/null || { echo "wearwatch: node was not found; install Node.js 20 or newer" >&2; exit 1; }
  echo "wearwatch: installing npm dependencies (npm install)…" >&2
  npm install --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi
