#!/usr/bin/env bash
# The full test suite, as CI and a developer run it (`npm test`): installs what a new machine lacks, checks format, lint,
# the import boundaries between layers and unused code (knip), type-checks, then runs every vitest test against a real Kafka broker
# (started once for the suite) and embedded ClickHouse.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bash infra/scripts/ensure-system-deps.sh
bash infra/scripts/ensure-deps.sh
# The project's Node.js first, also when this script is run directly rather than through `npm test`.
export PATH="$root/node_modules/.bin:$PATH"
echo "wearwatch: on Node.js $(node --version)" >&2
echo "wearwatch: checking format and lint (biome)…" >&2
npm run --silent lint
echo "wearwatch: checking import boundaries between layers (dependency-cruiser)…" >&2
npm run --silent check:boundaries
echo "wearwatch: checking for unused files, exports and dependencies (knip)…" >&2
npm run --silent check:unused
echo "wearwatch: type-checking…" >&2
npx tsc --noEmit -p tsconfig.json
npx vitest run "$@"
