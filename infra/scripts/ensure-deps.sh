#!/usr/bin/env bash
# Installs the npm dependencies when node_modules is missing or older than package-lock.json, so a fresh clone works
# with no separate install step. `npm install` rather than `npm ci`: chdb lists optional binaries for platforms the
# registry does not serve, which npm ci rejects as a lock-file mismatch.
#
# The project runs on the Node.js LTS that the `node` dependency installs from the npm registry
# (node_modules/.bin/node): npm scripts put it first on PATH, bin/wearwatch calls it by path. The machine's own node
# and npm only bootstrap this install, so any version that runs npm will do.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
stamp=node_modules/.wearwatch-lock
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -x node_modules/.bin/node ]; then
  command -v npm >/dev/null || { echo "wearwatch: npm was not found; install Node.js with npm (any version) to bootstrap the install" >&2; exit 1; }
  echo "wearwatch: installing npm dependencies (npm install)…" >&2
  npm install --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi
