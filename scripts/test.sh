#!/usr/bin/env bash
# `npm test`: everything CI checks, cheapest first, stopping at the first failure.
# Integration tests start their own Temporal dev server and nats-server (test/support/global-setup.ts),
# so the only prerequisite is the toolchain, which the first step provides on a fresh machine.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

step() {
  local name=$1 started
  shift
  log "==> $name"
  started=$(now_ms)
  if ! "$@"; then
    die "$name failed (after $(secs_since "$started")s)"
  fi
  log "ok: $name ($(secs_since "$started")s)"
}

total=$(now_ms)
step toolchain bash scripts/toolchain.sh
# The build (dist/) is what the CLI test runs as a real process; the typecheck adds the tests.
step build npm run --silent build
step typecheck npx tsc -p tsconfig.json --noEmit
step lint npx eslint .
step 'unit tests' npx jest --selectProjects unit
# In band: the suites share one Temporal and one NATS. --forceExit because the SDK's native runtime
# can keep the process alive after the last test.
step 'integration tests' npx jest --selectProjects integration --runInBand --forceExit
log "all checks passed in $(secs_since "$total")s"
